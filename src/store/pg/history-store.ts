import type pg from "pg";
import { withTransaction } from "./pool.js";
import { bounded, type HistoryStore } from "../../history/store.js";
import { emptyHistory, type RepoHistory } from "../../history/types.js";

/**
 * The repository memory in PostgreSQL (table `history_index`, migration 0002): one document per
 * repository. An update locks the repository's row (SELECT … FOR UPDATE in a transaction), so
 * workers in several processes merge into the index one after another and none is lost.
 */
export class PgHistoryStore implements HistoryStore {
  constructor(private readonly pool: pg.Pool) {}

  async load(repo: string): Promise<RepoHistory | undefined> {
    const r = await this.pool.query<{ doc: RepoHistory }>("SELECT doc FROM history_index WHERE repo = $1", [repo]);
    return r.rows[0]?.doc;
  }

  update(repo: string, change: (doc: RepoHistory) => RepoHistory | Promise<RepoHistory>): Promise<RepoHistory> {
    return withTransaction(this.pool, async (client) => {
      await client.query("INSERT INTO history_index (repo, doc) VALUES ($1, $2) ON CONFLICT (repo) DO NOTHING", [
        repo,
        JSON.stringify(emptyHistory(repo)),
      ]);
      const r = await client.query<{ doc: RepoHistory }>("SELECT doc FROM history_index WHERE repo = $1 FOR UPDATE", [repo]);
      const next = bounded(await change(r.rows[0]!.doc));
      await client.query("UPDATE history_index SET doc = $2, updated_at = now() WHERE repo = $1", [repo, JSON.stringify(next)]);
      return next;
    });
  }

  async list() {
    const r = await this.pool.query<{ repo: string; build: RepoHistory["build"] | null; changes: number; incidents: number }>(
      "SELECT repo, doc->'build' AS build, jsonb_array_length(doc->'changes') AS changes, jsonb_array_length(doc->'incidents') AS incidents FROM history_index ORDER BY repo",
    );
    return r.rows.map((x) => ({ repo: x.repo, ...(x.build ? { build: x.build } : {}), changes: x.changes, incidents: x.incidents }));
  }
}
