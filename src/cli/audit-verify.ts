import { parseHead } from "../audit/checkpoint.js";
import { verifyAuditFile } from "../audit/file-audit-log.js";
import { signingKeys } from "../audit/signing-key.js";
import { loadEnv } from "../config/env.js";
import type { VerifyOptions, VerifyResult } from "../audit/chain.js";
import { verifyAuditDb } from "../store/pg/audit-log.js";
import { createPgPool, displayUrl } from "../store/pg/pool.js";
import type { Cli } from "./output.js";

/**
 * `insight audit verify [--file path] [--expect-head <seq:hash>]`: exit 0 when the chain is intact,
 * its checkpoints are signed with the operator's key and (when given) it still holds the head
 * seen earlier in `/health`; 1 with the first problem; 2 when it cannot check.
 */
export async function auditVerify(options: { file?: string; expectHead?: string; key?: Buffer }, cli: Cli): Promise<number> {
  let file = options.file;
  let key = options.key;
  let database: string | undefined;
  if (!file || !key) {
    const env = loadEnv(cli.env);
    // The store the server writes to: PostgreSQL when configured, unless a file is named.
    if (!file && env.INSIGHT_DATABASE_URL) database = env.INSIGHT_DATABASE_URL;
    file ??= env.auditPath;
    const keys = signingKeys(env);
    // A random key of this process could never match the server's: without a secret, skip the signatures and say so.
    if (keys.source === "ephemeral")
      cli.err("⚠️ no INSIGHT_SIGNING_SECRET (or PRIVATE_KEY / WEBHOOK_SECRET) in the environment: checkpoint signatures are not checked.");
    else key ??= keys.auditCheckpoint;
  }
  const expectHead = options.expectHead === undefined ? undefined : parseHead(options.expectHead);
  if (options.expectHead !== undefined && !expectHead) {
    cli.err(`❌ --expect-head must be <seq>:<sha256 hex> as /health shows it (e.g. 42:${"0".repeat(64)}), not "${options.expectHead}"`);
    return 2;
  }
  const verifyOptions: VerifyOptions = {
    ...(key ? { checkpointKey: key, requireCheckpoint: true } : {}),
    ...(expectHead ? { expectHead } : {}),
  };
  if (database) file = `PostgreSQL ${displayUrl(database)}`;
  let result: VerifyResult;
  try {
    result = database ? await verifyDatabase(database, verifyOptions) : await verifyAuditFile(cli.path(file), verifyOptions);
  } catch (e) {
    cli.err(`❌ cannot read audit log ${file}: ${(e as Error).message}`);
    return 2;
  }
  if (result.ok) {
    const head = expectHead ? `, holds the expected head seq ${expectHead.seq}` : "";
    cli.out(
      `✅ ${file}: ${result.entries} entries, chain intact${key ? ", checkpoints signed" : ""}${head} (last hash ${result.lastHash.slice(0, 12)}…)`,
    );
    reportUnfinished(result, cli);
    return 0;
  }
  const p = result.problem!;
  cli.err(`❌ ${file}: ${p.kind} at line ${p.line}: ${p.message}`);
  cli.err(`   ${result.entries} entries before it are intact.`);
  return 1;
}

async function verifyDatabase(url: string, options: VerifyOptions): Promise<VerifyResult> {
  // Reading a long chain may take longer than a request's bound.
  const pool = createPgPool(url, { max: 1, statementTimeoutMs: 5 * 60_000 });
  try {
    return await verifyAuditDb(pool, options);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * Writes sent with no outcome recorded: the process stopped between GitHub's answer and the audit
 * entry (or, while the server runs, the write is in flight). The chain is intact; what GitHub did
 * is to be checked there, so each is named with its target and delivery.
 */
function reportUnfinished(result: VerifyResult, cli: Cli): void {
  const open = result.unfinished ?? [];
  if (!open.length) return;
  cli.err(
    `⚠️ ${open.length} write${open.length === 1 ? "" : "s"} recorded as intended with no outcome after (the process stopped, or the write is in flight): check GitHub for`,
  );
  for (const w of open.slice(0, 20))
    cli.err(`   seq ${w.seq} ${w.time} ${w.action} ${w.target} (actor ${w.actor}, delivery ${w.delivery})`);
  if (open.length > 20) cli.err(`   … and ${open.length - 20} more`);
}
