import type pg from "pg";
import type { DedupeStore } from "../../jobs/dedupe.js";

/**
 * The dedupe set in PostgreSQL, shared by every replica: a key is taken by inserting it; a key
 * already there is taken again only once it has expired. Expired keys are purged now and then,
 * a bounded batch at a time.
 */
export class PgDedupe implements DedupeStore {
  #calls = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { purgeEvery?: number } = {},
  ) {}

  async firstSeen(key: string, ttlMs: number): Promise<boolean> {
    if (++this.#calls % (this.options.purgeEvery ?? 500) === 0) await this.purge();
    const r = await this.pool.query(
      `INSERT INTO dedupe (key, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE dedupe.expires_at <= now()`,
      [key, Math.max(1, Math.round(ttlMs))],
    );
    return r.rowCount === 1;
  }

  async forget(key: string): Promise<void> {
    await this.pool.query("DELETE FROM dedupe WHERE key = $1", [key]);
  }

  /** Deletes up to 10 000 expired keys; returns how many. */
  async purge(): Promise<number> {
    const r = await this.pool.query("DELETE FROM dedupe WHERE key IN (SELECT key FROM dedupe WHERE expires_at <= now() LIMIT 10000)");
    return r.rowCount ?? 0;
  }
}
