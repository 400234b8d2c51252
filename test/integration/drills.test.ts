import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client as Pg } from "pg";
import { analyseIncident } from "../../src/analysis/rca.js";
import { collector, services } from "../helpers/collect.js";

const DSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable";

/**
 * Incident drills: cause a real fault on the local PostgreSQL, read it through the real dbhub MCP
 * server, and check that the RCA engine names it.
 */
describe("incident drills on the local PostgreSQL through dbhub", () => {
  let dir: string;
  let c: ReturnType<typeof collector>;
  const clients: Pg[] = [];
  let sleeper: Promise<unknown>;
  const sleepStarted = Date.now();

  const connect = async () => {
    const pg = new Pg({ connectionString: DSN });
    await pg.connect();
    clients.push(pg);
    return pg;
  };
  const rca = async () => {
    const result = await c.collect(services({ api: { postgres: { tables: ["insight_drill"] } } }), 30);
    const window = { from: Date.now() - 30 * 60_000, to: Date.now() };
    return analyseIncident({ signals: result.signals, window, changes: [], edges: [] });
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-drill-"));
    await writeFile(
      join(dir, "dbhub.toml"),
      `[[sources]]\nid = "default"\ndsn = "${DSN}"\n\n[[tools]]\nname = "execute_sql"\nsource = "default"\nreadonly = true\n`,
    );
    c = collector({
      db: {
        command: join(process.cwd(), "node_modules/.bin/dbhub"),
        args: ["--transport", "stdio", "--config", join(dir, "dbhub.toml")],
        insight: { adapter: "postgres" },
      },
    });
    const admin = await connect();
    await admin.query(
      "DROP TABLE IF EXISTS insight_drill; CREATE TABLE insight_drill (id int primary key, v int); INSERT INTO insight_drill VALUES (1, 0)",
    );
    // A slow query for the last drill; it must run past the 30 s "long-running" mark.
    sleeper = (await connect()).query("SELECT pg_sleep(34) /* insight drill: slow report */").catch(() => undefined);
  }, 60_000);

  afterAll(async () => {
    await c?.pool.close();
    await Promise.all(clients.map((p) => p.end().catch(() => undefined)));
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("names lock contention with the blocking pid and its statement", async () => {
    const blocker = await connect();
    const waiter = await connect();
    const pid = (await blocker.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
    await blocker.query("BEGIN; UPDATE insight_drill SET v = v + 1 WHERE id = 1");
    const waiting = waiter.query("UPDATE insight_drill SET v = 42 WHERE id = 1").catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    const result = await rca();
    const h = result.hypotheses.find((x) => x.title === "Lock contention in PostgreSQL")!;
    expect(h).toBeDefined();
    expect(result.hypotheses.indexOf(h)).toBeLessThanOrEqual(1);
    expect(h.reasons[0]).toMatch(
      new RegExp(`on pid ${pid} \\(idle in transaction: (BEGIN; )?UPDATE insight_drill SET v = v \\+ 1 WHERE id = 1\\)`),
    );
    await blocker.query("ROLLBACK");
    await waiting;
  }, 60_000);

  it("names connection exhaustion when the pool is nearly full", async () => {
    const admin = clients[0]!;
    const max = Number((await admin.query("SHOW max_connections")).rows[0].max_connections);
    const used = Number((await admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'")).rows[0].n);
    const target = Math.ceil(max * 0.93);
    const opened: Pg[] = [];
    for (let i = used; i < target; i++) opened.push(await connect());
    const result = await rca();
    expect(result.hypotheses[0]).toMatchObject({ title: "PostgreSQL connections exhausted", category: "dependency" });
    expect(result.hypotheses[0]!.reasons[0]).toMatch(new RegExp(`^\\d+ of ${max} connections in use`));
    await Promise.all(opened.map((p) => p.end()));
    clients.splice(clients.length - opened.length, opened.length);
  }, 120_000);

  it("names slow queries, with the statement", async () => {
    await new Promise((r) => setTimeout(r, Math.max(0, 31_500 - (Date.now() - sleepStarted))));
    const result = await rca();
    const h = result.hypotheses.find((x) => x.title === "Slow queries in PostgreSQL");
    expect(h).toBeDefined();
    const signal = (await c.collect(services({ api: {} }), 30)).signals.find((s) => s.name === "pg.long_running_queries")!;
    expect(JSON.stringify(signal.data)).toContain("pg_sleep(34) /* insight drill: slow report */");
    await sleeper;
  }, 90_000);
});
