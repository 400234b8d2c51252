import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client as Pg } from "pg";
import { collector, services } from "../helpers/collect.js";

const DSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable";
const bin = (name: string) => join(process.cwd(), "node_modules", ".bin", name);

describe("PostgreSQL through real MCP servers", () => {
  let dir: string;
  const holders: Pg[] = [];
  let c: ReturnType<typeof collector>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-pg-"));
    await writeFile(
      join(dir, "dbhub.toml"),
      `[[sources]]\nid = "default"\ndsn = "${DSN}"\n\n[[tools]]\nname = "execute_sql"\nsource = "default"\nreadonly = true\n`,
    );
    const admin = new Pg({ connectionString: DSN });
    await admin.connect();
    await admin.query("DROP TABLE IF EXISTS insight_orders; CREATE TABLE insight_orders (id int primary key, total int)");
    await admin.query("INSERT INTO insight_orders SELECT g, g FROM generate_series(1, 5000) g; ANALYZE insight_orders");
    await admin.end();
    c = collector({
      dbhub: {
        command: bin("dbhub"),
        args: ["--transport", "stdio", "--config", join(dir, "dbhub.toml")],
        insight: { adapter: "postgres" },
      },
      pgserver: { command: bin("mcp-server-postgres"), args: [DSN.replace("?sslmode=disable", "")], insight: { adapter: "postgres" } },
    });
  }, 60_000);

  afterAll(async () => {
    await c?.pool.close();
    for (const h of holders) await h.end().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  const svc = () => services({ api: { postgres: { tables: ["insight_orders"] } } });

  it("detects both flavours and reads connections, database stats and table sizes", async () => {
    const result = await c.collect(svc());
    for (const source of ["dbhub", "pgserver"]) {
      const r = result.sources.find((s) => s.source === source)!;
      expect(r).toMatchObject({ status: "ok", flavour: source === "dbhub" ? "dbhub" : "server-postgres" });
      const byName = Object.fromEntries(r.signals.map((s) => [s.name, s]));
      expect(byName["pg.connections"]!.data).toMatchObject({ max_connections: expect.any(Number) });
      expect(byName["pg.database"]!.data).toMatchObject({ datname: "postgres" });
      expect(byName["pg.tables"]!.data!.tables).toEqual([expect.objectContaining({ table: "insight_orders", rows: 5000 })]);
    }
  }, 60_000);

  it("names a real lock chain: the blocked query, its blocker's pid and query", async () => {
    const blocker = new Pg({ connectionString: DSN });
    const waiter = new Pg({ connectionString: DSN });
    holders.push(blocker, waiter);
    await blocker.connect();
    await waiter.connect();
    const blockerPid = (await blocker.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
    // pg_stat_activity shows a session's last statement: the UPDATE that took the lock.
    await blocker.query("BEGIN; UPDATE insight_orders SET total = total + 1 WHERE id = 1");
    const waiting = waiter.query("UPDATE insight_orders SET total = 0 WHERE id = 1").catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const result = await c.collect(svc());
    const signal = result.sources.find((s) => s.source === "dbhub")!.signals.find((s) => s.name === "pg.blocked_queries")!;
    expect(signal.value).toBeGreaterThanOrEqual(1);
    const chain = (signal.data!.chains as Array<{ query: string; blockedBy: Array<{ pid: number; query: string }> }>).find((ch) =>
      ch.query.includes("SET total = 0"),
    )!;
    expect(chain.blockedBy).toEqual([
      expect.objectContaining({ pid: blockerPid, state: "idle in transaction", query: expect.stringContaining("SET total = total + 1") }),
    ]);
    await blocker.query("ROLLBACK");
    await waiting;
  }, 60_000);

  it("leaves the database untouched: dbhub refuses writes, and we never send any", async () => {
    const { SQL } = await import("../../src/signals/adapters/postgres/queries.js");
    for (const sql of Object.values(SQL).map((q) => (typeof q === "function" ? q(["insight_orders"]) : q))) {
      expect(sql.trimStart()).toMatch(/^SELECT/i);
      expect(sql).not.toMatch(/;\s*\S/);
    }
  });
});
