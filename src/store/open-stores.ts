import { join } from "node:path";
import type pg from "pg";
import type { Logger } from "pino";
import { FileAuditLog } from "../audit/file-audit-log.js";
import type { SigningKeys } from "../audit/signing-key.js";
import type { AuditLog } from "../audit/types.js";
import { Outbox, type OutboxStore } from "../capsule/outbox.js";
import type { OperatorEnv } from "../config/env.js";
import { MemoryDedupe, type DedupeStore } from "../jobs/dedupe.js";
import { FileFixStore, type FixStateStore } from "../remediation/fix-store.js";
import { FileHistoryStore, type HistoryStore } from "../history/store.js";

/** The state that must be shared when several replicas and workers run: one of each, from one place. */
export type SharedStores = {
  /** `postgres` when INSIGHT_DATABASE_URL is set; else `files` under INSIGHT_DATA_DIR (one process). */
  kind: "postgres" | "files";
  /** Where, for logs and `insight doctor` (a URL without its password, or a directory). */
  where: string;
  audit: AuditLog;
  fixStore: FixStateStore;
  outbox: OutboxStore;
  dedupe: DedupeStore;
  /** The repository memory (src/history/). */
  history: HistoryStore;
  /** The PostgreSQL pool, when there is one (for `doctor` and tests). */
  pool?: pg.Pool;
  /** Signs the audit tail and ends the pool. */
  close(): Promise<void>;
};

/**
 * The one place that chooses where shared state lives. With INSIGHT_DATABASE_URL: PostgreSQL,
 * whose schema must be migrated (`insight migrate`) or this throws a message saying so. Without
 * it: files under INSIGHT_DATA_DIR as before, fit for one process.
 */
export async function openStores(
  env: OperatorEnv,
  keys: Pick<SigningKeys, "auditCheckpoint">,
  options: { log?: Pick<Logger, "warn"> } = {},
): Promise<SharedStores> {
  if (!env.INSIGHT_DATABASE_URL) {
    const audit = new FileAuditLog(env.auditPath, { checkpointKey: keys.auditCheckpoint });
    return {
      kind: "files",
      where: env.INSIGHT_DATA_DIR,
      audit,
      fixStore: new FileFixStore(join(env.INSIGHT_DATA_DIR, "fix-state.json")),
      outbox: new Outbox(join(env.INSIGHT_DATA_DIR, "outbox")),
      dedupe: new MemoryDedupe(),
      history: new FileHistoryStore(join(env.INSIGHT_DATA_DIR, "history")),
      close: () => audit.close(),
    };
  }
  return openPgStores(env.INSIGHT_DATABASE_URL, keys, options);
}

/** The PostgreSQL stores; `pg` and the stores are loaded only here, so a file-backed process starts without them. */
async function openPgStores(
  url: string,
  keys: Pick<SigningKeys, "auditCheckpoint">,
  options: { log?: Pick<Logger, "warn"> },
): Promise<SharedStores> {
  const [{ createPgPool, displayUrl }, { assertMigrated }, { PgAuditLog }, { PgFixStore }, { PgOutbox }, { PgDedupe }, { PgHistoryStore }] =
    await Promise.all([
      import("./pg/pool.js"),
      import("./pg/migrate.js"),
      import("./pg/audit-log.js"),
      import("./pg/fix-store.js"),
      import("./pg/outbox.js"),
      import("./pg/dedupe.js"),
      import("./pg/history-store.js"),
    ]);
  const pool = createPgPool(url, { log: options.log });
  try {
    await assertMigrated(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`PostgreSQL at ${displayUrl(url)}: ${(err as Error).message}`);
  }
  const audit = new PgAuditLog(pool, { checkpointKey: keys.auditCheckpoint });
  return {
    kind: "postgres",
    where: displayUrl(url),
    audit,
    fixStore: new PgFixStore(pool),
    outbox: new PgOutbox(pool),
    dedupe: new PgDedupe(pool),
    history: new PgHistoryStore(pool),
    pool,
    close: async () => {
      await audit.close();
      await pool.end();
    },
  };
}
