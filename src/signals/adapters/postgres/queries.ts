import { sqlLiteral } from "../../safe-values.js";

/**
 * The fixed, read-only statements Insight runs. Nothing from an issue, a PR or a model is ever
 * spliced in; the only values (table names from the repo config) pass the safe pattern first.
 * Every statement is a single SELECT, so read-only servers (dbhub --readonly) accept them and a
 * read-only role is enough.
 */
export const SQL = {
  connections: `SELECT count(*)::int AS total,
  count(*) FILTER (WHERE state = 'active')::int AS active,
  count(*) FILTER (WHERE state = 'idle in transaction')::int AS idle_in_transaction,
  count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting_on_locks,
  (SELECT setting::int FROM pg_settings WHERE name = 'max_connections') AS max_connections
FROM pg_stat_activity WHERE backend_type = 'client backend'`,

  /** Who holds the connections: one row per application, user, client address and state. */
  clients: `SELECT coalesce(nullif(application_name, ''), '(unnamed)') AS application_name, usename, coalesce(host(client_addr), 'local') AS client_addr,
  coalesce(state, 'unknown') AS state, count(*)::int AS n,
  round(max(extract(epoch FROM now() - xact_start))::numeric, 1)::float AS oldest_xact_s
FROM pg_stat_activity WHERE backend_type = 'client backend'
GROUP BY 1, 2, 3, 4 ORDER BY n DESC LIMIT 100`,

  blocked: `SELECT a.pid, a.datname, a.state, a.wait_event_type, a.wait_event,
  round(extract(epoch FROM now() - a.query_start)::numeric, 1)::float AS waiting_s,
  left(a.query, 300) AS query, pg_blocking_pids(a.pid) AS blocked_by
FROM pg_stat_activity a
WHERE cardinality(pg_blocking_pids(a.pid)) > 0
ORDER BY a.query_start LIMIT 50`,

  blockers: `SELECT b.pid, b.datname, b.state, left(b.query, 300) AS query,
  round(extract(epoch FROM now() - coalesce(b.xact_start, b.query_start))::numeric, 1)::float AS xact_age_s
FROM pg_stat_activity b
WHERE b.pid IN (SELECT unnest(pg_blocking_pids(pid)) FROM pg_stat_activity)
LIMIT 50`,

  longRunning: `SELECT pid, datname, state, round(extract(epoch FROM now() - query_start)::numeric, 1)::float AS running_s,
  left(query, 300) AS query
FROM pg_stat_activity
WHERE backend_type = 'client backend' AND state <> 'idle' AND pid <> pg_backend_pid()
  AND query_start < now() - interval '30 seconds'
ORDER BY query_start LIMIT 20`,

  database: `SELECT datname, deadlocks::int, temp_files::int, temp_bytes::float8 AS temp_bytes, xact_commit::float8, xact_rollback::float8,
  blks_hit::float8, blks_read::float8
FROM pg_stat_database WHERE datname = current_database()`,

  hasStatements: `SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_stat_statements'`,

  /**
   * Cumulative per-statement counters (since the last reset), the busiest by calls and by time, with
   * the server's clock: two reads give calls per second and mean time between them.
   */
  statements: `SELECT queryid::text AS queryid, calls::float8, round(total_exec_time::numeric, 1)::float AS total_ms,
  round(mean_exec_time::numeric, 2)::float AS mean_ms, rows::float8, left(query, 300) AS query,
  userid::regrole::text AS usename, now() AS read_at
FROM pg_stat_statements
WHERE queryid IN (SELECT queryid FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25)
   OR queryid IN (SELECT queryid FROM pg_stat_statements ORDER BY calls DESC LIMIT 25)
ORDER BY total_exec_time DESC LIMIT 50`,

  /** The same, read again a moment later (its own text: a job's cache answers a repeated query from the first reading). */
  get statementsAgain() {
    return `${this.statements}\n/* second reading */`;
  },

  /** When pg_stat_statements' counters were last reset (PostgreSQL 14+): the start of the "before" average. */
  statementsReset: `SELECT stats_reset FROM pg_stat_statements_info`,

  /** Server-side CPU and IO wait, where the pg_proctab/system_stats extensions are absent: sessions waiting on IO now. */
  waits: `SELECT coalesce(wait_event_type, 'CPU') AS wait_event_type, count(*)::int AS n
FROM pg_stat_activity WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()
GROUP BY 1 ORDER BY n DESC`,

  replication: `SELECT application_name, state, round(extract(epoch FROM replay_lag)::numeric, 1)::float AS replay_lag_s FROM pg_stat_replication
UNION ALL
SELECT 'this standby', 'replaying', round(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::numeric, 1)::float
WHERE pg_is_in_recovery()`,

  tables: (names: string[]) => `SELECT relname AS table, n_live_tup::float8 AS rows, pg_total_relation_size(relid)::float8 AS bytes,
  seq_scan::float8, coalesce(idx_scan, 0)::float8 AS idx_scan, (n_tup_ins + n_tup_upd + n_tup_del)::float8 AS writes
FROM pg_stat_user_tables
${names.length ? `WHERE relname IN (${names.map((n) => sqlLiteral(n, "table name")).join(", ")})` : ""}
ORDER BY pg_total_relation_size(relid) DESC LIMIT 20`,
} as const;
