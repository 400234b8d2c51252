import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import { Outbox, type OutboxContext, type OutboxEntry, type OutboxStore } from "../../capsule/outbox.js";
import type { Bundle } from "../../capsule/schemas.js";

type Row = {
  key: string;
  bundle: string;
  context: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
};

const toEntry = (r: Row): OutboxEntry => ({
  key: r.key,
  createdAt: r.created_at.toISOString(),
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at.getTime(),
  ...(r.last_error ? { lastError: r.last_error } : {}),
  bundle: JSON.parse(r.bundle) as Bundle,
  context: JSON.parse(r.context) as OutboxContext,
});

const ts = (ms: number) => new Date(ms).toISOString();

/**
 * The EvoMap outbox in PostgreSQL, drained by any number of processes. A claim locks the rows it
 * takes with FOR UPDATE SKIP LOCKED (two publishers never wait on, nor take, the same row) and
 * leases them to this publisher: a publisher killed mid-attempt leaves its rows claimable again
 * when the lease ends. Decided rows stay, with the hub's decision; given-up rows stay as `dead`.
 * Nothing is deleted.
 */
export class PgOutbox implements OutboxStore {
  /** Who holds a claim: host, process and a random part (a pid can be reused). */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { leaseMs?: number } = {},
  ) {}

  get #lease(): number {
    // Longer than one attempt can take (two hub calls of 15 s, a 10 s rate-limit wait, a hello).
    return this.options.leaseMs ?? 5 * 60_000;
  }

  async put(bundle: Bundle, context: OutboxContext, now = Date.now()): Promise<OutboxEntry> {
    const key = Outbox.keyOf(bundle);
    await this.pool.query(
      "INSERT INTO evomap_outbox (key, bundle, context, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (key) DO NOTHING",
      [key, JSON.stringify(bundle), JSON.stringify(context), ts(now)],
    );
    const r = await this.pool.query<Row>("SELECT * FROM evomap_outbox WHERE key = $1", [key]);
    return toEntry(r.rows[0]!);
  }

  async claim(key: string, now: number): Promise<OutboxEntry | undefined> {
    // This publisher's own claim is renewed; another's only once its lease has ended.
    const r = await this.pool.query<Row>(
      `UPDATE evomap_outbox SET claimed_by = $2, lease_until = $4, updated_at = now()
       WHERE key = (SELECT key FROM evomap_outbox WHERE key = $1 AND status = 'waiting' AND (lease_until IS NULL OR lease_until <= $3 OR claimed_by = $2) FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [key, this.owner, ts(now), ts(now + this.#lease)],
    );
    return r.rows[0] && toEntry(r.rows[0]);
  }

  async claimDue(now: number, limit: number): Promise<OutboxEntry[]> {
    const r = await this.pool.query<Row>(
      `UPDATE evomap_outbox SET claimed_by = $1, lease_until = $3, updated_at = now()
       WHERE key IN (
         SELECT key FROM evomap_outbox
         WHERE status = 'waiting' AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
         ORDER BY next_attempt_at, key LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [this.owner, ts(now), ts(now + this.#lease), limit],
    );
    return r.rows.map(toEntry).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.key.localeCompare(b.key));
  }

  async decided(entry: OutboxEntry, decision: string): Promise<void> {
    await this.pool.query(
      "UPDATE evomap_outbox SET status = 'decided', decision = $2, attempts = $3, last_error = NULL, claimed_by = NULL, lease_until = NULL, updated_at = now() WHERE key = $1 AND status = 'waiting'",
      [entry.key, decision, entry.attempts],
    );
  }

  async defer(entry: OutboxEntry, dead: boolean): Promise<void> {
    // Only while this publisher still holds the claim: after a lost lease, the new holder's record wins.
    await this.pool.query(
      "UPDATE evomap_outbox SET status = $2, attempts = $3, next_attempt_at = $4, last_error = $5, claimed_by = NULL, lease_until = NULL, updated_at = now() WHERE key = $1 AND status = 'waiting' AND claimed_by = $6",
      [entry.key, dead ? "dead" : "waiting", entry.attempts, ts(entry.nextAttemptAt), entry.lastError?.slice(0, 2_000) ?? null, this.owner],
    );
  }

  async list(): Promise<OutboxEntry[]> {
    const r = await this.pool.query<Row>("SELECT * FROM evomap_outbox WHERE status = 'waiting' ORDER BY created_at, key LIMIT 1000");
    return r.rows.map(toEntry);
  }

  async depth(now: number): Promise<{ waiting: number; due: number; dead: number }> {
    const r = await this.pool.query<{ waiting: string; due: string; dead: string }>(
      "SELECT count(*) FILTER (WHERE status = 'waiting') AS waiting, count(*) FILTER (WHERE status = 'waiting' AND next_attempt_at <= $1) AS due, count(*) FILTER (WHERE status = 'dead') AS dead FROM evomap_outbox",
      [ts(now)],
    );
    const row = r.rows[0]!;
    return { waiting: Number(row.waiting), due: Number(row.due), dead: Number(row.dead) };
  }
}
