import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { PgHistoryStore } from "../../src/store/pg/history-store.js";
import { createPgPool } from "../../src/store/pg/pool.js";
import { freshDatabase } from "../helpers/pg-database.js";

describe("the repository memory in PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase("insight_pgstore_history", { migrated: true });
  }, 60_000);
  afterAll(async () => db?.drop(), 60_000);

  it("merges concurrent updates from two pools (two processes) without losing one, and lists build progress", async () => {
    const other = createPgPool(db.url, { max: 4 });
    try {
      const a = new PgHistoryStore(db.pool);
      const b = new PgHistoryStore(other);
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 ? a : b).update("acme/api", async (d) => {
            await new Promise((r) => setTimeout(r, 5)); // widen the race
            return {
              ...d,
              changes: [
                ...d.changes,
                {
                  id: `#${i}`,
                  title: `change ${i}`,
                  at: i,
                  files: ["k8s/api/deployment.yaml"],
                  services: ["api"],
                  kinds: ["kubernetes"],
                  resources: [],
                },
              ],
            };
          }),
        ),
      );
      const doc = (await b.load("acme/api"))!;
      expect(doc.changes.map((c) => c.id).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `#${i}`).sort());
      await a.update("acme/web", (d) => ({ ...d, build: { state: "building", startedAt: 1, done: 50, phase: "merged pull requests" } }));
      expect(await a.list()).toEqual([
        { repo: "acme/api", changes: 12, incidents: 0 },
        { repo: "acme/web", build: { state: "building", startedAt: 1, done: 50, phase: "merged pull requests" }, changes: 0, incidents: 0 },
      ]);
      expect(await a.load("acme/none")).toBeUndefined();
    } finally {
      await other.end();
    }
  }, 60_000);
});
