import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MAX_CHANGES, MAX_INCIDENTS, emptyHistory, type RepoHistory } from "./types.js";

/** Where the repository memory lives: a file per repository, or PostgreSQL when the operator has one. */
export interface HistoryStore {
  load(repo: string): Promise<RepoHistory | undefined>;
  /** Reads, changes and writes one repository's index with no other update in between. */
  update(repo: string, change: (doc: RepoHistory) => RepoHistory | Promise<RepoHistory>): Promise<RepoHistory>;
  /** Every indexed repository and how far its build has come (for `insight doctor`). */
  list(): Promise<Array<Pick<RepoHistory, "repo" | "build"> & { incidents: number; changes: number }>>;
}

/** Keeps the newest records within the bounds, sorted oldest first. */
export function bounded(doc: RepoHistory): RepoHistory {
  const changes = [...doc.changes].sort((a, b) => a.at - b.at).slice(-MAX_CHANGES);
  const incidents = [...doc.incidents].sort((a, b) => a.openedAt - b.openedAt).slice(-MAX_INCIDENTS);
  return { ...doc, changes, incidents, failedDeployments: doc.failedDeployments.slice(-500) };
}

const REPO = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\/[A-Za-z0-9_.][A-Za-z0-9_.-]{0,99}$/;
const fileName = (repo: string) => {
  if (!REPO.test(repo)) throw new Error(`not a repository name: ${JSON.stringify(repo)}`);
  return `${repo.replace("/", "__")}.json`;
};

/** One JSON file per repository under a folder; writes are atomic (temp file, then rename) and serialised per repository. */
export class FileHistoryStore implements HistoryStore {
  readonly #locks = new Map<string, Promise<unknown>>();
  constructor(private readonly dir: string) {}

  async load(repo: string): Promise<RepoHistory | undefined> {
    const path = join(this.dir, fileName(repo));
    try {
      return JSON.parse(await readFile(path, "utf8")) as RepoHistory;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new Error(`history index of ${repo} is unreadable: ${(e as Error).message}`);
    }
  }

  update(repo: string, change: (doc: RepoHistory) => RepoHistory | Promise<RepoHistory>): Promise<RepoHistory> {
    const run = async () => {
      const next = bounded(await change((await this.load(repo)) ?? emptyHistory(repo)));
      await mkdir(this.dir, { recursive: true });
      const path = join(this.dir, fileName(repo));
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, JSON.stringify(next));
      await rename(tmp, path);
      return next;
    };
    const previous = this.#locks.get(repo) ?? Promise.resolve();
    const result = previous.then(run, run);
    this.#locks.set(
      repo,
      result.catch(() => undefined),
    );
    return result;
  }

  async list() {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out = [];
    for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
      const doc = await this.load(name.slice(0, -5).replace("__", "/")).catch(() => undefined);
      if (doc) out.push({ repo: doc.repo, build: doc.build, incidents: doc.incidents.length, changes: doc.changes.length });
    }
    return out;
  }
}

/** The same in memory (tests, the bench). */
export class MemoryHistoryStore implements HistoryStore {
  readonly docs = new Map<string, RepoHistory>();
  async load(repo: string) {
    const d = this.docs.get(repo);
    return d && structuredClone(d);
  }
  async update(repo: string, change: (doc: RepoHistory) => RepoHistory | Promise<RepoHistory>) {
    const next = bounded(await change((await this.load(repo)) ?? emptyHistory(repo)));
    this.docs.set(repo, structuredClone(next));
    return next;
  }
  async list() {
    return [...this.docs.values()].map((d) => ({ repo: d.repo, build: d.build, incidents: d.incidents.length, changes: d.changes.length }));
  }
}
