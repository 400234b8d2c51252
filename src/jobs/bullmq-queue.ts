import { Queue, type JobsOptions } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "probot";
import { DEFAULT_COMMAND_RATE } from "./in-process-queue.js";
import type { DrainResult, EnqueueResult, Job, JobQueue, QueueStats } from "./types.js";

/** The BullMQ queue's name; with INSIGHT_REDIS_PREFIX its keys are `<prefix>:jobs:*`. */
export const QUEUE_NAME = "jobs";
/** Job ids and coalescing state are remembered this long (GitHub lets a delivery be redelivered for 3 days). */
const REMEMBER_MS = 3 * 24 * 3_600_000;

/** What a BullMQ job carries: the job itself, or (coalescing) the key whose newest job runs. */
export type QueuedData = { job: Job } | { coalesceKey: string };

export type RedisQueueOptions = {
  url: string;
  prefix: string;
  log: Logger;
  debounceMs: number;
  /** Attempts per job before it goes to the dead-letter (failed) set. */
  attempts: number;
  commandRate?: { limit: number; windowMs: number };
};

/**
 * A new Redis connection for BullMQ. Workers wait for Redis as long as it takes
 * (`maxRetriesPerRequest: null`); the server's commands wait through three reconnection attempts
 * (well under a second), then fail, so a webhook is answered 500 instead of hanging.
 */
export function redisConnection(url: string, purpose: "queue" | "worker"): Redis {
  return new Redis(url, { maxRetriesPerRequest: purpose === "worker" ? null : 3, connectTimeout: 5_000 });
}

/** BullMQ forbids `:` in custom ids (it separates its keys). */
export const bullId = (id: string) => id.replace(/:/g, "|");

export function jobOptions(attempts: number): JobsOptions {
  return {
    attempts,
    backoff: { type: "exponential", delay: 2_000 },
    removeOnComplete: { age: 3_600, count: 1_000 },
    // Failed after every attempt: kept as the dead-letter set `insight doctor` shows.
    removeOnFail: { age: 7 * 24 * 3_600, count: 5_000 },
  };
}

/** Redis keys of the queue's own state, next to BullMQ's. */
export const stateKeys = (prefix: string) => ({
  seen: (id: string) => `${prefix}:seen:${id}`,
  latest: (key: string) => `${prefix}:co:${key}:latest`,
  current: (key: string) => `${prefix}:co:${key}:current`,
  rate: (who: string) => `${prefix}:rate:${who}`,
  refused: (who: string) => `${prefix}:rate:${who}:refused`,
});

/**
 * The webhook server's side of the BullMQ queue: it only verifies and enqueues, `insight worker`
 * processes run the jobs. Today's semantics, shared by every replica through Redis:
 * - a job id already seen (redelivery) is dropped (`SET NX` with a 3-day expiry);
 * - jobs with a coalescing key debounce: the newest job is kept under the key and one delayed
 *   BullMQ job runs it; a later push while it waits restarts its delay; a push while it runs
 *   creates exactly one follow-up (the worker's key lock keeps the two from overlapping);
 * - per-user command rate limit over a sliding window, with one refusal then silence.
 * Enqueue resolves only when Redis has the job: if Redis is down the webhook is answered 500 and
 * GitHub's delivery stays failed (redeliverable) instead of being acknowledged and lost.
 */
export class RedisQueue implements JobQueue {
  readonly queue: Queue<QueuedData>;
  readonly redis: Redis;
  readonly #o: RedisQueueOptions;
  readonly #k: ReturnType<typeof stateKeys>;
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #inflight = new Set<Promise<unknown>>();
  #closing = false;
  readonly #bullConnection: Redis;
  #counts: Required<QueueStats["counts"]> = { enqueued: 0, coalesced: 0, duplicate: 0, rejected: 0, limited: 0, completed: 0, failed: 0 };

  constructor(options: RedisQueueOptions) {
    this.#o = options;
    this.#k = stateKeys(`${options.prefix}:x`);
    this.redis = redisConnection(options.url, "queue");
    this.redis.on("error", (err) => options.log.warn({ err: err.message }, "Redis connection error (queue)"));
    // BullMQ does not close a connection it was handed: this class owns it and closes it in close().
    this.#bullConnection = redisConnection(options.url, "queue");
    this.queue = new Queue<QueuedData>(QUEUE_NAME, {
      connection: this.#bullConnection,
      prefix: options.prefix,
      defaultJobOptions: jobOptions(options.attempts),
    });
    this.queue.on("error", (err) => options.log.warn({ err: err.message }, "BullMQ queue error"));
  }

