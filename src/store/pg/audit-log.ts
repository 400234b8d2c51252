import type pg from "pg";
import { hashEntry, nextEntry, verifyChain, type VerifyOptions, type VerifyResult } from "../../audit/chain.js";
import { CHECKPOINT_ACTION, CHECKPOINT_EVERY, checkpointEntry, type AuditHead } from "../../audit/checkpoint.js";
import type { AuditEntry, AuditInput, AuditLog } from "../../audit/types.js";
import { LOCKS, withTransaction } from "./pool.js";

export type PgAuditLogOptions = {
  now?: () => Date;
  /** The operator's checkpoint key: a signed checkpoint follows every `checkpointEvery` entries, as in the file log. */
  checkpointKey?: Buffer;
  checkpointEvery?: number;
};

type Tail = { last?: AuditHead; since: number };

/**
 * The audit chain in PostgreSQL, shared by every replica and worker. An append takes a
 * transaction-scoped advisory lock, reads the tail, and inserts the next entry: one writer at a
 * time across processes, and a writer that dies mid-append releases the lock with its connection.
 * `seq` and `prev_hash` are unique besides, so even a writer that skipped the lock could not fork
 * the chain. Entries are the same JSON lines as the file log's, hashed, redacted and signed the same way.
 */
export class PgAuditLog implements AuditLog {
  readonly #pool: pg.Pool;
  readonly #o: PgAuditLogOptions & { now: () => Date; checkpointEvery: number };
  #verified: Promise<void> | undefined;

  constructor(pool: pg.Pool, options: PgAuditLogOptions = {}) {
    this.#pool = pool;
    this.#o = { ...options, now: options.now ?? (() => new Date()), checkpointEvery: options.checkpointEvery ?? CHECKPOINT_EVERY };
  }

  async append(input: AuditInput): Promise<AuditEntry> {
    await this.#verifyOnce();
    return withTransaction(this.#pool, async (client) => {
      const tail = await this.#lockTail(client);
      // A crash between an entry and its checkpoint leaves a full run unsigned: sign it first.
      if (tail.since >= this.#o.checkpointEvery) await this.#checkpoint(client, tail);
      const entry = nextEntry(input, tail.last, this.#o.now());
      await insert(client, entry);
      tail.last = { seq: entry.seq, hash: entry.hash };
      tail.since += 1;
      if (tail.since >= this.#o.checkpointEvery) await this.#checkpoint(client, tail);
      return entry;
    });
  }

  async head(): Promise<AuditHead | undefined> {
    const r = await this.#pool.query<{ seq: string; hash: string }>("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    const row = r.rows[0];
    return row && { seq: Number(row.seq), hash: row.hash };
  }

  /** Signs the unsigned tail, if any. The pool belongs to whoever opened the stores, who ends it. */
  async close(): Promise<void> {
    if (!this.#o.checkpointKey) return;
    await withTransaction(this.#pool, async (client) => {
      const tail = await this.#lockTail(client);
      if (tail.since > 0) await this.#checkpoint(client, tail);
    }).catch(() => undefined);
  }

  /** Like the file log, refuses to extend a chain that is already broken: every later entry would inherit the break. */
  #verifyOnce(): Promise<void> {
    this.#verified ??= verifyAuditDb(
      this.#pool,
      this.#o.checkpointKey ? { checkpointKey: this.#o.checkpointKey, checkpointEvery: this.#o.checkpointEvery } : {},
    ).then((result) => {
      if (!result.ok) throw new Error(`Audit log in PostgreSQL is damaged (${result.problem!.message}); run 'insight audit verify'`);
    });
    // A failed check (database down) is tried again on the next append.
    this.#verified.catch(() => (this.#verified = undefined));
    return this.#verified;
  }

  /** Takes the chain's lock (until this transaction ends) and reads its tail, checking the last entry was not edited. */
  async #lockTail(client: pg.PoolClient): Promise<Tail> {
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", LOCKS.audit);
    const r = await client.query<{ seq: string; hash: string; line: string }>(
      "SELECT seq, hash, line FROM audit_log ORDER BY seq DESC LIMIT 1",
    );
    const row = r.rows[0];
    if (!row) return { since: 0 };
    const { hash, ...rest } = JSON.parse(row.line) as AuditEntry;
    if (hash !== row.hash || hashEntry(rest) !== hash || rest.seq !== Number(row.seq)) {
      throw new Error(`Audit log in PostgreSQL is damaged (its last entry, seq ${row.seq}, was edited); run 'insight audit verify'`);
    }
    const last = { seq: Number(row.seq), hash };
    if (!this.#o.checkpointKey) return { last, since: 0 };
    const cp = await client.query<{ seq: string | null }>(`SELECT max(seq) AS seq FROM audit_log WHERE action = '${CHECKPOINT_ACTION}'`);
    return { last, since: last.seq - Number(cp.rows[0]?.seq ?? 0) };
  }

  async #checkpoint(client: pg.PoolClient, tail: Tail): Promise<void> {
    if (!this.#o.checkpointKey || !tail.last) return;
    const entry = checkpointEntry(tail.last, this.#o.checkpointKey, this.#o.checkpointEvery, this.#o.now());
    await insert(client, entry);
    tail.last = { seq: entry.seq, hash: entry.hash };
    tail.since = 0;
  }
}

async function insert(client: pg.PoolClient, entry: AuditEntry): Promise<void> {
  await client.query("INSERT INTO audit_log (seq, hash, prev_hash, action, line) VALUES ($1, $2, $3, $4, $5)", [
    entry.seq,
    entry.hash,
    entry.prevHash,
    entry.action,
    JSON.stringify(entry),
  ]);
}

/** Reads the whole chain from PostgreSQL, in sequence order, and verifies it as `insight audit verify` does a file. */
export async function verifyAuditDb(pool: pg.Pool, options: VerifyOptions = {}): Promise<VerifyResult> {
  const r = await pool.query<{ line: string }>("SELECT line FROM audit_log ORDER BY seq");
  return verifyChain(
    r.rows.map((row) => row.line),
    options,
  );
}
