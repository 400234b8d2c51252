import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import pino from "pino";
import type { Logger } from "probot";
import { loadEnv } from "../../src/config/env.js";
import { queueCheck } from "../../src/cli/worker-doctor.js";
import { QUEUE_NAME, RedisQueue } from "../../src/jobs/bullmq-queue.js";
import { InstallationLeases, rateLimitWaitMs } from "../../src/jobs/installation-lease.js";
import type { CommandJob, PrImpactJob } from "../../src/jobs/types.js";

/** The shared Redis on 6379, in a database of this file's own (11) under its own prefix, flushed before and after. */
const URL = "redis://127.0.0.1:6379/11";
const PREFIX = `insight-queue-unit-${process.pid}`;
const log = pino({ level: "silent" }) as unknown as Logger;

const pr = (n: number, delivery: string, head = "a"): PrImpactJob => ({
  id: `${delivery}:pr-impact:${n}`,
  delivery,
  installationId: 7,
  repo: { owner: "acme", repo: "shop" },
  actor: "dev",
  kind: "pr-impact",
  pullNumber: n,
  headSha: head.repeat(40),
  draft: false,
  trigger: "synchronize",
  coalesceKey: `pr-impact:acme/shop#${n}`,
});

/** Connections handed to BullMQ, which does not close them: closed after the tests, or jest never exits. */
const owned: Redis[] = [];
const own = (r: Redis) => (owned.push(r), r);

