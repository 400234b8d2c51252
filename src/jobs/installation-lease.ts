import type { Redis } from "ioredis";

/**
 * Fairness across worker processes, kept in Redis (BullMQ's groups are a Pro feature): each
 * installation has a sorted set of running job leases (member = job id, score = expiry), so at
 * most `limit` of its jobs run at once over every worker; a lease of a killed worker expires by
 * itself. A coalescing key has a lock, so two runs of one PR never overlap. An installation GitHub
 * told to slow down (secondary rate limit, quota exhausted) is paused: its jobs wait, others run.
 */
const ACQUIRE = `
local now = tonumber(ARGV[1])
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {'paused', paused} end
if KEYS[3] ~= KEYS[1] then
  local holder = redis.call('GET', KEYS[3])
  if holder and holder ~= ARGV[3] then return {'busy-key', redis.call('PTTL', KEYS[3])} end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return {'busy', 0}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) * 2)
if KEYS[3] ~= KEYS[1] then redis.call('SET', KEYS[3], ARGV[3], 'PX', tonumber(ARGV[4])) end
return {'ok', 0}
`;

const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
if KEYS[2] ~= KEYS[1] and redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`;

export type LeaseVerdict = { verdict: "ok" } | { verdict: "paused" | "busy" | "busy-key"; retryInMs: number };

export class InstallationLeases {
  constructor(private readonly o: { redis: Redis; prefix: string; limit: number; leaseMs: number; now?: () => number }) {}

  #keys(installationId: number, coalesceKey?: string): [string, string, string] {
    const running = `${this.o.prefix}:inst:${installationId}:running`;
    return [running, this.pauseKey(installationId), coalesceKey ? `${this.o.prefix}:co:${coalesceKey}:lock` : running];
  }

  pauseKey(installationId: number): string {
    return `${this.o.prefix}:inst:${installationId}:paused`;
  }

  /** Takes (or renews) a running slot of the installation, and the coalescing key's lock. */
  async acquire(installationId: number, member: string, coalesceKey?: string): Promise<LeaseVerdict> {
    const now = (this.o.now ?? Date.now)();
    const [verdict, ms] = (await this.o.redis.eval(
      ACQUIRE,
      3,
      ...this.#keys(installationId, coalesceKey),
      now,
      this.o.limit,
      member,
      this.o.leaseMs,
    )) as [string, number];
    if (verdict === "ok") return { verdict: "ok" };
    // Busy: try again soon (a slot frees when a job ends); paused or locked: when that ends.
    const retryInMs = verdict === "busy" ? 250 + Math.floor(Math.random() * 500) : Math.max(100, Number(ms));
    return { verdict: verdict as "paused" | "busy" | "busy-key", retryInMs };
  }

  async release(installationId: number, member: string, coalesceKey?: string): Promise<void> {
    const [running, , lock] = this.#keys(installationId, coalesceKey);
    await this.o.redis.eval(RELEASE, 2, running, lock, member);
  }

  /** GitHub asked this installation to wait: every worker holds its jobs until then (only ever extended). */
  async pause(installationId: number, ms: number): Promise<void> {
    const key = this.pauseKey(installationId);
    const left = await this.o.redis.pttl(key);
    if (left < ms) await this.o.redis.set(key, "1", "PX", Math.max(1, Math.ceil(ms)));
  }

  async pausedFor(installationId: number): Promise<number> {
    return Math.max(0, await this.o.redis.pttl(this.pauseKey(installationId)));
  }
}

/**
 * How long GitHub asked to wait, from an Octokit request error: a secondary rate limit (403/429
 * with `retry-after`, or its message) or an exhausted quota (`x-ratelimit-remaining: 0` until
 * `x-ratelimit-reset`). Undefined for any other error.
 */
export function rateLimitWaitMs(err: unknown, now = Date.now()): number | undefined {
  const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string | number | undefined> } };
  if (e?.status !== 403 && e?.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && headers["retry-after"] !== undefined) return Math.min(retryAfter, 3600) * 1000;
  if (String(headers["x-ratelimit-remaining"]) === "0") {
    const reset = Number(headers["x-ratelimit-reset"]) * 1000;
    if (Number.isFinite(reset)) return Math.min(Math.max(reset - now, 1000), 3_600_000);
  }
  // GitHub's advice for a secondary limit without retry-after: wait at least a minute.
  if (/secondary rate limit/i.test(e.message ?? "")) return 60_000;
  return undefined;
}
