// A separate process for the PostgreSQL store tests: `audit <url> <count> <name>` appends `count`
// entries to the shared chain, signed with the test key, and closes the log.
import { PgAuditLog } from "../../src/store/pg/audit-log.js";
import { createPgPool } from "../../src/store/pg/pool.js";
import { TEST_CHECKPOINT_KEY } from "./pg-database.js";

const [mode, url, ...rest] = process.argv.slice(2);
if (mode === "audit") {
  const [count, name] = rest;
  const pool = createPgPool(url!, { max: 2, connectionTimeoutMs: 30_000, statementTimeoutMs: 60_000 });
  const log = new PgAuditLog(pool, { checkpointKey: TEST_CHECKPOINT_KEY, checkpointEvery: 7 });
  for (let i = 0; i < Number(count); i++) {
    await log.append({ actor: name!, action: "comment.create", target: `acme/api#${i}`, delivery: `${name}-${i}`, reason: "concurrency test", outcome: "ok", detail: { i } });
  }
  await log.close();
  await pool.end();
  process.stdout.write(`${name}: ${count} appended\n`);
}
