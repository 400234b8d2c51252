import type { Logger } from "probot";
import type { AuditLog } from "../audit/types.js";
import type { A2AClient, PublishDecision } from "./a2a-client.js";
import { Outbox, type OutboxContext, type OutboxEntry } from "./outbox.js";
import type { Bundle } from "./schemas.js";

export type PublishOutcome =
  | { status: "decided"; decision: PublishDecision & { validated: boolean }; attempts: number }
  | { status: "waiting"; reason: string; nextAttemptAt: number; attempts: number };

export type PublisherOptions = {
  client: A2AClient;
  outbox: Outbox;
  audit: AuditLog;
  log: Pick<Logger, "info" | "warn">;
  /** Longest rate-limit wait spent inside a job; longer ones wait in the outbox. */
  maxInlineWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
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
    this.#o = { maxInlineWaitMs: 10_000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: Date.now, ...options };
  }

  /** Who hears of decisions reached by the drain loop (set once the app can write to GitHub). */
  set onDecided(callback: PublisherOptions["onDecided"]) {
    this.#o.onDecided = callback;
  }

  get outbox(): Outbox {
    return this.#o.outbox;
  }

  async submit(bundle: Bundle, context: OutboxContext): Promise<PublishOutcome> {
    const entry = await this.#o.outbox.put(bundle, context, this.#o.now());
    return this.attempt(entry);
  }

  /** Attempts every entry that is due; reports decisions through `onDecided`. */
  async drain(): Promise<Array<{ entry: OutboxEntry; outcome: PublishOutcome }>> {
    const due = (await this.#o.outbox.list()).filter((e) => e.nextAttemptAt <= this.#o.now() && !this.#inFlight.has(e.key));
    const out: Array<{ entry: OutboxEntry; outcome: PublishOutcome }> = [];
    for (const entry of due) {
      if (this.#inFlight.has(entry.key)) continue; // another drain or a job has it
      out.push({ entry, outcome: await this.#single(entry, true) });
    }
    return out;
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
    // Another process may have finished it: the file is the truth.
    const entry = await outbox.get(initial.key);
    if (!entry) return { status: "waiting", reason: "already decided", nextAttemptAt: Infinity, attempts: initial.attempts };
    const target = `evomap:${entry.bundle.capsule.asset_id}`;
    const base = { actor: "insight", delivery: `evomap:${entry.key}`, target };
    let waited = false;
    for (;;) {
      entry.attempts++;
      const r = await client.publish(entry.bundle);
      if (r.ok) {
        await audit.append({ ...base, action: "capsule.publish", reason: `incident ${entry.context.repo.owner}/${entry.context.repo.repo}#${entry.context.incident}`, outcome: r.value.decision === "accept" ? "ok" : "refused", detail: { decision: r.value.decision, bundleId: r.value.bundleId, validated: r.value.validated, attempts: entry.attempts, gene: entry.bundle.gene.asset_id, reason: r.value.reason } });
        await outbox.remove(entry.key);
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
      await outbox.update(entry);
      await audit.append({ ...base, action: "capsule.publish", reason: "hub did not decide", outcome: "error", detail: { kind: e.kind, status: "status" in e ? e.status : undefined, error: e.message, attempts: entry.attempts, retryInMs: wait } });
      log.warn({ key: entry.key, kind: e.kind, retryInMs: wait }, "EvoMap publish deferred");
      return { status: "waiting", reason: e.message, nextAttemptAt: entry.nextAttemptAt, attempts: entry.attempts };
    }
  }
}
