import type { Logger } from "probot";
import { FairScheduler, RateLimiter } from "./fairness.js";
import type { DrainResult, EnqueueResult, Job, JobQueue, JobRunner, QueueStats } from "./types.js";
import type { Timers } from "../core/timers.js";

export type { Timers } from "../core/timers.js";

export type InProcessQueueOptions = {
  run: JobRunner;
  log: Logger;
  /** Jobs running at once. */
  concurrency: number;
  /** Quiet time after the last job of a coalescing key before it runs. */
  debounceMs: number;
  /** Delivery ids remembered for dedupe. */
  dedupeCapacity?: number;
  /** Jobs of one installation running at once (default: no limit beyond `concurrency`). */
  perInstallationConcurrency?: number;
  /** Commands one user may send per window on one installation (default 10 a minute). */
  commandRate?: { limit: number; windowMs: number };
  timers?: Timers;
  /** The clock of the rate limit (default Date.now; tests pass their manual clock). */
  now?: () => number;
};

export const DEFAULT_COMMAND_RATE = { limit: 10, windowMs: 60_000 };

type Slot = { job: Job; timer?: unknown; running: boolean; next?: Job };

/**
 * The default queue: one process, bounded concurrency. GitHub redelivers webhooks, so job ids
 * already seen are dropped; pushes to one PR within the debounce window coalesce into one run on
 * the newest head (and a push during a run schedules exactly one follow-up run). A failing job is
 * logged with its delivery id and the queue goes on. Ready jobs are served fairly (see
 * fairness.ts): round-robin between installations and repositories, a per-installation
 * concurrency limit, and a per-user command rate limit whose first refusal runs as a job that
 * only answers, while the rest of the flood is dropped.
 */
export class InProcessQueue implements JobQueue {
  readonly #o: Required<InProcessQueueOptions>;
  readonly #seen = new Set<string>();
  readonly #ready: FairScheduler<Job>;
  readonly #commands: RateLimiter;
  readonly #slots = new Map<string, Slot>();
  readonly #idle: Array<() => void> = [];
  readonly #active = new Set<Job>();
  #draining = false;
  #counts: Required<QueueStats["counts"]> = { enqueued: 0, coalesced: 0, duplicate: 0, rejected: 0, limited: 0, completed: 0, failed: 0 };

