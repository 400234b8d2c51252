import type { CatalogSignal } from "../../types.js";
import { isLive, num, pause, SAMPLE_MS } from "../shared.js";
import type { Adapter } from "../types.js";
import { FLAVOURS, type Row } from "./flavours.js";
import { SQL } from "./queries.js";
import { SIGNAL } from "../../catalog.js";

/**
 * PostgreSQL: connections against max_connections, blocked queries with their blocking chains,
 * long-running queries, deadlocks and temp files, top statements (pg_stat_statements), replication
 * lag, and table sizes and row counts for migration risk.
 */
export const postgresAdapter: Adapter = {
  id: "postgres",
  provides: ["db"],
  flavours: FLAVOURS,
  async collect(ctx) {
    const { run } = ctx.flavour as (typeof FLAVOURS)[number];
    const usedBy = ctx.services.filter((s) => s.config.postgres).map((s) => s.name);
    const tables = [...new Set(ctx.services.flatMap((s) => s.config.postgres?.tables ?? []))];
    const read = (label: string, sql: string) => ctx.attempt(label, async () => (await run(ctx.client, sql)).slice(0, ctx.limits.rows));
    const [connections, clients, blocked, blockers, long, database, hasStatements, replication, tableRows, waits] = await Promise.all([
      read("connections", SQL.connections),
      read("connections by application", SQL.clients),
      read("blocked queries", SQL.blocked),
      read("blocking sessions", SQL.blockers),
      read("long-running queries", SQL.longRunning),
      read("database statistics", SQL.database),
      read("pg_stat_statements check", SQL.hasStatements),
      read("replication", SQL.replication),
      read("table sizes", SQL.tables(tables)),
      read("active sessions by wait", SQL.waits),
    ]);
    const withStatements = !!num(hasStatements?.[0]?.n);
    const [first, reset] = withStatements
      ? await Promise.all([read("top statements", SQL.statements), read("pg_stat_statements reset time", SQL.statementsReset)])
      : [];
    // A live window: read the counters again a moment later, so their rate now is known without an earlier reading.
    const second =
      first && isLive(ctx.window)
        ? await pause(SAMPLE_MS).then(() => read("top statements (second reading)", SQL.statementsAgain))
        : undefined;
    const statements = second ?? first;
    if (hasStatements && !num(hasStatements[0]?.n)) ctx.note("pg_stat_statements is not installed: no per-statement timings");
    // A database used by one service is that service's; a shared one belongs to none.
    const base = {
      source: ctx.source,
      adapter: "postgres" as const,
      service: usedBy.length === 1 ? usedBy[0] : undefined,
      data: { usedBy },
    };
    const signals: CatalogSignal[] = [];
    const push = (s: Omit<CatalogSignal, "source" | "adapter">) => signals.push({ ...base, ...s, data: { ...base.data, ...s.data } });

    const c = connections?.[0];
    if (c) {
      const total = num(c.total) ?? 0;
      const max = num(c.max_connections);
      const byClient = clients
        ? holders(
            clients,
            ctx.services.map((x) => x.name),
          )
        : undefined;
      push({
        id: `${ctx.source}:pg:connections`,
        kind: "metric",
        name: SIGNAL.pgConnections,
        value: total,
        unit: "connections",
        query: SQL.connections,
        data: { ...c, usage: max ? total / max : undefined, ...(byClient ? { byClient } : {}) },
      });
    }
    if (blocked) {
      push({
        id: `${ctx.source}:pg:blocked`,
        kind: "event",
        name: SIGNAL.pgBlockedQueries,
        value: blocked.length,
        query: SQL.blocked,
        data: { blocked, blockers: blockers ?? [], chains: chains(blocked, blockers ?? []) },
      });
    }
    if (long)
      push({
        id: `${ctx.source}:pg:long-running`,
        kind: "event",
        name: SIGNAL.pgLongRunningQueries,
        value: long.length,
        query: SQL.longRunning,
        data: { queries: long },
      });
    const db = database?.[0];
    if (db) {
      const hits = num(db.blks_hit) ?? 0;
      const reads = num(db.blks_read) ?? 0;
      push({
        id: `${ctx.source}:pg:database`,
        kind: "state",
        name: SIGNAL.pgDatabase,
        value: num(db.deadlocks),
        query: SQL.database,
        data: { ...db, cacheHitRatio: hits + reads > 0 ? hits / (hits + reads) : undefined },
      });
    }
    if (statements) {
      // The server's clock when it answered (the window's end when the server does not say): two reads make a rate.
      const readAt = Date.parse(String(statements[0]?.read_at ?? "")) || ctx.window.to;
      const since = Date.parse(String(reset?.[0]?.stats_reset ?? "")) || undefined;
      const clean = (list: Row[]) =>
        list.map(({ read_at: _r, ...r }) => ({
          ...r,
          queryid: String(r.queryid ?? ""),
          calls: num(r.calls),
          total_ms: num(r.total_ms),
          mean_ms: num(r.mean_ms),
          rows: num(r.rows),
        }));
      const rows = clean(statements);
      const earlier =
        second && first
          ? { readAt: Date.parse(String(first[0]?.read_at ?? "")) || readAt - SAMPLE_MS, statements: clean(first) }
          : undefined;
      push({
        id: `${ctx.source}:pg:top-statements`,
        kind: "state",
        name: SIGNAL.pgTopStatements,
        value: rows.length,
        query: SQL.statements,
        data: { statements: rows, readAt, ...(since ? { since } : {}), ...(earlier ? { earlier } : {}) },
      });
    }
    if (waits?.length) {
      const active = waits.reduce((n, r) => n + (num(r.n) ?? 0), 0);
      const io = waits.filter((r) => r.wait_event_type === "IO").reduce((n, r) => n + (num(r.n) ?? 0), 0);
      push({
        id: `${ctx.source}:pg:active-waits`,
        kind: "metric",
        name: SIGNAL.pgActiveWaits,
        value: active,
        unit: "sessions",
        query: SQL.waits,
        data: { io, cpu: waits.find((r) => r.wait_event_type === "CPU")?.n ?? 0, byWait: waits },
      });
    }
    if (replication) {
      const lags = replication.map((r) => num(r.replay_lag_s)).filter((n): n is number => n !== undefined);
      push({
        id: `${ctx.source}:pg:replication`,
        kind: "metric",
        name: SIGNAL.pgReplicationLag,
        value: lags.length ? Math.max(...lags) : 0,
        unit: "s",
        query: SQL.replication,
        data: { replicas: replication },
      });
    }
    if (tableRows)
      push({
        id: `${ctx.source}:pg:tables`,
        kind: "state",
        name: SIGNAL.pgTables,
        value: tableRows.length,
        query: SQL.tables(tables),
        data: { tables: tableRows },
      });
    return signals;
  },
};

