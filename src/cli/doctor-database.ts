import { verifyAuditDb } from "../store/pg/audit-log.js";
import { migrationName, migrationStatus } from "../store/pg/migrate.js";
import { PgOutbox } from "../store/pg/outbox.js";
import { createPgPool, displayUrl } from "../store/pg/pool.js";
import type { Check } from "./doctor.js";

/**
 * With INSIGHT_DATABASE_URL: the database (reachable, server version), its migrations (applied,
 * pending, edited), the audit chain it holds, and the EvoMap outbox's depth and dead rows.
 */
export async function databaseChecks(url: string, options: { auditKey?: Buffer } = {}): Promise<Check[]> {
  const where = displayUrl(url);
  const pool = createPgPool(url, { max: 1, connectionTimeoutMs: 5_000, statementTimeoutMs: 30_000 });
  try {
    let version: string;
    try {
      version = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    } catch (e) {
      return [{ name: "database", ok: false, detail: `${where}: unreachable (${(e as Error).message})` }];
    }
    const states = await migrationStatus(pool);
    const pending = states.filter((s) => !s.applied);
    const edited = states.filter((s) => s.changed);
    const problems = [
      pending.length &&
        `${pending.length} migration${pending.length === 1 ? "" : "s"} pending (${pending.map(migrationName).join(", ")}): run 'insight migrate'`,
      edited.length && `${edited.map(migrationName).join(", ")} edited after being applied`,
    ].filter(Boolean);
    const database: Check = {
      name: "database",
      ok: problems.length === 0,
      detail: `${where}: PostgreSQL ${version}; ${states.length - pending.length}/${states.length} migrations applied${problems.length ? `; ${problems.join("; ")}` : ""}`,
    };
    if (pending.length) return [database];
    const chain = await verifyAuditDb(pool, options.auditKey ? { checkpointKey: options.auditKey, requireCheckpoint: true } : {});
    const audit: Check = chain.ok
      ? {
          name: "audit log",
          ok: true,
          detail: `in PostgreSQL: ${chain.entries} entries, chain intact${options.auditKey ? ", checkpoints signed" : ""}`,
        }
      : { name: "audit log", ok: false, detail: `in PostgreSQL: ${chain.problem!.message}` };
    const depth = await new PgOutbox(pool).depth(Date.now());
    const outbox: Check = {
      name: "outbox",
      ok: depth.dead === 0,
      detail: `EvoMap outbox in PostgreSQL: ${depth.waiting} waiting (${depth.due} due), ${depth.dead} dead${depth.dead ? " (the hub never decided them: see evomap_outbox rows with status 'dead')" : ""}`,
    };
    return [database, audit, outbox];
  } catch (e) {
    return [{ name: "database", ok: false, detail: `${where}: ${(e as Error).message}` }];
  } finally {
    await pool.end().catch(() => undefined);
  }
}
