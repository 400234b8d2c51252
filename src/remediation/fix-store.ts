import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { FixState, GitHubUser } from "./types.js";

/** What Insight knows of one fix PR it opened. `author` is the App's bot account, as GitHub answered the PR's creation. */
export type FixRecord = { repo: string; pull: number; branch: string; author: GitHubUser; state: FixState };

/**
 * Where fix state lives: written only by Insight, so nobody with write access to the repository
 * can add an approval, change the requester or move the bound commit. File-based here; a
 * PostgreSQL store implements the same three calls for several processes.
 */
export interface FixStateStore {
  /** The record of a fix PR; undefined when Insight never opened it. */
  get(repo: string, pull: number): Promise<FixRecord | undefined>;
  /**
   * Writes `record` when the stored version is `expected` (undefined: no record yet). False when
   * another writer got there first: the caller re-reads, it never overwrites.
   */
  put(record: FixRecord, expected: number | undefined): Promise<boolean>;
  /** Marks a comment as spent by a decision; true the first time only. */
  claimComment(repo: string, commentId: number): Promise<boolean>;
}

type Data = { fixes: Record<string, FixRecord>; comments: Record<string, true> };
const key = (repo: string, n: number) => `${repo}#${n}`;

/** In memory, for tests and dry runs; the file store below keeps the same data on disk. */
export class MemoryFixStore implements FixStateStore {
  protected data: Data = { fixes: {}, comments: {} };
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every earlier call: reads and compare-and-set writes never interleave. */
  protected serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  protected async load(): Promise<void> {}
  protected async save(): Promise<void> {}

  get(repo: string, pull: number): Promise<FixRecord | undefined> {
    return this.serial(async () => {
      await this.load();
      const r = this.data.fixes[key(repo, pull)];
      return r && structuredClone(r);
    });
  }

  put(record: FixRecord, expected: number | undefined): Promise<boolean> {
    return this.serial(async () => {
      await this.load();
      if (this.data.fixes[key(record.repo, record.pull)]?.state.version !== expected) return false;
      this.data.fixes[key(record.repo, record.pull)] = structuredClone(record);
      await this.save();
      return true;
    });
  }

  claimComment(repo: string, commentId: number): Promise<boolean> {
    return this.serial(async () => {
      await this.load();
      if (this.data.comments[key(repo, commentId)]) return false;
      this.data.comments[key(repo, commentId)] = true;
      await this.save();
      return true;
    });
  }
}

/** One JSON file, replaced atomically (write, then rename) on every change. One process only. */
export class FileFixStore extends MemoryFixStore {
  #loaded = false;

  constructor(readonly path: string) {
    super();
  }

  protected override async load(): Promise<void> {
    if (this.#loaded) return;
    const text = await readFile(this.path, "utf8").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      throw err;
    });
    if (text !== undefined) {
      const parsed = JSON.parse(text) as Partial<Data>;
      this.data = { fixes: parsed.fixes ?? {}, comments: parsed.comments ?? {} };
    }
    this.#loaded = true;
  }

  protected override async save(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.data), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
