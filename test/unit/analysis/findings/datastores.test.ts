import { describe, expect, it } from "@jest/globals";
import { datastoreAnomalies } from "../../../../src/analysis/findings/datastores.js";
import { normaliseSql, statementFindings } from "../../../../src/analysis/findings/postgres.js";
import { analyseIncident } from "../../../../src/analysis/rca.js";
import { touchesFromDiff } from "../../../../src/analysis/rca/touches.js";
import { holders } from "../../../../src/signals/adapters/postgres/index.js";
import type { Signal } from "../../../../src/signals/types.js";

const T0 = Date.parse("2026-05-01T10:00:00Z");
const window = { from: T0, to: T0 + 30 * 60_000 };
const sig = (name: string, data: Record<string, unknown>, extra: Partial<Signal> = {}): Signal => ({
  id: `db:${name}`,
  source: "db",
  adapter: "postgres",
  kind: "state",
  name,
  query: "q",
  data,
  ...extra,
});

type Stmt = { queryid: string; calls: number; total_ms: number; query: string; usename?: string };
const statements = (readAt: number, rows: Stmt[], since?: number) =>
  sig("pg.top_statements", { statements: rows, readAt, ...(since ? { since } : {}) });
const HOUR = 3600_000;
const items = "SELECT * FROM order_items WHERE order_id = $1";
const report = "SELECT c.id, sum(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.region = $1 GROUP BY c.id";

describe("pg_stat_statements deltas: calls per second and mean time, before versus during the window", () => {
  // Before: 24 h since the reset at 40 calls/s of 0.2 ms, and 2 calls/s of 4 ms.
  const before = statements(
    T0,
    [
      { queryid: "11", calls: 40 * 86_400, total_ms: 40 * 86_400 * 0.2, query: items, usename: "orders_app" },
      { queryid: "22", calls: 2 * 86_400, total_ms: 2 * 86_400 * 4, query: report },
    ],
    T0 - 24 * HOUR,
  );

  it("names an N+1 burst: the statement's calls per second ×20 at the same small mean time, with its caller", () => {
    const now = statements(
      T0 + 30 * 60_000,
      [
        {
          queryid: "11",
          calls: 40 * 86_400 + 800 * 1800,
          total_ms: 40 * 86_400 * 0.2 + 800 * 1800 * 0.21,
          query: items,
          usename: "orders_app",
        },
        { queryid: "22", calls: 2 * 86_400 + 2 * 1800, total_ms: 2 * 86_400 * 4 + 2 * 1800 * 4.1, query: report },
      ],
      T0 - 24 * HOUR,
    );
    const conns = sig("pg.connections", {
      byClient: holders(
        [{ application_name: "orders-api", usename: "orders_app", client_addr: "10.0.0.7", state: "active", n: 12 }],
        ["orders", "billing"],
      ),
    });
    const [f, ...rest] = statementFindings([now, conns], [before]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      kind: "n-plus-one",
      queryid: "11",
      tables: ["order_items"],
      callers: ["orders"],
      evidence: ["db:pg.top_statements"],
    });
    expect(f!.before.callsPerSec).toBeCloseTo(40, 5);
    expect(f!.during.callsPerSec).toBeCloseTo(800, 5);
    expect(f!.detail).toBe(
      "N+1 burst: `SELECT * FROM order_items WHERE order_id = $1` 40 → 800 calls/s (×20) at 0.21 ms each (issued by orders, user orders_app)",
    );
  });

  it("names a plan regression: mean time ×25 at a steady rate", () => {
    const now = statements(
      T0 + 30 * 60_000,
      [
        { queryid: "11", calls: 40 * 86_400 + 40 * 1800, total_ms: 40 * 86_400 * 0.2 + 40 * 1800 * 0.2, query: items },
        { queryid: "22", calls: 2 * 86_400 + 2 * 1800, total_ms: 2 * 86_400 * 4 + 2 * 1800 * 100, query: report },
      ],
      T0 - 24 * HOUR,
    );
    expect(statementFindings([now], [before]).map((f) => [f.kind, f.queryid, f.tables])).toEqual([
      ["plan-regression", "22", ["customers", "orders"]],
    ]);
    expect(statementFindings([now], [before])[0]!.detail).toMatch(
      /^plan regression: .* mean 4\.0 → 100\.0 ms per call \(×25\) over 3600 calls$/,
    );
  });

  it("judges nothing from one reading, a steady statement, or counters reset in between (a total is never a rate)", () => {
    const steady = statements(
      T0 + 30 * 60_000,
      [{ queryid: "11", calls: 40 * 86_400 + 40 * 1800, total_ms: 40 * 86_400 * 0.2 + 40 * 1800 * 0.2, query: items }],
      T0 - 24 * HOUR,
    );
    expect(statementFindings([steady], [before])).toEqual([]);
    expect(statementFindings([steady], [])).toEqual([]);
    const reset = statements(T0 + 30 * 60_000, [{ queryid: "11", calls: 9000, total_ms: 9000, query: items }], T0 + 10 * 60_000);
    expect(statementFindings([reset], [before])).toEqual([]);
  });

  it("with no reading as of the window's start, a live window's two readings a moment apart stand in (rate now against the average since the reset)", () => {
    const first = [{ queryid: "11", calls: 40 * 86_400, total_ms: 40 * 86_400 * 0.2, query: items }];
    const now = statements(
      T0 + 2000,
      [{ queryid: "11", calls: 40 * 86_400 + 1600, total_ms: 40 * 86_400 * 0.2 + 1600 * 0.2, query: items }],
      T0 - 24 * HOUR,
    );
    now.data!.earlier = { readAt: T0, statements: first };
    expect(statementFindings([now], []).map((f) => [f.kind, Math.round(f.during.callsPerSec), Math.round(f.before.callsPerSec)])).toEqual([
      ["n-plus-one", 800, 40],
    ]);
  });

  it("redacts, then masks literals and cuts the statement it names", () => {
    expect(normaliseSql("SELECT * FROM users WHERE email = 'a@b.co' AND id IN (1, 2, 3)  AND   token = 'ghp_" + "a".repeat(36) + "'")).toBe(
      "SELECT * FROM users WHERE email = $s AND id IN ($n, …) AND token = $s",
    );
    expect(normaliseSql("x".repeat(400)).length).toBe(160);
  });
});

