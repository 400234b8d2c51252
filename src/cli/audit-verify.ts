import { verifyAuditFile } from "../audit/file-audit-log.js";
import { loadEnv } from "../config/env.js";
import { err, out } from "./output.js";

/** `insight audit verify [--file path]`: exit 0 when the chain is intact, 1 with the first problem. */
export async function auditVerify(options: { file?: string }): Promise<number> {
  const file = options.file ?? loadEnv(process.env).auditPath;
  let result;
  try {
    result = await verifyAuditFile(file);
  } catch (e) {
    err(`❌ cannot read audit log ${file}: ${(e as Error).message}`);
    return 2;
  }
  if (result.ok) {
    out(`✅ ${file}: ${result.entries} entries, chain intact (last hash ${result.lastHash.slice(0, 12)}…)`);
    return 0;
  }
  const p = result.problem!;
  err(`❌ ${file}: ${p.kind} at line ${p.line}: ${p.message}`);
  err(`   ${result.entries} entries before it are intact.`);
  return 1;
}
