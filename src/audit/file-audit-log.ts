import { mkdir, open, readFile, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { nextEntry, verifyChain } from "./chain.js";
import type { AuditEntry, AuditInput, AuditLog } from "./types.js";

/**
 * Append-only JSONL audit log, hash-chained and fsync'd after each entry. Appends within one
 * process are serialised through a promise chain, so concurrent writers never interleave lines or
 * fork the chain. (Several processes share an audit log through PostgreSQL, not this file.)
 */
export class FileAuditLog implements AuditLog {
  readonly path: string;
  #handle: FileHandle | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #last: { seq: number; hash: string } | undefined;
  #now: () => Date;

  constructor(path: string, options: { now?: () => Date } = {}) {
    this.path = path;
    this.#now = options.now ?? (() => new Date());
  }

  append(input: AuditInput): Promise<AuditEntry> {
    const next = this.#tail.then(() => this.#write(input));
    // Keep the chain alive after a failed append; the caller still sees the failure.
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.#tail;
    await this.#handle?.close();
    this.#handle = undefined;
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
      const result = verifyChain(existing.split("\n"));
      if (!result.ok) {
        throw new Error(`Audit log ${this.path} is damaged (${result.problem!.message}); run 'insight audit verify'`);
      }
      if (result.entries > 0) this.#last = { seq: result.entries, hash: result.lastHash };
    }
    this.#handle = await open(this.path, "a", 0o600);
    return this.#handle;
  }

  async #write(input: AuditInput): Promise<AuditEntry> {
    const handle = await this.#open();
    const entry = nextEntry(input, this.#last, this.#now());
    await handle.write(`${JSON.stringify(entry)}\n`);
    await handle.datasync();
    this.#last = entry;
    return entry;
  }
}

/** In-memory audit log with the same chaining, for dry runs of the CLI and for tests. */
export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];

  async append(input: AuditInput): Promise<AuditEntry> {
    const entry = nextEntry(input, this.entries.at(-1), new Date());
    this.entries.push(entry);
    return entry;
  }

  async close(): Promise<void> {}
}

/** Reads and verifies an audit log file. */
export async function verifyAuditFile(path: string) {
  const text = await readFile(path, "utf8");
  return verifyChain(text.split("\n"));
}