describe("connections grouped by application, user and client address", () => {
  const rows = [
    {
      application_name: "fulfilment",
      usename: "fulfil_app",
      client_addr: "10.2.3.51",
      state: "idle in transaction",
      n: 137,
      oldest_xact_s: 2380.2,
    },
    { application_name: "fulfilment", usename: "fulfil_app", client_addr: "10.2.3.51", state: "active", n: 3 },
    { application_name: "orders", usename: "orders_app", client_addr: "10.2.1.14", state: "idle", n: 24 },
    { application_name: "PostgreSQL JDBC Driver", usename: "billing_rw", client_addr: "10.2.4.9", state: "idle in transaction", n: 2 },
  ];

  it("sums the states per holder, names its service, and puts the leak first", () => {
    const h = holders(rows, ["orders", "billing", "fulfilment"]);
    expect(h.map((x) => [x.application_name, x.service, x.total, x.idle_in_transaction, x.oldest_xact_s])).toEqual([
      ["fulfilment", "fulfilment", 140, 137, 2380.2],
      ["PostgreSQL JDBC Driver", "billing", 2, 2, undefined],
      ["orders", "orders", 24, 0, undefined],
    ]);
  });

  it("a leak held by one service is a finding naming it, and the chain roots it in that service's change", () => {
    const conns = sig(
      "pg.connections",
      {
        total: 197,
        max_connections: 200,
        usage: 0.985,
        idle_in_transaction: 139,
        byClient: holders(rows, ["orders", "billing", "fulfilment"]),
      },
      { kind: "metric", value: 197 },
    );
    const [leak] = datastoreAnomalies([conns], [], window);
    expect(leak).toMatchObject({ kind: "datastore", service: "fulfilment", callers: ["fulfilment"] });
    expect(leak!.detail).toBe(
      "137 PostgreSQL connections idle in transaction held by fulfilment (application_name fulfilment, user fulfil_app, from 10.2.3.51), the oldest open for 40 min: a transaction that is never committed or rolled back",
    );
    const change = {
      id: "#6311",
      kind: "pr" as const,
      title: "fulfilment: ask a second carrier",
      at: T0 - HOUR,
      services: ["fulfilment"],
      files: ["services/fulfilment/src/db.ts"],
      changeKinds: ["code" as const],
    };
    const other = { ...change, id: "#6318", title: "orders: paginate", services: ["orders"], files: ["services/orders/src/h.ts"] };
    const rca = analyseIncident({ signals: [conns], window, changes: [other, change], edges: [] });
    expect(rca.hypotheses[0]!.suspect?.id).toBe("#6311");
    expect(rca.hypotheses[0]!.reasons.join(" ")).toMatch(/fulfilment, the application holding the idle-in-transaction connections/);
  });
});

