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
import { PgHistoryStore } from "./pg/history-store.js";
import { FileHistoryStore, type HistoryStore } from "../history/store.js";
import { PgAuditLog } from "./pg/audit-log.js";
import { PgDedupe } from "./pg/dedupe.js";
import { PgFixStore } from "./pg/fix-store.js";
import { assertMigrated } from "./pg/migrate.js";
import { PgOutbox } from "./pg/outbox.js";
import { createPgPool, displayUrl } from "./pg/pool.js";

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
  const pool = createPgPool(env.INSIGHT_DATABASE_URL, { log: options.log });
  try {
    await assertMigrated(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`PostgreSQL at ${displayUrl(env.INSIGHT_DATABASE_URL)}: ${(err as Error).message}`);
  }
  const audit = new PgAuditLog(pool, { checkpointKey: keys.auditCheckpoint });
  return {
    kind: "postgres",
    where: displayUrl(env.INSIGHT_DATABASE_URL),
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