  enqueue(job: Job): Promise<EnqueueResult> {
    const p = this.#enqueue(job);
    this.#inflight.add(p);
    return p.finally(() => this.#inflight.delete(p));
  }

  async #enqueue(job: Job): Promise<EnqueueResult> {
    if (this.#closing) {
      this.#counts.rejected++;
      this.#o.log.warn({ delivery: job.delivery, kind: job.kind }, "Queue is closing: job refused; redeliver the webhook after restart");
      return "rejected";
    }
    const seen = this.#k.seen(job.id);
    if ((await this.redis.set(seen, "1", "PX", REMEMBER_MS, "NX")) !== "OK") {
      this.#counts.duplicate++;
      this.#o.log.debug({ delivery: job.delivery, jobId: job.id }, "Duplicate delivery ignored");
      return "duplicate";
    }
    try {
      if (job.kind === "command") {
        const limited = await this.#overRate(job);
        if (limited) return limited;
      }
      this.#counts.enqueued++;
      if (!job.coalesceKey) {
        await this.queue.add(job.kind, { job }, { jobId: bullId(job.id) });
        return "queued";
      }
      const outcome = await this.#serial(job.coalesceKey, () => this.#coalesce(job, job.coalesceKey!));
      if (outcome === "coalesced") this.#counts.coalesced++;
      return outcome;
    } catch (err) {
      // Not queued after all: a redelivery must not be taken for a duplicate.
      await this.redis.del(seen).catch(() => undefined);
      this.#counts.enqueued--;
      throw err;
    }
  }

  async #coalesce(job: Job, key: string): Promise<EnqueueResult> {
    const [[, ,], [, currentId]] = (await this.redis
      .multi()
      .set(this.#k.latest(key), JSON.stringify(job), "PX", REMEMBER_MS)
      .get(this.#k.current(key))
      .exec())! as [[unknown, unknown], [unknown, string | null]];
    const state = currentId ? await this.queue.getJobState(currentId) : undefined;
    if (state === "delayed") {
      const current = await this.queue.getJob(currentId!);
      try {
        await current!.changeDelay(this.#o.debounceMs);
        return "coalesced";
      } catch {
        // Promoted meanwhile: it reads the newest job when it starts, but a follow-up is safer.
      }
    } else if (state === "waiting" || state === "prioritized") {
      return "coalesced"; // not started: it reads the newest job (just written) when it starts
    }
    // Active (a push during a run: one follow-up), finished or none: a new delayed job for the key.
    const id = bullId(`co:${key}:${job.id}`);
    await this.queue.add(job.kind, { coalesceKey: key }, { jobId: id, delay: this.#o.debounceMs });
    await this.redis.set(this.#k.current(key), id, "PX", REMEMBER_MS);
    return state && state !== "unknown" && state !== "completed" && state !== "failed" ? "coalesced" : "queued";
  }

  /** Per-user command limit over a sliding window (a sorted set of times); the first refusal still runs, to answer. */
  async #overRate(job: Extract<Job, { kind: "command" }>): Promise<EnqueueResult | undefined> {
    const { limit, windowMs } = this.#o.commandRate ?? DEFAULT_COMMAND_RATE;
    const who = `${job.installationId}:${job.actor.toLowerCase()}`;
    const key = this.#k.rate(who);
    const now = Date.now();
    const [, [, count], [, oldest]] = (await this.redis
      .multi()
      .zremrangebyscore(key, "-inf", now - windowMs)
      .zcard(key)
      .zrange(key, 0, 0, "WITHSCORES")
      .exec())! as [unknown, [null, number], [null, string[]]];
    if (count < limit) {
      await this.redis.multi().zadd(key, now, `${now}:${job.id}`).pexpire(key, windowMs).exec();
      return undefined;
    }
    this.#counts.limited++;
    const retryAfterMs = Math.max(0, Number(oldest[1] ?? now) + windowMs - now);
    const first = (await this.redis.set(this.#k.refused(who), "1", "PX", Math.max(1, retryAfterMs), "NX")) === "OK";
    this.#o.log.warn(
      { delivery: job.delivery, actor: job.actor, repo: `${job.repo.owner}/${job.repo.repo}`, verdict: first ? "refuse" : "drop" },
      "Command rate limit reached",
    );
    if (first) await this.queue.add(job.kind, { job: { ...job, limited: { limit, windowMs, retryAfterMs } } }, { jobId: bullId(job.id) });
    return "limited";
  }

  /** Enqueues of one coalescing key run one after the other in this process. */
  #serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.#locks.set(key, tail);
    void tail.then(() => this.#locks.get(key) === tail && this.#locks.delete(key));
    return next;
  }

  /** Jobs run in the workers: this process only finishes enqueues it started, then closes. */
  async drain(timeoutMs: number): Promise<DrainResult> {
    this.#closing = true;
    const done = Promise.allSettled([...this.#inflight]).then(() => true as const);
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([done, new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    await this.close();
    return { drained, abandoned: [] };
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.queue.close().catch(() => undefined);
    this.#bullConnection.disconnect();
    this.redis.disconnect();
  }

  /** Resolves when Redis holds no waiting, delayed or running job (tests, benchmarks). */
  async onIdle(): Promise<void> {
    for (;;) {
      const c = await this.queue.getJobCounts("waiting", "delayed", "active", "prioritized", "paused");
      if (Object.values(c).every((n) => n === 0)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stats(): Promise<QueueStats> {
    const c = await this.queue.getJobCounts("waiting", "delayed", "active", "prioritized", "completed", "failed", "paused");
    return {
      pending: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0),
      running: c.active ?? 0,
      counts: { ...this.#counts, completed: c.completed ?? 0, failed: c.failed ?? 0 },
      extra: { waiting: c.waiting ?? 0, delayed: c.delayed ?? 0, prioritized: c.prioritized ?? 0, "dead-letter": c.failed ?? 0 },
    };
  }
}
