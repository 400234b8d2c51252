// Separate processes for the PostgreSQL store tests.
//   audit <url> <count> <name>: appends `count` entries to the shared chain (signed with the test key) and closes it.
//   outbox <url> <hub> <identity file> <lease ms> [<barrier dir> <name>]: drains the shared EvoMap outbox until
//   nothing waits, then exits; with a barrier, writes <dir>/ready-<name> and starts when <dir>/go exists.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { A2AClient } from "../../src/capsule/a2a-client.js";
import { NodeIdentityStore } from "../../src/capsule/node-identity.js";
import { CapsulePublisher } from "../../src/capsule/publisher.js";
import { PgAuditLog } from "../../src/store/pg/audit-log.js";
import { PgOutbox } from "../../src/store/pg/outbox.js";
import { createPgPool } from "../../src/store/pg/pool.js";
import { TEST_CHECKPOINT_KEY } from "./pg-database.js";

const [mode, url, ...rest] = process.argv.slice(2);
const pool = createPgPool(url!, { max: 2, connectionTimeoutMs: 30_000, statementTimeoutMs: 60_000 });

if (mode === "audit") {
  const [count, name] = rest;
  const log = new PgAuditLog(pool, { checkpointKey: TEST_CHECKPOINT_KEY, checkpointEvery: 7 });
  for (let i = 0; i < Number(count); i++) {
    await log.append({
      actor: name!,
      action: "comment.create",
      target: `acme/api#${i}`,
      delivery: `${name}-${i}`,
      reason: "concurrency test",
      outcome: "ok",
      detail: { i },
    });
  }
  await log.close();
  process.stdout.write(`${name}: ${count} appended\n`);
}

if (mode === "outbox") {
  const [hubUrl, identityFile, leaseMs, barrier, name] = rest;
  const outbox = new PgOutbox(pool, { leaseMs: Number(leaseMs) });
  const client = new A2AClient({ hubUrl: hubUrl!, identity: new NodeIdentityStore(identityFile!), timeoutMs: 60_000 });
  const audit = new PgAuditLog(pool, { checkpointKey: TEST_CHECKPOINT_KEY });
  const publisher = new CapsulePublisher({ client, outbox, audit, log: { info: () => {}, warn: () => {} }, drainBatch: 2 });
  process.stdout.write(`ready ${outbox.owner}\n`);
  if (barrier) {
    writeFileSync(join(barrier, `ready-${name}`), outbox.owner);
    while (!existsSync(join(barrier, "go"))) await new Promise((r) => setTimeout(r, 20));
  }
  let decided = 0;
  for (;;) {
    decided += (await publisher.drain()).filter((d) => d.outcome.status === "decided").length;
    if ((await outbox.depth(Date.now())).waiting === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await audit.close();
  process.stdout.write(`decided ${decided}\n`);
}
await pool.end();
