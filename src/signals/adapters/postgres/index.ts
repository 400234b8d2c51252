import type { Signal } from "../../types.js";
import { num } from "../shared.js";
import type { Adapter } from "../types.js";
import { FLAVOURS, type Row } from "./dialects.js";
import { SQL } from "./queries.js";

/**
 * PostgreSQL: connections against max_connections, blocked queries with their blocking chains,
 * long-running queries, deadlocks and temp files, top statements (pg_stat_statements), replication
 * lag, and table sizes and row counts for migration risk.
 */
export const postgresAdapter: Adapter = {
  kind: "postgres",
  flavours: FLAVOURS,
  async collect(ctx) {
    const { run } = ctx.flavour as (typeof FLAVOURS)[number];
    const usedBy = ctx.services.filter((s) => s.config.postgres).map((s) => s.name);
    const tables = [...new Set(ctx.services.flatMap((s) => s.config.postgres?.tables ?? []))];
    const read = (label: string, sql: string) => ctx.attempt(label, async () => (await run(ctx.client, sql)).slice(0, ctx.limits.rows));
    const [connections, blocked, blockers, long, database, hasStatements, replication, tableRows] = await Promise.all([
      read("connections", SQL.connections),
      read("blocked queries", SQL.blocked),
      read("blocking sessions", SQL.blockers),
      read("long-running queries", SQL.longRunning),
      read("database statistics", SQL.database),
      read("pg_stat_statements check", SQL.hasStatements),
      read("replication", SQL.replication),
      read("table sizes", SQL.tables(tables)),
    ]);
    const statements = num(hasStatements?.[0]?.n) ? await read("top statements", SQL.statements) : undefined;
    if (hasStatements && !num(hasStatements[0]?.n)) ctx.note("pg_stat_statements is not installed: no per-statement timings");
    // A database used by one service is that service's; a shared one belongs to none.
    const base = { source: ctx.source, adapter: "postgres" as const, service: usedBy.length === 1 ? usedBy[0] : undefined, data: { usedBy } };
    const signals: Signal[] = [];
    const push = (s: Omit<Signal, "source" | "adapter">) => signals.push({ ...base, ...s, data: { ...base.data, ...s.data } });

    const c = connections?.[0];
    if (c) {
      const total = num(c.total) ?? 0;
      const max = num(c.max_connections);
      push({ id: `${ctx.source}:pg:connections`, kind: "metric", name: "pg.connections", value: total, unit: "connections", query: SQL.connections, data: { ...c, usage: max ? total / max : undefined } });
    }
    if (blocked) {
      push({ id: `${ctx.source}:pg:blocked`, kind: "event", name: "pg.blocked_queries", value: blocked.length, query: SQL.blocked, data: { blocked, blockers: blockers ?? [], chains: chains(blocked, blockers ?? []) } });
    }
    if (long) push({ id: `${ctx.source}:pg:long-running`, kind: "event", name: "pg.long_running_queries", value: long.length, query: SQL.longRunning, data: { queries: long } });
    const db = database?.[0];
    if (db) {
      const hits = num(db.blks_hit) ?? 0;
      const reads = num(db.blks_read) ?? 0;
      push({ id: `${ctx.source}:pg:database`, kind: "state", name: "pg.database", value: num(db.deadlocks), query: SQL.database, data: { ...db, cacheHitRatio: hits + reads > 0 ? hits / (hits + reads) : undefined } });
    }
    if (statements) push({ id: `${ctx.source}:pg:top-statements`, kind: "state", name: "pg.top_statements", value: statements.length, query: SQL.statements, data: { statements } });
    if (replication) {
      const lags = replication.map((r) => num(r.replay_lag_s)).filter((n): n is number => n !== undefined);
      push({ id: `${ctx.source}:pg:replication`, kind: "metric", name: "pg.replication_lag", value: lags.length ? Math.max(...lags) : 0, unit: "s", query: SQL.replication, data: { replicas: replication } });
    }
    if (tableRows) push({ id: `${ctx.source}:pg:tables`, kind: "state", name: "pg.tables", value: tableRows.length, query: SQL.tables(tables), data: { tables: tableRows } });
    return signals;
  },
};

/** Each blocked session with the sessions (and their queries) that block it. */
function chains(blocked: Row[], blockers: Row[]) {
  const byPid = new Map([...blockers, ...blocked].map((r) => [num(r.pid), r]));
  return blocked.map((b) => {
    const ids = (Array.isArray(b.blocked_by) ? b.blocked_by : String(b.blocked_by ?? "").replace(/[{}]/g, "").split(",")).map(num).filter((n): n is number => n !== undefined);
    return {
      pid: num(b.pid),
      waiting_s: num(b.waiting_s),
      query: b.query,
      blockedBy: ids.map((pid) => ({ pid, state: byPid.get(pid)?.state, query: byPid.get(pid)?.query, xact_age_s: num(byPid.get(pid)?.xact_age_s) })),
    };
  });
}
