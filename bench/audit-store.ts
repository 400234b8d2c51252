// Audit append latency: the file log (one process) against the PostgreSQL chain (advisory lock,
// shared by replicas), in the same run, on the local PostgreSQL. Prints medians, p90 and the ratio.
// Run: nice -n 10 node --import tsx bench/audit-store.ts [appends=200]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { FileAuditLog } from "../src/audit/file-audit-log.js";
import type { AuditLog } from "../src/audit/types.js";
import { PgAuditLog } from "../src/store/pg/audit-log.js";
import { migrate } from "../src/store/pg/migrate.js";
import { createPgPool } from "../src/store/pg/pool.js";

const N = Number(process.argv[2] ?? 200);
const ADMIN = "postgres://postgres@127.0.0.1:5432/postgres";
const DB = "insight_pgstore_bench";
const key = Buffer.alloc(32, 3);

async function time(log: AuditLog): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    await log.append({
      actor: "bench",
      action: "comment.create",
      target: `acme/api#${i}`,
      delivery: `d-${i}`,
      reason: "bench",
      outcome: "ok",
      detail: { i },
    });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms.sort((a, b) => a - b);
}
const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DB}`);
const pool = createPgPool(`postgres://postgres@127.0.0.1:5432/${DB}`);
const dir = await mkdtemp(join(tmpdir(), "insight-bench-audit-"));
try {
  await migrate(pool);
  const file = new FileAuditLog(join(dir, "audit.jsonl"), { checkpointKey: key });
  const fileMs = await time(file);
  await file.close();
  const pgMs = await time(new PgAuditLog(pool, { checkpointKey: key }));
  console.log(`audit append, ${N} sequential appends each (checkpoint every 100), same run:`);
  console.log(`  file (fsync)      median ${q(fileMs, 0.5).toFixed(2)} ms  p90 ${q(fileMs, 0.9).toFixed(2)} ms`);
  console.log(`  PostgreSQL (lock) median ${q(pgMs, 0.5).toFixed(2)} ms  p90 ${q(pgMs, 0.9).toFixed(2)} ms`);
  console.log(`  ratio PostgreSQL / file (median): ${(q(pgMs, 0.5) / q(fileMs, 0.5)).toFixed(2)}×`);
} finally {
  await pool.end();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}
