import { describe, expect, it } from "@jest/globals";
import { touchesFromDiff } from "../../../src/analysis/rca/touches.js";

describe("touchesFromDiff (a GitHub PR's patches)", () => {
  it("reads the settings a patch moves, with the line before and after", () => {
    const touched = touchesFromDiff([
      {
        path: "k8s/jobs/reindex.yaml",
        patch: '@@ -3,7 +3,7 @@\n spec:\n-  schedule: "0 3 * * *"\n+  schedule: "0 15 * * *"\n   jobTemplate:',
      },
      { path: "k8s/payments/deployment.yaml", patch: "@@ -20,9 +20,3 @@\n-      affinity:\n-        nodeAffinity:\n       containers:" },
      {
        path: "infra/redis.conf",
        patch: "--- a/infra/redis.conf\n+++ b/infra/redis.conf\n-maxmemory-policy volatile-lru\n+maxmemory-policy allkeys-lru",
      },
      { path: "services/orders/config.yaml", patch: "+pool_size: 5\n-pool_size: 20" },
    ]);
    expect(touched).toEqual(
      expect.arrayContaining([
        { kind: "schedule", file: "k8s/jobs/reindex.yaml", detail: 'schedule: "0 3 * * *" → schedule: "0 15 * * *"' },
        { kind: "affinity", file: "k8s/payments/deployment.yaml", detail: "removed `affinity:`" },
        { kind: "cache", file: "infra/redis.conf", detail: "maxmemory-policy volatile-lru → maxmemory-policy allkeys-lru" },
        { kind: "database", file: "services/orders/config.yaml", detail: "pool_size: 20 → pool_size: 5" },
      ]),
    );
    // The diff headers are not changed lines.
    expect(touched.filter((t) => t.file === "infra/redis.conf")).toHaveLength(1);
  });

  it("finds nothing in a patch that moves no setting, and keeps the classified parts", () => {
    expect(touchesFromDiff([{ path: "src/a.ts", patch: "+const x = 1;\n-const x = 2;" }])).toEqual([]);
    const t = touchesFromDiff([
      {
        path: "db/migrate/1_add.sql",
        patch: "+ALTER TABLE orders ADD COLUMN x int;",
        kind: "migration",
        services: [],
        status: "added",
        additions: 1,
        deletions: 0,
        migration: { ops: [{ table: "orders", op: "ALTER TABLE", locking: true, detail: "ALTER TABLE orders ADD COLUMN x int" }] } as never,
      },
    ]);
    expect(t[0]).toMatchObject({ kind: "migration", table: "orders", locking: true });
  });
});