describe("counters are rates", () => {
  const memory = sig(
    "redis.memory_used",
    { usage: 0.99, policy: "allkeys-lru" },
    { id: "r:redis:memory_used", source: "r", adapter: "redis" },
  );
  const evicted = (value: number) =>
    sig("redis.evicted_keys", {}, { id: "r:redis:evicted_keys", source: "r", adapter: "redis", kind: "metric", value });

  it("a large evicted_keys total that did not grow is no eviction storm; the same total reached in the window is one", () => {
    expect(datastoreAnomalies([evicted(1_250_000), memory], [evicted(1_250_000)], window)).toEqual([]);
    expect(datastoreAnomalies([evicted(1_250_000), memory], [], window)).toEqual([]);
    const [storm] = datastoreAnomalies([evicted(1_250_000), memory], [evicted(0)], window);
    expect(storm).toMatchObject({ kind: "cache-evictions", evidence: ["r:redis:evicted_keys", "r:redis:memory_used"] });
    expect(storm!.detail).toBe(
      "Redis evicting 694 keys/s in the window (evicted_keys grew), memory at 99% of maxmemory, policy allkeys-lru",
    );
  });

  it("in a live window, the adapter's two readings a moment apart give the rate now", () => {
    const live = sig(
      "redis.evicted_keys",
      { perSecondNow: 350 },
      { id: "r:redis:evicted_keys", source: "r", adapter: "redis", kind: "metric", value: 1_250_000 },
    );
    expect(datastoreAnomalies([live, memory], [], window)[0]!.detail).toBe(
      "Redis evicting 350 keys/s in the window (evicted_keys grew between two readings now), memory at 99% of maxmemory, policy allkeys-lru",
    );
    const calm = sig(
      "redis.evicted_keys",
      { perSecondNow: 0 },
      { id: "r:redis:evicted_keys", source: "r", adapter: "redis", kind: "metric", value: 1_250_000 },
    );
    expect(datastoreAnomalies([calm, memory], [], window)).toEqual([]);
  });

  it("PostgreSQL deadlocks and rollbacks are counted by their growth in the window, never their totals", () => {
    const db = (deadlocks: number, xact_rollback: number, xact_commit: number) =>
      sig("pg.database", { deadlocks, xact_rollback, xact_commit });
    expect(datastoreAnomalies([db(412, 9_000_000, 48_000_000)], [db(412, 8_999_990, 47_999_000)], window)).toEqual([]);
    expect(datastoreAnomalies([db(415, 9_000_600, 48_000_000)], [db(412, 9_000_000, 47_999_000)], window).map((a) => a.detail)).toEqual([
      "3 PostgreSQL deadlocks in the window (pg_stat_database.deadlocks 412 → 415)",
      "38% of PostgreSQL transactions rolled back in the window (600 of 1600)",
    ]);
  });

  it("Elasticsearch thread-pool rejections are judged by their rate series, not the rejected total", () => {
    const rejected = (points: Array<[number, number]>) =>
      sig(
        "es.thread_pool_rejected",
        { pool: "write" },
        { adapter: "prometheus", kind: "metric", value: 88_000, series: [{ labels: {}, points }] },
      );
    expect(
      datastoreAnomalies(
        [
          rejected([
            [T0 + 60_000, 0],
            [T0 + 120_000, 0],
          ]),
        ],
        [],
        window,
      ),
    ).toEqual([]);
    expect(
      datastoreAnomalies(
        [
          rejected([
            [T0 + 60_000, 0],
            [T0 + 120_000, 42],
          ]),
        ],
        [],
        window,
      )[0]!.detail,
    ).toBe("Elasticsearch rejecting 42 requests/s on thread pool write (queue full)");
  });
});