  constructor(options: InProcessQueueOptions) {
    this.#o = {
      dedupeCapacity: 10_000,
      timers: globalThis as unknown as Timers,
      perInstallationConcurrency: options.concurrency,
      commandRate: DEFAULT_COMMAND_RATE,
      now: Date.now,
      ...options,
    };
    this.#ready = new FairScheduler(this.#o.perInstallationConcurrency);
    this.#commands = new RateLimiter(this.#o.commandRate.limit, this.#o.commandRate.windowMs);
  }

  enqueue(job: Job): EnqueueResult {
    if (this.#draining) {
      this.#counts.rejected++;
      this.#o.log.warn({ delivery: job.delivery, kind: job.kind }, "Queue is draining: job refused; redeliver the webhook after restart");
      return "rejected";
    }
    if (this.#seen.has(job.id)) {
      this.#counts.duplicate++;
      this.#o.log.debug({ delivery: job.delivery, jobId: job.id }, "Duplicate delivery ignored");
      return "duplicate";
    }
    this.#remember(job.id);
    if (job.kind === "command") {
      const rate = this.#commands.check(`${job.installationId}:${job.actor.toLowerCase()}`, this.#o.now());
      if (rate.verdict !== "ok") {
        this.#counts.limited++;
        this.#o.log.warn(
          { delivery: job.delivery, actor: job.actor, repo: `${job.repo.owner}/${job.repo.repo}`, verdict: rate.verdict },
          "Command rate limit reached",
        );
        if (rate.verdict === "refuse") this.#schedule({ ...job, limited: { ...this.#o.commandRate, retryAfterMs: rate.retryAfterMs } });
        return "limited";
      }
    }
    this.#counts.enqueued++;
    if (!job.coalesceKey) {
      this.#schedule(job);
      return "queued";
    }
    const slot = this.#slots.get(job.coalesceKey);
    if (!slot) {
      const fresh: Slot = { job, running: false };
      this.#slots.set(job.coalesceKey, fresh);
      this.#arm(job.coalesceKey, fresh);
      return "queued";
    }
    this.#counts.coalesced++;
    if (slot.running) {
      slot.next = job;
    } else {
      slot.job = job;
      this.#arm(job.coalesceKey, slot);
    }
    return "coalesced";
  }

  async drain(timeoutMs: number): Promise<DrainResult> {
    this.#draining = true;
    for (const [key, slot] of this.#slots) {
      if (!slot.running && slot.timer !== undefined) this.#fire(key, slot);
    }
    let timer: unknown;
    const timedOut = new Promise<false>((resolve) => {
      timer = this.#o.timers.setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = await Promise.race([this.onIdle().then(() => true as const), timedOut]);
    this.#o.timers.clearTimeout(timer);
    const unfinished = [...this.#active, ...this.#ready.items(), ...[...this.#slots.values()].map((s) => s.job)];
    // A running coalesced job is both active and in its slot: name each delivery once.
    const abandoned = drained ? [] : [...new Set(unfinished.map((j) => j.delivery))];
    if (abandoned.length) this.#o.log.error({ deliveries: abandoned }, "Queue drain timed out: these deliveries were not finished");
    return { drained, abandoned };
  }

  onIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  stats(): QueueStats {
    return {
      pending: this.#ready.size + [...this.#slots.values()].filter((s) => !s.running).length,
      running: this.#active.size,
      counts: { ...this.#counts },
    };
  }

  #remember(id: string) {
    this.#seen.add(id);
    if (this.#seen.size > this.#o.dedupeCapacity) this.#seen.delete(this.#seen.values().next().value!);
  }

  #arm(key: string, slot: Slot) {
    if (slot.timer !== undefined) this.#o.timers.clearTimeout(slot.timer);
    if (this.#draining) return this.#fire(key, slot);
    slot.timer = this.#o.timers.setTimeout(() => this.#fire(key, slot), this.#o.debounceMs);
  }

  #fire(_key: string, slot: Slot) {
    if (slot.timer !== undefined) this.#o.timers.clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.running = true;
    this.#schedule(slot.job);
  }

  #schedule(job: Job) {
    this.#ready.push(job, { installation: job.installationId, repo: `${job.repo.owner}/${job.repo.repo}`.toLowerCase() });
    this.#pump();
  }

  #pump() {
    while (this.#active.size < this.#o.concurrency) {
      const next = this.#ready.take();
      if (!next) break;
      this.#active.add(next.item);
      void this.#execute(next.item);
    }
    if (this.#isIdle()) this.#idle.splice(0).forEach((resolve) => resolve());
  }

  async #execute(job: Job) {
    try {
      await this.#o.run(job);
      this.#counts.completed++;
    } catch (err) {
      this.#counts.failed++;
      this.#o.log.error({ err, delivery: job.delivery, kind: job.kind, jobId: job.id }, "Job failed");
    } finally {
      this.#active.delete(job);
      this.#ready.finished(job.installationId);
      this.#settle(job);
      this.#pump();
    }
  }

  #settle(job: Job) {
    const key = job.coalesceKey;
    if (!key) return;
    const slot = this.#slots.get(key);
    if (!slot) return;
    if (slot.next) {
      const next = slot.next;
      const follow: Slot = { job: next, running: false };
      this.#slots.set(key, follow);
      this.#arm(key, follow);
    } else {
      this.#slots.delete(key);
    }
  }

  #isIdle() {
    return this.#active.size === 0 && this.#ready.size === 0 && this.#slots.size === 0;
  }
}
