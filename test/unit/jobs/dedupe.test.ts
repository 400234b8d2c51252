import { describe, expect, it } from "@jest/globals";
import { dedupeQueue, MemoryDedupe } from "../../../src/jobs/dedupe.js";
import type { EnqueueResult, Job, JobQueue } from "../../../src/jobs/types.js";
import { impactJob } from "../../helpers/jobs.js";

/** A queue that records what reached it and answers as told. */
function recordingQueue(answer: (job: Job) => EnqueueResult | Promise<EnqueueResult>) {
  const seen: string[] = [];
  const queue: JobQueue = {
    enqueue: (job) => (seen.push(job.id), answer(job)),
    drain: async () => ({ drained: true, abandoned: [] }),
    onIdle: async () => {},
    stats: () => ({
      pending: 0,
      running: 0,
      counts: { enqueued: seen.length, coalesced: 0, duplicate: 1, rejected: 0, completed: 0, failed: 0 },
    }),
  };
  return { queue, seen };
}

describe("dedupeQueue", () => {
  it("drops a redelivered job before the queue sees it, and counts it with the queue's own duplicates", async () => {
    const { queue, seen } = recordingQueue(() => "queued");
    const q = dedupeQueue(queue, new MemoryDedupe());
    const job = impactJob(1, "abc");
    expect(await q.enqueue(job)).toBe("queued");
    expect(await q.enqueue({ ...job })).toBe("duplicate");
    expect(await q.enqueue(impactJob(1, "def"))).toBe("queued");
    expect(seen).toEqual([job.id, impactJob(1, "def").id]);
    expect((await q.stats()).counts.duplicate).toBe(2);
  });

  it("forgets a job the queue refused or could not take, so its redelivery is accepted", async () => {
    let mode: "reject" | "throw" | "ok" = "reject";
    const { queue, seen } = recordingQueue(async () => {
      if (mode === "throw") throw new Error("Redis is down");
      return mode === "reject" ? "rejected" : "queued";
    });
    const q = dedupeQueue(queue, new MemoryDedupe());
    const job = impactJob(2, "abc");
    expect(await q.enqueue(job)).toBe("rejected");
    mode = "throw";
    await expect(q.enqueue(job)).rejects.toThrow("Redis is down");
    mode = "ok";
    expect(await q.enqueue(job)).toBe("queued");
    expect(await q.enqueue(job)).toBe("duplicate");
    expect(seen).toHaveLength(3);
  });

  it("MemoryDedupe lets a key be taken again after it expired, and stays within its capacity", async () => {
    let now = 0;
    const set = new MemoryDedupe({ capacity: 2, now: () => now });
    expect(await set.firstSeen("a", 1_000)).toBe(true);
    expect(await set.firstSeen("a", 1_000)).toBe(false);
    now = 1_000;
    expect(await set.firstSeen("a", 1_000)).toBe(true);
    await set.firstSeen("b", 1_000);
    await set.firstSeen("c", 1_000); // "a" is the oldest: it goes
    expect(await set.firstSeen("a", 1_000)).toBe(true);
  });
});
