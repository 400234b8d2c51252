import pg from "pg";
import type { Logger } from "pino";

/** The bounds every connection of Insight's pool runs under. */
export type PgPoolOptions = {
  /** Connections at most in this process (default 5: a replica needs few, PostgreSQL's slots are shared). */
  max?: number;
  /** Longest wait for a connection, from the pool or from the server (default 5 s). */
  connectionTimeoutMs?: number;
  /** Longest a statement may run on the server (default 10 s). */
  statementTimeoutMs?: number;
  /** A session idle inside a transaction this long is ended by the server (default 30 s), so a hung process cannot hold a lock. */
  idleInTransactionMs?: number;
  log?: Pick<Logger, "warn">;
};

/**
 * A bounded pool over `INSIGHT_DATABASE_URL`: few connections, a connection timeout, and
 * server-side statement and idle-in-transaction timeouts, so a slow or stuck database slows
 * Insight down but never hangs it. An idle connection that dies is logged, not thrown.
 */
export function createPgPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const statementTimeout = options.statementTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 5,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeout,
    // The client gives up a little after the server would have: a network cut cannot hang a query.
    query_timeout: statementTimeout + 5_000,
    idle_in_transaction_session_timeout: options.idleInTransactionMs ?? 30_000,
    application_name: "devops-insight",
  });
  pool.on("error", (err) => options.log?.warn({ error: err.message }, "PostgreSQL connection lost while idle"));
  return pool;
}

/** Runs `fn` in one transaction on one connection: committed when it returns, rolled back when it throws. */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  isolation: "read committed" | "serializable" = "read committed",
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation === "serializable" ? "SERIALIZABLE" : "READ COMMITTED"}`);
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Advisory lock keys (pairs of int4), one per thing that has a single writer at a time across
 * every replica. The first number is Insight's namespace, so they cannot meet another app's locks.
 */
export const LOCKS: Record<"migrate" | "audit", [number, number]> = { migrate: [0x1e5, 1], audit: [0x1e5, 2] };

/** A URL without its password, for messages. */
export function displayUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(unparsable URL)";
  }
}
