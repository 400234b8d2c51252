import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { sha256Hex } from "../util/canonical-json.js";
import type { Bundle } from "./schemas.js";

/** Where a bundle came from, so its outcome can be told on the right incident later. */
export type OutboxContext = {
  installationId: number;
  repo: { owner: string; repo: string };
  /** The issue that hears of the decision: the incident, or the health report for a warning. */
  incident: number;
  /** The fix PR it came from; 0 for a warning capsule. */
  pull: number;
};
export type OutboxEntry = {
  key: string;
  createdAt: string;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  bundle: Bundle;
  context: OutboxContext;
};

/**
 * Where bundles wait for the hub: files here (one process), PostgreSQL for several
 * (src/store/pg/outbox.ts). An attempt starts with a claim, so that of several publishers only
 * one sends a given bundle at a time, and ends with `decided` or `defer`.
 */
export interface OutboxStore {
  /** Stores the bundle before any attempt (once per key: the stored entry when it is already there). */
  put(bundle: Bundle, context: OutboxContext, now?: number): Promise<OutboxEntry>;
  /** Takes one entry for an attempt now, due or not; undefined when it is decided, given up, or another publisher holds it. */
  claim(key: string, now: number): Promise<OutboxEntry | undefined>;
  /** Takes up to `limit` entries that are due, oldest first. */
  claimDue(now: number, limit: number): Promise<OutboxEntry[]>;
  /** The hub decided: the entry leaves the queue (`decision` is kept where the store keeps history). */
  decided(entry: OutboxEntry, decision: string): Promise<void>;
  /** No decision: kept for another attempt at `entry.nextAttemptAt`, or (`dead`) set aside for an operator, never deleted. */
  defer(entry: OutboxEntry, dead: boolean): Promise<void>;
  /** Entries waiting for an attempt, oldest first. */
  list(): Promise<OutboxEntry[]>;
  /** How many wait, how many of them are due, how many were given up. */
  depth(now: number): Promise<{ waiting: number; due: number; dead: number }>;
}

/**
 * Bundles waiting for the hub's decision, one file each, written (fsync'd, renamed) before the
 * first attempt and removed only once the hub has decided: a bundle survives a crash or a restart
 * and is never lost. The key is the pair of asset ids, so the same bundle is stored once.
 */
export class Outbox implements OutboxStore {
  constructor(readonly dir: string) {}

  static keyOf(bundle: Bundle): string {
    return sha256Hex(`${bundle.gene.asset_id}|${bundle.capsule.asset_id}`).slice(0, 32);
  }

  async put(bundle: Bundle, context: OutboxContext, now = Date.now()): Promise<OutboxEntry> {
    const key = Outbox.keyOf(bundle);
    const existing = await this.get(key);
    if (existing) return existing;
    const entry: OutboxEntry = { key, createdAt: new Date(now).toISOString(), attempts: 0, nextAttemptAt: now, bundle, context };
    await this.#write(entry);
    return entry;
  }

  async update(entry: OutboxEntry): Promise<void> {
    await this.#write(entry);
  }

  async get(key: string): Promise<OutboxEntry | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, `${key}.json`), "utf8")) as OutboxEntry;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  /** Every waiting entry, oldest first. */
  async list(): Promise<OutboxEntry[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith(".json"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    const entries = await Promise.all(names.map((n) => this.get(n.slice(0, -5))));
    return entries
      .filter((e): e is OutboxEntry => !!e)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
  }

  async remove(key: string): Promise<void> {
    await rm(join(this.dir, `${key}.json`), { force: true });
  }

  // One process uses these files: the publisher's in-flight map is the claim, the file the truth.
  claim(key: string): Promise<OutboxEntry | undefined> {
    return this.get(key);
  }

  async claimDue(now: number, limit: number): Promise<OutboxEntry[]> {
    return (await this.list()).filter((e) => e.nextAttemptAt <= now).slice(0, limit);
  }

  decided(entry: OutboxEntry): Promise<void> {
    return this.remove(entry.key);
  }

  /** A given-up entry moves to `dead/`, where `insight doctor` counts it and an operator can move it back. */
  async defer(entry: OutboxEntry, dead: boolean): Promise<void> {
    await this.#write(entry);
    if (!dead) return;
    await mkdir(join(this.dir, "dead"), { recursive: true, mode: 0o700 });
    await rename(join(this.dir, `${entry.key}.json`), join(this.dir, "dead", `${entry.key}.json`));
  }

  async depth(now: number): Promise<{ waiting: number; due: number; dead: number }> {
    const waiting = await this.list();
    const dead = await readdir(join(this.dir, "dead")).then(
      (names) => names.filter((n) => n.endsWith(".json")).length,
      () => 0,
    );
    return { waiting: waiting.length, due: waiting.filter((e) => e.nextAttemptAt <= now).length, dead };
  }

  async #write(entry: OutboxEntry): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, `${entry.key}.json`);
    const tmp = `${path}.${process.pid}.tmp`;
    const handle = await open(tmp, "w", 0o600);
    try {
      await handle.writeFile(JSON.stringify(entry));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  }
}
