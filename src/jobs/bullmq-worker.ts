import { DelayedError, Worker, type Job as BullJob } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "probot";
import { QUEUE_NAME, redisConnection, stateKeys, type QueuedData } from "./bullmq-queue.js";
import { InstallationLeases, rateLimitWaitMs } from "./installation-lease.js";
import type { Job, JobRunner } from "./types.js";

export type RedisWorkerOptions = {
  url: string;
  prefix: string;
  log: Logger;
  run: JobRunner;
  /** Jobs this process runs at once. */
  concurrency: number;
  /** Jobs of one installation running at once over every worker. */
  perInstallation: number;
  /** How long a job's lock lives without renewal: a killed worker's job is taken over after about this. */
  lockMs: number;
  attempts: number;
  /** Runs on scheduler jobs (`health-*`): the health schedule's repeatable jobs. */
  onScheduled?: (name: string, data: unknown) => Promise<void>;
};

/** Thrown by a job that must wait for its installation (paused by GitHub): not a failure. */
class WaitError extends Error {
  constructor(readonly ms: number) {
    super(`installation paused for ${ms} ms`);
  }
}

/**
 * An `insight worker` process's consumer: takes BullMQ jobs, runs them through the job runner and
 * lets BullMQ retry with backoff; after the last attempt a job stays in the failed set (the
 * dead-letter set). Before a job runs it takes a lease of its installation (at most
 * `perInstallation` at once over all workers) and its coalescing key's lock; without one, the job
 * goes back to the delayed set and the worker takes other work. A secondary rate limit from
 * GitHub pauses the installation in Redis, and its job waits (without losing an attempt).
 */
export class RedisWorker {
  readonly worker: Worker<QueuedData>;
  readonly leases: InstallationLeases;
  readonly #redis: Redis;
  readonly #bullConnection: Redis;
  readonly #o: RedisWorkerOptions;
  readonly #k: ReturnType<typeof stateKeys>;

  constructor(options: RedisWorkerOptions) {
    this.#o = options;
    this.#k = stateKeys(`${options.prefix}:x`);
    this.#redis = redisConnection(options.url, "worker");
    this.#redis.on("error", (err) => options.log.warn({ err: err.message }, "Redis connection error (worker state)"));
    this.leases = new InstallationLeases({
      redis: this.#redis,
      prefix: `${options.prefix}:x`,
      limit: options.perInstallation,
      leaseMs: options.lockMs,
    });
    // BullMQ does not close a connection it was handed: this class owns it and closes it in close().
    this.#bullConnection = redisConnection(options.url, "worker");
    this.worker = new Worker<QueuedData>(QUEUE_NAME, (job, token) => this.#process(job, token), {
      connection: this.#bullConnection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: Math.max(1_000, Math.floor(options.lockMs / 2)),
      maxStalledCount: 2,
      autorun: false,
    });
    this.worker.on("error", (err) => options.log.warn({ err: err.message }, "BullMQ worker error"));
    this.worker.on("failed", (job, err) => {
      if (!job || err instanceof DelayedError || err.name === "DelayedError") return;
      const last = job.attemptsMade >= (job.opts.attempts ?? 1);
      options.log[last ? "error" : "warn"](
        { jobId: job.id, kind: job.name, attempt: job.attemptsMade, err: err.message },
        last ? "Job failed on its last attempt: kept in the dead-letter set" : "Job failed: will retry with backoff",
      );
    });
    this.worker.on("stalled", (jobId) => options.log.warn({ jobId }, "Job stalled (its worker died or hung): taken over"));
  }

  /** Starts taking jobs (resolves when the worker stops). */
  run(): Promise<void> {
    return this.worker.run();
  }

  /** Stops taking jobs and waits for the running ones (up to `timeoutMs`, then they are left to stall and run elsewhere). */
  async close(timeoutMs: number): Promise<boolean> {
    const closed = this.worker.close().then(() => true as const);
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([closed, new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    if (!done) await this.worker.close(true).catch(() => undefined);
    this.#bullConnection.disconnect();
    this.#redis.disconnect();
    return done;
  }

  async #process(bull: BullJob<QueuedData>, token?: string): Promise<void> {
    if (bull.name.startsWith("health-")) return this.#o.onScheduled?.(bull.name, bull.data);
    const data = bull.data;
    const key = "coalesceKey" in data ? data.coalesceKey : undefined;
    const peek: Job | undefined = "job" in data ? data.job : await this.#latest(key!);
    if (!peek) return; // the key's newest job expired: nothing to run
    const member = bull.id!;
    const lease = await this.leases.acquire(peek.installationId, member, key);
    if (lease.verdict !== "ok") return this.#later(bull, token, lease.retryInMs);
    const renew = setInterval(
      () => void this.leases.acquire(peek.installationId, member, key).catch(() => undefined),
      Math.max(500, Math.floor(this.#o.lockMs / 3)),
    );
    try {
      // Under the key's lock: the newest job of the key, which may be newer than the peek.
      const job = key ? ((await this.#latest(key)) ?? peek) : peek;
      this.#o.log.info(
        { jobId: bull.id, kind: job.kind, delivery: job.delivery, attempt: bull.attemptsMade + 1, pid: process.pid },
        "Job started",
      );
      const final = bull.attemptsMade + 1 >= (bull.opts.attempts ?? this.#o.attempts);
      await this.#o.run(job, { willRetry: (err) => !final || rateLimitWaitMs(err) !== undefined }).catch((err: unknown) => {
        const wait = err instanceof WaitError ? err.ms : rateLimitWaitMs(err);
        throw wait === undefined ? err : new WaitError(wait);
      });
    } catch (err) {
      if (!(err instanceof WaitError)) throw err;
      await this.leases.pause(peek.installationId, err.ms);
      this.#o.log.warn(
        { jobId: bull.id, installation: peek.installationId, waitMs: err.ms },
        "GitHub rate limit: this installation's jobs are paused",
      );
      return this.#later(bull, token, err.ms);
    } finally {
      clearInterval(renew);
      await this.leases.release(peek.installationId, member, key).catch(() => undefined);
    }
  }

  async #latest(key: string): Promise<Job | undefined> {
    const raw = await this.#redis.get(this.#k.latest(key));
    return raw ? (JSON.parse(raw) as Job) : undefined;
  }

  /** Back to the delayed set for `ms`, without counting an attempt. */
  async #later(bull: BullJob<QueuedData>, token: string | undefined, ms: number): Promise<never> {
    await bull.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  }
}