describe("the BullMQ queue's Redis-side semantics (real Redis)", () => {
  let redis: Redis;
  let queue: RedisQueue;

  const flush = async () => {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
  };

  beforeAll(async () => {
    redis = new Redis(URL);
    await flush();
    queue = new RedisQueue({ url: URL, prefix: PREFIX, log, debounceMs: 60_000, attempts: 2, commandRate: { limit: 2, windowMs: 60_000 } });
  });

  afterAll(async () => {
    await queue.close();
    await flush();
    redis.disconnect();
    for (const r of owned) r.disconnect();
  });

  it("drops a redelivered job id, and debounces pushes to one PR into one delayed job that runs the newest", async () => {
    expect(await queue.enqueue(pr(1, "d1", "a"))).toBe("queued");
    expect(await queue.enqueue(pr(1, "d1", "a"))).toBe("duplicate");
    expect(await queue.enqueue(pr(1, "d2", "b"))).toBe("coalesced");
    expect(await queue.enqueue(pr(1, "d3", "c"))).toBe("coalesced");
    const delayed = await queue.queue.getDelayed();
    expect(delayed).toHaveLength(1);
    expect(delayed[0]!.data).toEqual({ coalesceKey: "pr-impact:acme/shop#1" });
    const latest = JSON.parse((await redis.get(`${PREFIX}:x:co:pr-impact:acme/shop#1:latest`))!);
    expect(latest.headSha).toBe("c".repeat(40));
    const stats = await queue.stats();
    expect(stats.counts).toMatchObject({ enqueued: 3, coalesced: 2, duplicate: 1 });
    expect(stats.extra).toMatchObject({ delayed: 1 });
  });

  it("a push while the PR's job runs creates exactly one follow-up", async () => {
    const [current] = await queue.queue.getDelayed();
    await current!.promote();
    // Take it as a worker would, so it is active.
    const connection = own(new Redis(URL, { maxRetriesPerRequest: null }));
    const worker = new Worker(QUEUE_NAME, null, { connection, prefix: PREFIX });
    const token = "test-token";
    const active = await worker.getNextJob(token);
    expect(active?.id).toBe(current!.id);
    expect(await queue.enqueue(pr(1, "d4", "d"))).toBe("coalesced");
    expect(await queue.enqueue(pr(1, "d5", "e"))).toBe("coalesced");
    const delayed = await queue.queue.getDelayed();
    expect(delayed.map((j) => j.id)).toHaveLength(1);
    expect(delayed[0]!.id).not.toBe(current!.id);
    await active!.moveToCompleted("ok", token, false);
    await worker.close();
  });

  it("limits commands per user: one refusal job, then silence", async () => {
    const cmd = (i: number): CommandJob => ({
      id: `c${i}:command:${i}`,
      delivery: `c${i}`,
      installationId: 7,
      repo: { owner: "acme", repo: "shop" },
      actor: "Mallory",
      kind: "command",
      issueNumber: 3,
      isPullRequest: false,
      commentId: i,
      command: { invalid: "x" },
    });
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await queue.enqueue(cmd(i)));
    expect(outcomes).toEqual(["queued", "queued", "limited", "limited", "limited"]);
    const refusal = await queue.queue.getJob("c2|command|2");
    expect((refusal!.data as { job: CommandJob }).job.limited).toMatchObject({ limit: 2, windowMs: 60_000 });
    expect(await queue.queue.getJob("c3|command|3")).toBeUndefined();
  });

  it("per-installation leases across workers: at most `limit` at once, a dead worker's lease expires, a paused installation waits", async () => {
    let now = 1_000_000;
    const leases = new InstallationLeases({ redis, prefix: `${PREFIX}:x`, limit: 2, leaseMs: 5_000, now: () => now });
    expect(await leases.acquire(9, "a")).toEqual({ verdict: "ok" });
    expect(await leases.acquire(9, "b")).toEqual({ verdict: "ok" });
    expect((await leases.acquire(9, "c")).verdict).toBe("busy");
    expect(await leases.acquire(10, "x")).toEqual({ verdict: "ok" }); // another installation is not held up
    expect(await leases.acquire(9, "a")).toEqual({ verdict: "ok" }); // a renewal
    await leases.release(9, "b");
    expect(await leases.acquire(9, "c")).toEqual({ verdict: "ok" });
    now += 6_000; // "a" and "c" were never released (their worker died): expired
    expect(await leases.acquire(9, "d")).toEqual({ verdict: "ok" });
    // One run per coalescing key at a time.
    expect(await leases.acquire(11, "k1", "pr-impact:acme/shop#5")).toEqual({ verdict: "ok" });
    expect((await leases.acquire(11, "k2", "pr-impact:acme/shop#5")).verdict).toBe("busy-key");
    await leases.release(11, "k1", "pr-impact:acme/shop#5");
    expect(await leases.acquire(11, "k2", "pr-impact:acme/shop#5")).toEqual({ verdict: "ok" });
    await leases.pause(12, 30_000);
    const paused = await leases.acquire(12, "p");
    expect(paused.verdict).toBe("paused");
    expect((paused as { retryInMs: number }).retryInMs).toBeGreaterThan(20_000);
    expect(await leases.acquire(13, "q")).toEqual({ verdict: "ok" });
  });

  it("reads GitHub's wait from a secondary rate limit or an exhausted quota, and nothing from other errors", () => {
    expect(
      rateLimitWaitMs({ status: 403, message: "You have exceeded a secondary rate limit", response: { headers: { "retry-after": "30" } } }),
    ).toBe(30_000);
    expect(rateLimitWaitMs({ status: 403, message: "You have exceeded a secondary rate limit", response: { headers: {} } })).toBe(60_000);
    expect(
      rateLimitWaitMs(
        {
          status: 403,
          message: "API rate limit exceeded",
          response: { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1010" } },
        },
        1_000_000,
      ),
    ).toBe(10_000);
    expect(rateLimitWaitMs({ status: 403, message: "Resource not accessible by integration", response: { headers: {} } })).toBeUndefined();
    expect(rateLimitWaitMs({ status: 500, response: { headers: { "retry-after": "1" } } })).toBeUndefined();
  });

  it("insight doctor shows the dead-letter set, with the error redacted", async () => {
    const env = loadEnv({ INSIGHT_QUEUE: "redis", INSIGHT_REDIS_URL: URL, INSIGHT_REDIS_PREFIX: PREFIX });
    await queue.queue.add("rca", { job: pr(99, "dead") }, { jobId: "dead-one", attempts: 1 });
    const worker = new Worker(
      QUEUE_NAME,
      async (job) => {
        if (job.id === "dead-one") throw new Error("upstream said no; token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked");
      },
      { connection: own(new Redis(URL, { maxRetriesPerRequest: null })), prefix: PREFIX },
    );
    for (let i = 0; i < 100 && !(await queue.queue.getFailedCount()); i++) await new Promise((r) => setTimeout(r, 100));
    const check = await queueCheck(env);
    await worker.close();
    expect(check).toMatchObject({ name: "queue", ok: true });
    expect(check!.detail).toMatch(/1 in the dead-letter set/);
    const line = check!.warnings!.find((w) => w.startsWith("dead letter dead-one"));
    expect(line).toMatch(/rca, 1 attempts/);
    expect(line).toContain("upstream said no");
    expect(line).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
  }, 30_000);

  it("insight doctor names an unreachable Redis", async () => {
    const env = loadEnv({ INSIGHT_QUEUE: "redis", INSIGHT_REDIS_URL: "redis://127.0.0.1:1/0", INSIGHT_REDIS_PREFIX: PREFIX });
    const check = await queueCheck(env);
    expect(check).toMatchObject({ name: "queue", ok: false });
    expect(check!.detail).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:1\/0: /);
  }, 30_000);
});
