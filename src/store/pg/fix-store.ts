import type pg from "pg";
import type { FixRecord, FixStateStore } from "../../remediation/fix-store.js";

/**
 * Fix state in PostgreSQL: the same three calls as the file store, safe across processes. A write
 * is a compare-and-set on the record's version (an INSERT that must not conflict for a new
 * record, an UPDATE guarded by the expected version otherwise), so of two writers one wins and the
 * other re-reads. A comment is claimed by inserting its key: the primary key lets one claim win.
 */
export class PgFixStore implements FixStateStore {
  constructor(private readonly pool: pg.Pool) {}

  async get(repo: string, pull: number): Promise<FixRecord | undefined> {
    const r = await this.pool.query<{ record: string }>("SELECT record FROM fix_state WHERE repo = $1 AND pull = $2", [repo, pull]);
    return r.rows[0] && (JSON.parse(r.rows[0].record) as FixRecord);
  }

  async put(record: FixRecord, expected: number | undefined): Promise<boolean> {
    const args = [record.repo, record.pull, record.state.version, JSON.stringify(record)];
    const r =
      expected === undefined
        ? await this.pool.query(
            "INSERT INTO fix_state (repo, pull, version, record) VALUES ($1, $2, $3, $4) ON CONFLICT (repo, pull) DO NOTHING",
            args,
          )
        : await this.pool.query(
            "UPDATE fix_state SET version = $3, record = $4, updated_at = now() WHERE repo = $1 AND pull = $2 AND version = $5",
            [...args, expected],
          );
    return r.rowCount === 1;
  }

  async claimComment(repo: string, commentId: number): Promise<boolean> {
    const r = await this.pool.query("INSERT INTO fix_comment_claims (repo, comment_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
      repo,
      commentId,
    ]);
    return r.rowCount === 1;
  }
}
