import type { Logger } from "probot";
import type { AuditLog } from "../audit/types.js";
import type { A2AClient, PublishDecision } from "./a2a-client.js";
import type { OutboxContext, OutboxEntry, OutboxStore } from "./outbox.js";
import type { Bundle } from "./schemas.js";

export type PublishOutcome =
  | { status: "decided"; decision: PublishDecision & { validated: boolean }; attempts: number }
  | { status: "waiting"; reason: string; nextAttemptAt: number; attempts: number };

export type PublisherOptions = {
  client: A2AClient;
  outbox: OutboxStore;
  audit: AuditLog;
  log: Pick<Logger, "info" | "warn">;
  /** Longest rate-limit wait spent inside a job; longer ones wait in the outbox. */
  maxInlineWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Attempts without a decision before a bundle is set aside as dead (kept, shown by `insight doctor`). Default 40: a day and a half of outage at the longest backoff. */
  maxAttempts?: number;
  /** Entries one drain claims at a time (each is leased while it waits for its attempt). */
  drainBatch?: number;
  /** Told when the hub decides on an entry that waited in the outbox (to report it on the incident). */
  onDecided?: (entry: OutboxEntry, outcome: Extract<PublishOutcome, { status: "decided" }>) => Promise<void>;
};

/** 30 s, 1 min, 2 min … up to an hour between attempts while the hub is unavailable. */
export const backoffMs = (attempts: number) => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));

/**
 * Publishes bundles through the outbox: persisted first, attempted, and removed only when the hub
 * has decided (accept, quarantine or rejected). Rate limits are waited out as the hub asks; 5xx
 * and outages back off. One attempt per bundle at a time, whoever asks (a job or the drain loop).
 */
export class CapsulePublisher {
  #o: Required<Omit<PublisherOptions, "onDecided">> & Pick<PublisherOptions, "onDecided">;
  readonly #inFlight = new Map<string, Promise<PublishOutcome>>();

  constructor(options: PublisherOptions) {
    this.#o = {
      maxInlineWaitMs: 10_000,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      now: Date.now,
      maxAttempts: 40,
      drainBatch: 5,
      ...options,
    };
  }

  /** Who hears of decisions reached by the drain loop (set once the app can write to GitHub). */
  set onDecided(callback: PublisherOptions["onDecided"]) {
    this.#o.onDecided = callback;
  }

  get outbox(): OutboxStore {
    return this.#o.outbox;
  }

  async submit(bundle: Bundle, context: OutboxContext): Promise<PublishOutcome> {
    const entry = await this.#o.outbox.put(bundle, context, this.#o.now());
    return this.attempt(entry);
  }

  /**
   * Attempts every entry that is due, a claimed batch at a time (other publishers, in this process
   * or another, skip what this one claimed); reports decisions through `onDecided`.
   */
  async drain(): Promise<Array<{ entry: OutboxEntry; outcome: PublishOutcome }>> {
    const out: Array<{ entry: OutboxEntry; outcome: PublishOutcome }> = [];
    const tried = new Set<string>();
    for (;;) {
      const batch = (await this.#o.outbox.claimDue(this.#o.now(), this.#o.drainBatch)).filter((e) => !tried.has(e.key));
      if (!batch.length) return out;
      for (const entry of batch) {
        tried.add(entry.key);
        if (this.#inFlight.has(entry.key)) continue; // another drain or a job of this process has it
        out.push({ entry, outcome: await this.#single(entry, true) });
      }
    }
  }

  /** One attempt now (a job's): its caller reports the outcome. */
  attempt(entry: OutboxEntry): Promise<PublishOutcome> {
    return this.#single(entry, false);
  }

  #single(entry: OutboxEntry, report: boolean): Promise<PublishOutcome> {
    const running = this.#inFlight.get(entry.key);
    if (running) return running;
    const run = this.#attempt(entry, report).finally(() => this.#inFlight.delete(entry.key));
    this.#inFlight.set(entry.key, run);
    return run;
  }

  async #attempt(initial: OutboxEntry, report: boolean): Promise<PublishOutcome> {
    const { client, outbox, audit, log } = this.#o;
    // Another publisher may have decided it, or hold it now: the store is the truth, and its claim (renewed here) the right to send.
    const entry = await outbox.claim(initial.key, this.#o.now());
    if (!entry)
      return {
        status: "waiting",
        reason: "already decided, or being published by another process",
        nextAttemptAt: Infinity,
        attempts: initial.attempts,
      };
    const target = `evomap:${entry.bundle.capsule.asset_id}`;
    const base = { actor: "insight", delivery: `evomap:${entry.key}`, target };
    let waited = false;
    for (;;) {
      entry.attempts++;
      const r = await client.publish(entry.bundle);
      if (r.ok) {
        await audit.append({
          ...base,
          action: "capsule.publish",
          reason: `incident ${entry.context.repo.owner}/${entry.context.repo.repo}#${entry.context.incident}`,
          outcome: r.value.decision === "accept" ? "ok" : "refused",
          detail: {
            decision: r.value.decision,
            bundleId: r.value.bundleId,
            validated: r.value.validated,
            attempts: entry.attempts,
            gene: entry.bundle.gene.asset_id,
            reason: r.value.reason,
          },
        });
        await outbox.decided(entry, r.value.decision);
        log.info({ key: entry.key, decision: r.value.decision }, "EvoMap decided on a bundle");
        const decided = { status: "decided" as const, decision: r.value, attempts: entry.attempts };
        if (report) await this.#o.onDecided?.(entry, decided);
        return decided;
      }
      const e = r.error;
      if (e.kind === "rate_limited" && !waited && e.retryAfterMs <= this.#o.maxInlineWaitMs) {
        waited = true;
        await this.#o.sleep(e.retryAfterMs);
        continue;
      }
      const wait = e.kind === "rate_limited" ? e.retryAfterMs : backoffMs(entry.attempts);
      entry.nextAttemptAt = this.#o.now() + wait;
      entry.lastError = e.message;
      const dead = entry.attempts >= this.#o.maxAttempts;
      await outbox.defer(entry, dead);
      await audit.append({
        ...base,
        action: "capsule.publish",
        reason: dead ? `hub did not decide in ${entry.attempts} attempts: set aside` : "hub did not decide",
        outcome: "error",
        detail: {
          kind: e.kind,
          status: "status" in e ? e.status : undefined,
          error: e.message,
          attempts: entry.attempts,
          ...(dead ? { dead: true } : { retryInMs: wait }),
        },
      });
      log.warn(
        { key: entry.key, kind: e.kind, retryInMs: wait, dead },
        dead ? "EvoMap publish given up: the bundle is kept as dead in the outbox" : "EvoMap publish deferred",
      );
      return { status: "waiting", reason: e.message, nextAttemptAt: dead ? Infinity : entry.nextAttemptAt, attempts: entry.attempts };
    }
  }
}
