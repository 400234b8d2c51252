/**
 * The queue's fairness policy, as pure data structures (no timers, no I/O) so that the in-process
 * queue and a BullMQ dispatcher apply the same rules:
 * - round-robin between installations, and between repositories inside one installation, FIFO
 *   inside a repository: a flood on one repository delays only that repository;
 * - at most `perInstallation` jobs of one installation running at once;
 * - per-user command rate limit over a sliding window: the first command over the limit gets one
 *   refusal, the rest of the window's flood is dropped without a reply.
 */

export type FairKey = { installation: number; repo: string };

type Lane<T> = { served: number; items: T[] };

/** The lane served longest ago (a new lane counts as never served). */
function oldest<K, L extends { served: number }>(lanes: Map<K, L>, eligible: (k: K) => boolean = () => true): [K, L] | undefined {
  let best: [K, L] | undefined;
  for (const entry of lanes) if (eligible(entry[0]) && (!best || entry[1].served < best[1].served)) best = entry;
  return best;
}

/**
 * Round-robin over installations, then repositories; FIFO per repository. Each take serves the
 * installation, and inside it the repository, that was served longest ago, so a lane that just
 * got work runs before a flooded lane that just ran.
 */
export class FairScheduler<T> {
  readonly #lanes = new Map<number, { served: number; repos: Map<string, Lane<T>> }>();
  readonly #running = new Map<number, number>();
  /** When each lane was last served, kept after it empties (bounded), so a lane that refills does not jump the rotation. */
  readonly #lastServed = new Map<string, number>();
  #clock = 0;
  #size = 0;

  constructor(readonly perInstallation = Number.POSITIVE_INFINITY) {}

  get size(): number {
    return this.#size;
  }

  push(item: T, key: FairKey): void {
    let inst = this.#lanes.get(key.installation);
    if (!inst) this.#lanes.set(key.installation, (inst = { served: this.#lastServed.get(`${key.installation}`) ?? 0, repos: new Map() }));
    let lane = inst.repos.get(key.repo);
    if (!lane) inst.repos.set(key.repo, (lane = { served: this.#lastServed.get(`${key.installation}/${key.repo}`) ?? 0, items: [] }));
    lane.items.push(item);
    this.#size++;
  }

  /**
   * The next item by the rotation, skipping installations at their concurrency limit; the item
   * counts as running for its installation until `finished` is called. Undefined when nothing may run.
   */
  take(): { item: T; key: FairKey } | undefined {
    const inst = oldest(this.#lanes, (i) => (this.#running.get(i) ?? 0) < this.perInstallation);
    if (!inst) return undefined;
    const [installation, lanes] = inst;
    const [repo, lane] = oldest(lanes.repos)!;
    const item = lane.items.shift()!;
    this.#size--;
    lanes.served = lane.served = ++this.#clock;
    this.#remember(`${installation}`, this.#clock);
    this.#remember(`${installation}/${repo}`, this.#clock);
    if (!lane.items.length) lanes.repos.delete(repo);
    if (!lanes.repos.size) this.#lanes.delete(installation);
    this.#running.set(installation, (this.#running.get(installation) ?? 0) + 1);
    return { item, key: { installation, repo } };
  }

  #remember(lane: string, at: number) {
    this.#lastServed.delete(lane);
    this.#lastServed.set(lane, at);
    if (this.#lastServed.size > 10_000) this.#lastServed.delete(this.#lastServed.keys().next().value!);
  }

  /** An item taken from this installation stopped running. */
  finished(installation: number): void {
    const n = (this.#running.get(installation) ?? 0) - 1;
    if (n > 0) this.#running.set(installation, n);
    else this.#running.delete(installation);
  }

  /** Every waiting item (for drain reports). */
  items(): T[] {
    return [...this.#lanes.values()].flatMap((i) => [...i.repos.values()].flatMap((l) => l.items));
  }
}

export type RateVerdict = { verdict: "ok" } | { verdict: "refuse" | "drop"; retryAfterMs: number };

/**
 * Sliding-window limit per key (for commands: installation + user). `now` is passed in, so tests
 * and a Redis-backed variant choose the clock. Keys idle for a window are forgotten.
 */
export class RateLimiter {
  readonly #hits = new Map<string, { times: number[]; refusedUntil: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  check(key: string, now: number): RateVerdict {
    if (this.#hits.size > 10_000) this.#sweep(now);
    const entry = this.#hits.get(key) ?? { times: [], refusedUntil: 0 };
    this.#hits.set(key, entry);
    while (entry.times.length && entry.times[0]! <= now - this.windowMs) entry.times.shift();
    if (entry.times.length < this.limit) {
      entry.times.push(now);
      return { verdict: "ok" };
    }
    const retryAfterMs = entry.times[0]! + this.windowMs - now;
    if (now < entry.refusedUntil) return { verdict: "drop", retryAfterMs };
    entry.refusedUntil = now + retryAfterMs; // one refusal per window; the rest of the flood is dropped
    return { verdict: "refuse", retryAfterMs };
  }

  #sweep(now: number) {
    for (const [key, e] of this.#hits) if (!e.times.some((t) => t > now - this.windowMs) && e.refusedUntil <= now) this.#hits.delete(key);
  }
}
