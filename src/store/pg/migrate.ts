import { readdir } from "node:fs/promises";
import type pg from "pg";
import { sha256Hex } from "../../util/canonical-json.js";
import { LOCKS } from "./pool.js";

/** One file of `migrations/`: `NNNN_name.ts` exporting `up` (SQL) and a one-line `description`. */
export type Migration = { version: number; name: string; description: string; up: string; checksum: string };
export type MigrationState = { version: number; name: string; description: string; applied?: string; changed?: boolean };

const FILE = /^(\d{4})_([a-z0-9_]+)\.(ts|js)$/;
const DIR = new URL("./migrations/", import.meta.url);

/**
 * Every migration, in order. Adding one is one new file in `migrations/` (the next number):
 * it is found here, applied once by `insight migrate`, and never edited afterwards (its checksum
 * is recorded, and a changed file stops `migrate` with a message).
 */
export async function loadMigrations(dir: URL = DIR): Promise<Migration[]> {
  const byVersion = new Map<number, Migration>();
  for (const file of (await readdir(dir)).sort()) {
    const m = FILE.exec(file);
    if (!m) continue;
    const version = Number(m[1]);
    if (byVersion.has(version)) {
      if (byVersion.get(version)!.name === m[2]) continue; // the same migration as .ts and .js
      throw new Error(`two migrations share the number ${m[1]}: ${byVersion.get(version)!.name} and ${m[2]}`);
    }
    const mod = (await import(new URL(file, dir).href)) as { up?: unknown; description?: unknown };
    if (typeof mod.up !== "string" || !mod.up.trim()) throw new Error(`migration ${file} exports no 'up' SQL`);
    byVersion.set(version, {
      version,
      name: m[2]!,
      description: typeof mod.description === "string" ? mod.description : m[2]!,
      up: mod.up,
      checksum: sha256Hex(mod.up),
    });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

const TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function applied(client: pg.ClientBase): Promise<Map<number, { checksum: string; applied_at: Date }>> {
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!exists.rows[0]?.t) return new Map();
  const rows = await client.query<{ version: number; checksum: string; applied_at: Date }>(
    "SELECT version, checksum, applied_at FROM schema_migrations",
  );
  return new Map(rows.rows.map((r) => [r.version, r]));
}

/** Each migration, applied (when) or pending, and whether an applied one's file changed since. */
export async function migrationStatus(pool: pg.Pool, migrations?: Migration[]): Promise<MigrationState[]> {
  const all = migrations ?? (await loadMigrations());
  const client = await pool.connect();
  try {
    const done = await applied(client);
    return all.map((m) => {
      const row = done.get(m.version);
      return {
        version: m.version,
        name: m.name,
        description: m.description,
        ...(row ? { applied: row.applied_at.toISOString(), changed: row.checksum !== m.checksum } : {}),
      };
    });
  } finally {
    client.release();
  }
}

/**
 * Applies the pending migrations, each in its own transaction with its row in
 * `schema_migrations`. A session advisory lock makes replicas that migrate at once take turns:
 * the second finds nothing left to do. Idempotent; returns what this call applied.
 */
export async function migrate(pool: pg.Pool, options: { migrations?: Migration[]; lockTimeoutMs?: number } = {}): Promise<Migration[]> {
  const all = options.migrations ?? (await loadMigrations());
  const client = await pool.connect();
  const done: Migration[] = [];
  try {
    // Migrations may take longer than a request: this session's bounds are its own.
    await client.query(`SET statement_timeout = ${5 * 60_000}; SET lock_timeout = ${options.lockTimeoutMs ?? 120_000}`);
    await client.query("SELECT pg_advisory_lock($1, $2)", LOCKS.migrate);
    try {
      await client.query(TABLE);
      const before = await applied(client);
      for (const m of all) {
        const row = before.get(m.version);
        if (row && row.checksum !== m.checksum)
          throw new Error(`migration ${m.version} (${m.name}) was edited after it was applied: add a new migration instead`);
        if (row) continue;
        await client.query("BEGIN");
        try {
          await client.query(m.up);
          await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
            m.version,
            m.name,
            m.checksum,
          ]);
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
        }
        done.push(m);
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1, $2)", LOCKS.migrate).catch(() => undefined);
    }
  } finally {
    // This session's timeouts and lock are its own: end it rather than hand it back to the pool.
    client.release(true);
  }
  return done;
}

/** Throws a message naming `insight migrate` when the database lacks a migration this version needs. */
export async function assertMigrated(pool: pg.Pool): Promise<void> {
  const states = await migrationStatus(pool);
  const pending = states.filter((s) => !s.applied);
  if (pending.length) {
    throw new Error(
      `the database at INSIGHT_DATABASE_URL lacks ${pending.length} migration${pending.length === 1 ? "" : "s"} (${pending.map((p) => migrationName(p)).join(", ")}): run 'insight migrate'`,
    );
  }
}

/** `0001_shared_state`: a migration as its file is named. */
export const migrationName = (m: { version: number; name: string }) => `${String(m.version).padStart(4, "0")}_${m.name}`;