describe("Neo4j and Elasticsearch state", () => {
  it("names the longest Neo4j transaction and a database not online", () => {
    const txs = sig(
      "neo4j.long_transactions",
      {
        transactions: [
          {
            transactionId: "neo4j-transaction-42",
            query: "MATCH (a)-[*]->(b) WHERE a.id = 7 RETURN b",
            elapsedMs: 600_000,
            status: "Running",
          },
          { transactionId: "neo4j-transaction-43", elapsedMs: 40_000 },
        ],
      },
      { adapter: "neo4j", value: 2 },
    );
    const dbs = sig("neo4j.databases", { notOnline: ["graph"] }, { adapter: "neo4j", value: 1 });
    expect(datastoreAnomalies([txs, dbs], [], window).map((a) => a.detail)).toEqual([
      "2 Neo4j transactions running over 30 s; the longest neo4j-transaction-42 for 600 s (Running): `MATCH (a)-[*]->(b) WHERE a.id = $n RETURN b`",
      "Neo4j database not online: graph",
    ]);
  });

  it("names a red cluster with its unassigned shards and indices; green says nothing", () => {
    const health = (status: string) =>
      sig(
        "es.cluster_health",
        {
          status,
          unassignedShards: 3,
          indices: [
            { index: "orders-2026.05", health: "red" },
            { index: "logs-app", health: "green" },
          ],
        },
        { adapter: "elasticsearch" },
      );
    expect(datastoreAnomalies([health("red")], [], window).map((a) => [a.detail, a.severity])).toEqual([
      ["Elasticsearch cluster red: 3 unassigned shards (orders-2026.05 missing a primary)", 0.85],
    ]);
    expect(datastoreAnomalies([health("green")], [], window)).toEqual([]);
  });
});

describe("a lock's blocking statement found in a recent change's migration", () => {
  it("the chain's root is the migration that runs the blocking statement, and says so", () => {
    const patch =
      "--- /dev/null\n+++ b/db/migrations/20261124_0930_idx.sql\n@@\n+CREATE INDEX idx_invoices_customer ON invoices (customer_id);\n";
    const touches = touchesFromDiff([{ path: "db/migrations/20261124_0930_idx.sql", patch }]);
    expect(touches).toEqual([expect.objectContaining({ kind: "migration", table: "invoices", op: "create_index", locking: true })]);
    const blocked = sig(
      "pg.blocked_queries",
      {
        chains: [
          {
            pid: 12,
            waiting_s: 40,
            query: "INSERT INTO invoices (customer_id) VALUES ($1)",
            blockedBy: [{ pid: 50991, state: "active", query: "CREATE INDEX idx_invoices_customer ON invoices (customer_id);" }],
          },
        ],
      },
      { kind: "event", value: 1 },
    );
    const change = {
      id: "#6501",
      kind: "pr" as const,
      title: "billing: index invoices",
      at: T0 - 5 * 60_000,
      services: ["billing"],
      files: ["db/migrations/20261124_0930_idx.sql"],
      changeKinds: ["migration" as const],
      touches,
    };
    const [top] = analyseIncident({ signals: [blocked], window, changes: [change], edges: [] }).hypotheses;
    expect(top!.suspect?.id).toBe("#6501");
    expect(top!.reasons).toContain(
      "the blocking statement is its migration's `CREATE INDEX idx_invoices_customer ON invoices` (20261124_0930_idx.sql), on `invoices`, the locked table",
    );
  });
});
