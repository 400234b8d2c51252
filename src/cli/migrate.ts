import { loadEnv } from "../config/env.js";
import { loadMigrations, migrate as applyMigrations, migrationName, migrationStatus } from "../store/pg/migrate.js";
import { createPgPool, displayUrl } from "../store/pg/pool.js";
import type { Cli } from "./output.js";

/**
 * `insight migrate [--status]`: applies the pending migrations to INSIGHT_DATABASE_URL and names
 * each one applied (safe to run from several replicas at once, and again: the second run applies
 * nothing); `--status` lists applied and pending ones and changes nothing. Exit 1 when a migration
 * fails or (with --status) some are pending or were edited; 2 without a database.
 */
export async function migrate(options: { status?: boolean }, cli: Cli): Promise<number> {
  const env = loadEnv(cli.env);
  if (!env.INSIGHT_DATABASE_URL) {
    cli.err(
      "insight migrate: INSIGHT_DATABASE_URL is not set: without a database, state lives in files under INSIGHT_DATA_DIR and needs no migration",
    );
    return 2;
  }
  const where = displayUrl(env.INSIGHT_DATABASE_URL);
  const pool = createPgPool(env.INSIGHT_DATABASE_URL);
  try {
    const migrations = await loadMigrations();
    if (options.status) {
      const states = await migrationStatus(pool, migrations);
      cli.out(`${where}:`);
      for (const s of states)
        cli.out(
          `  ${s.applied ? (s.changed ? "⚠️ edited " : "applied  ") : "pending  "} ${migrationName(s)}${s.applied ? ` (${s.applied})` : ""}: ${s.description}`,
        );
      const pending = states.filter((s) => !s.applied).length;
      const edited = states.filter((s) => s.changed).length;
      cli.out(
        pending || edited
          ? `${pending} pending${edited ? `, ${edited} edited after being applied` : ""}: run 'insight migrate'`
          : "up to date",
      );
      return pending || edited ? 1 : 0;
    }
    const applied = await applyMigrations(pool, { migrations });
    for (const m of applied) cli.out(`applied ${migrationName(m)}: ${m.description}`);
    cli.out(
      applied.length
        ? `${where}: ${applied.length} migration${applied.length === 1 ? "" : "s"} applied, up to date`
        : `${where}: already up to date (${migrations.length} migrations)`,
    );
    return 0;
  } catch (e) {
    cli.err(`❌ ${where}: ${(e as Error).message}`);
    return 1;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