export type Holder = {
  application_name: string;
  usename: string;
  client_addr: string;
  total: number;
  active: number;
  idle_in_transaction: number;
  idle: number;
  oldest_xact_s?: number;
  /** The configured service the application name or the user names, when one does. */
  service?: string;
};

/** The service an application name or database user names: exactly, or as a word of it (`fulfilment-worker`). */
export function serviceOf(services: string[], ...names: Array<string | undefined>): string | undefined {
  for (const raw of names) {
    const name = (raw ?? "").toLowerCase();
    if (!name) continue;
    const exact = services.find((s) => s.toLowerCase() === name);
    if (exact) return exact;
    const word = services.find((s) =>
      new RegExp(`(^|[^a-z0-9])${s.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^a-z0-9])`).test(name),
    );
    if (word) return word;
  }
  return undefined;
}

/**
 * Connections per application, user and client address (one row per state from the server),
 * most idle-in-transaction first, then most connections: a leak points at the service holding it.
 */
export function holders(rows: Row[], services: string[] = []): Holder[] {
  const by = new Map<string, Holder>();
  for (const r of rows) {
    const key = [r.application_name, r.usename, r.client_addr].map((v) => String(v ?? "")).join("\u0000");
    const h = by.get(key) ?? {
      application_name: String(r.application_name ?? "(unnamed)"),
      usename: String(r.usename ?? ""),
      client_addr: String(r.client_addr ?? ""),
      total: 0,
      active: 0,
      idle_in_transaction: 0,
      idle: 0,
    };
    const n = num(r.n) ?? 0;
    const state = String(r.state ?? "");
    h.total += n;
    if (state === "active") h.active += n;
    else if (state.startsWith("idle in transaction")) h.idle_in_transaction += n;
    else if (state === "idle") h.idle += n;
    const age = num(r.oldest_xact_s);
    if (age !== undefined && state.startsWith("idle in transaction")) h.oldest_xact_s = Math.max(h.oldest_xact_s ?? 0, age);
    by.set(key, h);
  }
  for (const h of by.values()) {
    const service = serviceOf(services, h.application_name, h.usename);
    if (service) h.service = service;
  }
  return [...by.values()].sort((a, b) => b.idle_in_transaction - a.idle_in_transaction || b.total - a.total);
}

/** Each blocked session with the sessions (and their queries) that block it. */
function chains(blocked: Row[], blockers: Row[]) {
  const byPid = new Map([...blockers, ...blocked].map((r) => [num(r.pid), r]));
  return blocked.map((b) => {
    const ids = (
      Array.isArray(b.blocked_by)
        ? b.blocked_by
        : String(b.blocked_by ?? "")
            .replace(/[{}]/g, "")
            .split(",")
    )
      .map(num)
      .filter((n): n is number => n !== undefined);
    return {
      pid: num(b.pid),
      waiting_s: num(b.waiting_s),
      query: b.query,
      blockedBy: ids.map((pid) => ({
        pid,
        state: byPid.get(pid)?.state,
        query: byPid.get(pid)?.query,
        xact_age_s: num(byPid.get(pid)?.xact_age_s),
      })),
    };
  });
}
