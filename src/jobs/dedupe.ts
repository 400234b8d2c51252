import type { EnqueueResult, Job, JobQueue, QueueStats } from "./types.js";

/**
 * The set of webhook deliveries and job ids already taken. GitHub redelivers, and with several
 * replicas a redelivery may reach another process: a shared store (PostgreSQL) answers for all of
 * them. Default: in memory, for one process.
 */
export interface DedupeStore {
  /** True the first time `key` is seen (or after its previous sighting expired); false for a repeat. */
  firstSeen(key: string, ttlMs: number): Promise<boolean>;
  /** Lets `key` be taken again (a job that could not be queued after all). */
  forget(key: string): Promise<void>;
}

/** Three days: how long GitHub lets a delivery be redelivered by hand. */
export const DEDUPE_TTL_MS = 3 * 24 * 3_600_000;

/** In memory, bounded: the oldest keys go first past `capacity`. */
export class MemoryDedupe implements DedupeStore {
  readonly #seen = new Map<string, number>();

  constructor(private readonly options: { capacity?: number; now?: () => number } = {}) {}

  async firstSeen(key: string, ttlMs: number): Promise<boolean> {
    const now = (this.options.now ?? Date.now)();
    const until = this.#seen.get(key);
    if (until !== undefined && until > now) return false;
    this.#seen.delete(key);
    this.#seen.set(key, now + ttlMs);
    if (this.#seen.size > (this.options.capacity ?? 10_000)) this.#seen.delete(this.#seen.keys().next().value!);
    return true;
  }

  async forget(key: string): Promise<void> {
    this.#seen.delete(key);
  }
}

/**
 * The webhook side of the dedupe set: a job whose id was already taken (a redelivery, possibly to
 * another replica) is dropped before it reaches the queue. A job the queue refused, or could not
 * take (Redis down: the webhook answers 500 and GitHub redelivers), is forgotten again, so its
 * redelivery is not mistaken for a duplicate.
 */
export function dedupeQueue(queue: JobQueue, store: DedupeStore, ttlMs = DEDUPE_TTL_MS): JobQueue {
  let duplicates = 0;
  return {
    async enqueue(job: Job): Promise<EnqueueResult> {
      const key = `job:${job.id}`;
      if (!(await store.firstSeen(key, ttlMs))) {
        duplicates++;
        return "duplicate";
      }
      try {
        const result = await queue.enqueue(job);
        if (result === "rejected") await store.forget(key);
        return result;
      } catch (err) {
        await store.forget(key).catch(() => undefined);
        throw err;
      }
    },
    drain: (timeoutMs) => queue.drain(timeoutMs),
    onIdle: () => queue.onIdle(),
    async stats(): Promise<QueueStats> {
      const inner = await queue.stats();
      return { ...inner, counts: { ...inner.counts, duplicate: inner.counts.duplicate + duplicates } };
    },
  };
}
