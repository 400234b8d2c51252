import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { FixRecord } from "../../src/remediation/fix-store.js";
import { PgAuditLog, verifyAuditDb } from "../../src/store/pg/audit-log.js";
import { PgDedupe } from "../../src/store/pg/dedupe.js";
import { PgFixStore } from "../../src/store/pg/fix-store.js";
import { createPgPool } from "../../src/store/pg/pool.js";
import { migrate } from "../../src/store/pg/migrate.js";
import { openStores } from "../../src/store/open-stores.js";
import { loadEnv } from "../../src/config/env.js";
import { signingKeys } from "../../src/audit/signing-key.js";
import { freshDatabase, pgChild, TEST_CHECKPOINT_KEY } from "../helpers/pg-database.js";

/** Shared state in the real PostgreSQL: migrations, the audit chain, fix state and dedupe across processes and connections. */
describe("PostgreSQL shared state", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    db = await freshDatabase("insight_pgstore_state");
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
  }, 60_000);

  it("two `insight migrate` processes at once apply each migration once; a third run applies nothing", async () => {
    const env = { INSIGHT_DATABASE_URL: db.url };
    const [a, b] = await Promise.all([runInsight(["migrate"], env), runInsight(["migrate"], env)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const applied = [a.stdout, b.stdout].join("\n").match(/^applied 0001_shared_state/gm) ?? [];
    expect(applied).toHaveLength(1);
    const rows = await db.pool.query("SELECT version FROM schema_migrations");
    expect(rows.rows).toEqual([{ version: 1 }, { version: 2 }]);
    expect([a.stdout, b.stdout].join("\n").match(/^applied 0002_history_index/gm) ?? []).toHaveLength(1);
    const again = await runInsight(["migrate"], env);
    expect(again.stdout).toMatch(/already up to date/);
    const status = await runInsight(["migrate", "--status"], env);
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toMatch(/applied\s+0001_shared_state[\s\S]*up to date/);
  }, 120_000);

  it("four processes appending at once build one chain that verifies, checkpoints signed", async () => {
    const results = await Promise.all(["w1", "w2", "w3", "w4"].map((name) => pgChild(["audit", db.url, "15", name])));
    for (const r of results) expect(r).toMatchObject({ code: 0 });
    const result = await verifyAuditDb(db.pool, { checkpointKey: TEST_CHECKPOINT_KEY, checkpointEvery: 7, requireCheckpoint: true });
    expect(result).toMatchObject({ ok: true });
    const rows = await db.pool.query<{ action: string; actor: string }>(
      "SELECT action, line::json->>'actor' AS actor FROM audit_log ORDER BY seq",
    );
    const writes = rows.rows.filter((r) => r.action === "comment.create");
    expect(writes).toHaveLength(60);
    // Every writer's entries are all there, in one chain.
    for (const name of ["w1", "w2", "w3", "w4"]) expect(writes.filter((w) => w.actor === name)).toHaveLength(15);
    expect(rows.rows.filter((r) => r.action === "audit.checkpoint").length).toBeGreaterThanOrEqual(Math.floor(60 / 7));
    // `insight audit verify` reads the same chain from the database.
    const verified = await runInsight(["audit", "verify"], { INSIGHT_DATABASE_URL: db.url });
    expect(verified.stdout).toMatch(new RegExp(`${result.entries} entries, chain intact`));
  }, 180_000);

  it("detects an edited entry and refuses to extend the chain after it", async () => {
    const seq = (
      await db.pool.query<{ seq: string }>("SELECT seq FROM audit_log WHERE action = 'comment.create' ORDER BY seq LIMIT 1 OFFSET 5")
    ).rows[0]!.seq;
    await db.pool.query("UPDATE audit_log SET line = replace(line, 'concurrency test', 'nothing to see') WHERE seq = $1", [seq]);
    const result = await verifyAuditDb(db.pool, { checkpointKey: TEST_CHECKPOINT_KEY });
    expect(result).toMatchObject({ ok: false, problem: { kind: "edited", line: Number(seq) } });
    const cli = await runInsight(["audit", "verify"], { INSIGHT_DATABASE_URL: db.url });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/edited/);
    const log = new PgAuditLog(db.pool, { checkpointKey: TEST_CHECKPOINT_KEY, checkpointEvery: 7 });
    await expect(
      log.append({ actor: "x", action: "comment.create", target: "t", delivery: "d", reason: "r", outcome: "ok" }),
    ).rejects.toThrow(/damaged/);
  }, 60_000);

  it("a chain cannot fork even without the lock: seq and prev_hash are unique", async () => {
    const { rows } = await db.pool.query<{ line: string }>("SELECT line FROM audit_log ORDER BY seq DESC LIMIT 1");
    const last = JSON.parse(rows[0]!.line);
    const insert = (hash: string) =>
      db.pool.query("INSERT INTO audit_log (seq, hash, prev_hash, action, line) VALUES ($1, $2, $3, 'x', '{}')", [
        last.seq + 1,
        hash,
        last.hash,
      ]);
    await insert("a".repeat(64));
    await expect(insert("b".repeat(64))).rejects.toThrow(/duplicate key/);
  });

  it("fix state: of concurrent compare-and-set writers on separate connections, exactly one wins each round", async () => {
    const pools = [0, 1, 2, 3].map(() => createPgPool(db.url, { max: 1 }));
    try {
      const stores = pools.map((p) => new PgFixStore(p));
      const record = (version: number, by: string): FixRecord => ({
        repo: "acme/api",
        pull: 9,
        branch: "insight/fix-7",
        author: { login: "insight[bot]", id: 1 },
        state: { version, by } as never,
      });
      // Creation: four writers race to create the record.
      const created = await Promise.all(stores.map((s, i) => s.put(record(1, `w${i}`), undefined)));
      expect(created.filter(Boolean)).toHaveLength(1);
      // Ten rounds: each writer reads, bumps the version and writes; losers re-read and retry.
      const wins = [0, 0, 0, 0];
      await Promise.all(
        stores.map(async (s, i) => {
          for (let round = 0; round < 10; ) {
            const current = (await s.get("acme/api", 9))!;
            if (await s.put(record(current.state.version + 1, `w${i}`), current.state.version)) {
              wins[i]!++;
              round++;
            }
          }
        }),
      );
      const final = (await stores[0]!.get("acme/api", 9))!;
      // No write was lost: 1 creation + 40 updates, each from a version nobody else had written.
      expect(final.state.version).toBe(41);
      expect(wins).toEqual([10, 10, 10, 10]);
      const claims = await Promise.all(stores.map((s) => s.claimComment("acme/api", 555)));
      expect(claims.filter(Boolean)).toHaveLength(1);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  }, 60_000);

  it("dedupe: one of concurrent claims of a delivery wins; an expired key can be taken again", async () => {
    const pools = [0, 1, 2].map(() => createPgPool(db.url, { max: 1 }));
    try {
      const sets = pools.map((p) => new PgDedupe(p));
      const first = await Promise.all(sets.map((s) => s.firstSeen("delivery:abc", 60_000)));
      expect(first.filter(Boolean)).toHaveLength(1);
      expect(await sets[0]!.firstSeen("delivery:short", 1)).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
      expect(await sets[1]!.firstSeen("delivery:short", 60_000)).toBe(true);
      expect(await sets[2]!.firstSeen("delivery:short", 60_000)).toBe(false);
      await sets[0]!.forget("delivery:abc");
      expect(await sets[2]!.firstSeen("delivery:abc", 60_000)).toBe(true);
      await db.pool.query("UPDATE dedupe SET expires_at = now() - interval '1 second' WHERE key = 'delivery:abc'");
      expect(await sets[0]!.purge()).toBeGreaterThanOrEqual(1);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  }, 60_000);

  it("openStores chooses PostgreSQL when INSIGHT_DATABASE_URL is set, files otherwise", async () => {
    const pgStores = await openStores(loadEnv({ INSIGHT_DATABASE_URL: db.url }), signingKeys({ INSIGHT_SIGNING_SECRET: "s".repeat(40) }));
    try {
      expect(pgStores).toMatchObject({ kind: "postgres", where: `${db.url}` });
      expect(pgStores.audit).toBeInstanceOf(PgAuditLog);
      expect(await pgStores.dedupe.firstSeen("open-stores", 60_000)).toBe(true);
      expect(await pgStores.fixStore.get("acme/api", 9)).toMatchObject({ state: { version: 41 } });
    } finally {
      await pgStores.close();
    }
    const fileStores = await openStores(loadEnv({ INSIGHT_DATA_DIR: "/tmp/insight-pgstore-files" }), signingKeys({}));
    expect(fileStores).toMatchObject({ kind: "files", where: "/tmp/insight-pgstore-files" });
    await fileStores.close();
  });

  it("`insight doctor` shows the database, its migrations, the audit chain and the outbox", async () => {
    await migrate(db.pool); // applied already when the whole file runs
    await db.pool.query("DELETE FROM audit_log");
    await db.pool.query(
      "INSERT INTO evomap_outbox (key, bundle, context, status, next_attempt_at) VALUES ('k1', '{}', '{}', 'waiting', now()), ('k2', '{}', '{}', 'dead', now())",
    );
    const r = await runInsight(["doctor", "--json"], { INSIGHT_DATABASE_URL: db.url, INSIGHT_SIGNING_SECRET: "s".repeat(40) });
    const checks = (JSON.parse(r.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks;
    const by = (name: string) => checks.find((c) => c.name === name);
    expect(by("database")).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/insight_pgstore_state: PostgreSQL \d+.*; 2\/2 migrations applied$/),
    });
    expect(by("audit log")).toMatchObject({ ok: true, detail: "in PostgreSQL: 0 entries, chain intact, checkpoints signed" });
    expect(by("outbox")).toMatchObject({ ok: false, detail: expect.stringContaining("1 waiting (1 due), 1 dead") });
    await db.pool.query("DELETE FROM schema_migrations");
    const behind = await runInsight(["doctor", "--json"], { INSIGHT_DATABASE_URL: db.url });
    expect(JSON.parse(behind.stdout).checks.find((c: { name: string }) => c.name === "database")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("2 migrations pending (0001_shared_state, 0002_history_index): run 'insight migrate'"),
    });
    // A replica refuses to start on a schema it does not know, and says what to run.
    await expect(openStores(loadEnv({ INSIGHT_DATABASE_URL: db.url }), signingKeys({}))).rejects.toThrow(
      /lacks 2 migrations \(0001_shared_state, 0002_history_index\): run 'insight migrate'/,
    );
  }, 120_000);
});

/** The real `insight` binary with only the variables given (and PATH). */
async function runInsight(args: string[], env: Record<string, string>) {
  const { execFile } = await import("node:child_process");
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [new URL("../../bin/insight.js", import.meta.url).pathname, ...args],
      { env: { PATH: process.env.PATH, INSIGHT_FROM_SOURCE: "1", ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
