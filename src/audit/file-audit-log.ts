import { mkdir, open, readFile, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { nextEntry, verifyChain, type VerifyOptions } from "./chain.js";
import { CHECKPOINT_EVERY, checkpointEntry, type AuditHead } from "./checkpoint.js";
import type { AuditEntry, AuditInput, AuditLog } from "./types.js";

export type FileAuditLogOptions = {
  now?: () => Date;
  /** The operator's checkpoint key: with it, a signed checkpoint follows every `checkpointEvery` entries and closes the log. */
  checkpointKey?: Buffer;
  checkpointEvery?: number;
};

/**
 * Append-only JSONL audit log, hash-chained and fsync'd after each entry. Appends within one
 * process are serialised through a promise chain, so concurrent writers never interleave lines or
 * fork the chain. (Several processes share an audit log through PostgreSQL, not this file.)
 */
export class FileAuditLog implements AuditLog {
  readonly path: string;
  #handle: FileHandle | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #last: AuditHead | undefined;
  #sinceCheckpoint = 0;
  #o: FileAuditLogOptions & { now: () => Date; checkpointEvery: number };

  constructor(path: string, options: FileAuditLogOptions = {}) {
    this.path = path;
    this.#o = { ...options, now: options.now ?? (() => new Date()), checkpointEvery: options.checkpointEvery ?? CHECKPOINT_EVERY };
  }

  append(input: AuditInput): Promise<AuditEntry> {
    return this.#serial(() => this.#write(input));
  }

  async head(): Promise<AuditHead | undefined> {
    return this.#serial(async () => {
      await this.#open();
      return this.#last && { ...this.#last };
    });
  }

  /** Signs the tail (when there is anything unsigned) and closes the file. */
  async close(): Promise<void> {
    await this.#serial(async () => {
      if (this.#handle && this.#sinceCheckpoint > 0) await this.#checkpoint();
    }).catch(() => undefined);
    await this.#tail;
    await this.#handle?.close();
    this.#handle = undefined;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn);
    // Keep the chain alive after a failed append; the caller still sees the failure.
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #open(): Promise<FileHandle> {
    if (this.#handle) return this.#handle;
    await mkdir(dirname(this.path), { recursive: true });
    const existing = await readFile(this.path, "utf8").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return "";
      throw err;
    });
    if (existing) {
      // Continue the chain from the last entry; refuse to extend a log that is already broken,
      // because every later entry would inherit the break.
      const options: VerifyOptions = this.#o.checkpointKey
        ? { checkpointKey: this.#o.checkpointKey, checkpointEvery: this.#o.checkpointEvery }
        : {};
      const result = verifyChain(existing.split("\n"), options);
      if (!result.ok) {
        throw new Error(`Audit log ${this.path} is damaged (${result.problem!.message}); run 'insight audit verify'`);
      }
      if (result.entries > 0) this.#last = { seq: result.entries, hash: result.lastHash };
      this.#sinceCheckpoint = result.sinceCheckpoint ?? 0;
    }
    this.#handle = await open(this.path, "a", 0o600);
    return this.#handle;
  }

  async #put(entry: AuditEntry): Promise<void> {
    const handle = await this.#open();
    await handle.write(`${JSON.stringify(entry)}\n`);
    await handle.datasync();
    this.#last = { seq: entry.seq, hash: entry.hash };
  }

  async #checkpoint(): Promise<void> {
    if (!this.#o.checkpointKey || !this.#last) return;
    await this.#put(checkpointEntry(this.#last, this.#o.checkpointKey, this.#o.checkpointEvery, this.#o.now()));
    this.#sinceCheckpoint = 0;
  }

  async #write(input: AuditInput): Promise<AuditEntry> {
    await this.#open();
    // A crash between an entry and its checkpoint leaves a full run unsigned: sign it first.
    if (this.#sinceCheckpoint >= this.#o.checkpointEvery) await this.#checkpoint();
    const entry = nextEntry(input, this.#last, this.#o.now());
    await this.#put(entry);
    this.#sinceCheckpoint += 1;
    if (this.#sinceCheckpoint >= this.#o.checkpointEvery) await this.#checkpoint();
    return entry;
  }
}

/** In-memory audit log with the same chaining, for dry runs of the CLI and for tests. */
export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];

  /** What happened: every entry but the intents written ahead of each write. */
  get outcomes(): AuditEntry[] {
    return this.entries.filter((e) => e.outcome !== "intent");
  }

  async append(input: AuditInput): Promise<AuditEntry> {
    const entry = nextEntry(input, this.entries.at(-1), new Date());
    this.entries.push(entry);
    return entry;
  }

  async head(): Promise<AuditHead | undefined> {
    const last = this.entries.at(-1);
    return last && { seq: last.seq, hash: last.hash };
  }

  async close(): Promise<void> {}
}

/** Reads and verifies an audit log file. */
export async function verifyAuditFile(path: string, options: VerifyOptions = {}) {
  const text = await readFile(path, "utf8");
  return verifyChain(text.split("\n"), options);
}
