import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { migrate } from "../../src/store/pg/migrate.js";
import { createPgPool } from "../../src/store/pg/pool.js";

/** The checkpoint key the test processes sign the shared audit chain with. */
export const TEST_CHECKPOINT_KEY = Buffer.alloc(32, 7);

const ADMIN = "postgres://postgres@127.0.0.1:5432/postgres";
const run = promisify(execFile);

/** A database of this test file's own on the local PostgreSQL (dropped first if a crashed run left it), and how to drop it. */
export async function freshDatabase(name: string, options: { migrated?: boolean } = {}) {
  if (!/^insight_pgstore_[a-z0-9_]+$/.test(name)) throw new Error(`test database name ${name} must be insight_pgstore_<x>`);
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  const pool = createPgPool(url, { max: 8, statementTimeoutMs: 60_000, connectionTimeoutMs: 30_000 });
  if (options.migrated) await migrate(pool);
  return {
    url,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      const c = new pg.Client({ connectionString: ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
    },
  };
}

const CHILD = new URL("./pg-child.ts", import.meta.url).pathname;

/** Runs test/helpers/pg-child.ts in its own node process (tsx), resolving with its exit code and output. */
export async function pgChild(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", CHILD, ...args], {
      env: { PATH: process.env.PATH, ...env },
      timeout: timeoutMs,
    });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, output: `${x.stdout}${x.stderr}` };
  }
}
