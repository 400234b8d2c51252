import { describe, expect, it } from "@jest/globals";
import { InProcessQueue } from "../../../src/jobs/in-process-queue.js";
import type { Job } from "../../../src/jobs/types.js";
import { impactJob, rcaJob } from "../../helpers/jobs.js";
import { captureLogger } from "../../helpers/logger.js";
import { ManualTimers } from "../../helpers/manual-timers.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

function setup(options: { concurrency?: number; run?: (job: Job) => Promise<void> } = {}) {
  const timers = new ManualTimers();
  const ran: Job[] = [];
  const { log, lines } = captureLogger();
  const queue = new InProcessQueue({
    log,
    timers,
    concurrency: options.concurrency ?? 2,
    debounceMs: 10_000,
    run:
      options.run ??
      (async (job) => {
        ran.push(job);
      }),
  });
  return { queue, timers, ran, lines };
}

describe("InProcessQueue", () => {
  it("drops a redelivered webhook", async () => {
    const { queue, ran } = setup();
    expect(queue.enqueue(rcaJob(1, "same"))).toBe("queued");
    expect(queue.enqueue(rcaJob(1, "same"))).toBe("duplicate");
    await queue.onIdle();
    expect(ran).toHaveLength(1);
    expect(queue.stats().counts.duplicate).toBe(1);
  });

  it("coalesces five pushes to one PR into one run on the newest head", async () => {
    const { queue, timers, ran } = setup();
    const heads = ["a1", "b2", "c3", "d4", "e5"];
    const results = heads.map((sha) => {
      timers.advance(2_000);
      return queue.enqueue(impactJob(7, sha));
    });
    expect(results).toEqual(["queued", "coalesced", "coalesced", "coalesced", "coalesced"]);
    timers.advance(9_999);
    expect(ran).toHaveLength(0);
    timers.advance(1);
    await queue.onIdle();
    expect(ran.map((j) => (j as { headSha: string }).headSha)).toEqual(["e5"]);
  });

  it("keeps different PRs apart", async () => {
    const { queue, timers, ran } = setup();
    queue.enqueue(impactJob(1, "a"));
    queue.enqueue(impactJob(2, "b"));
    timers.advance(10_000);
    await queue.onIdle();
    expect(ran).toHaveLength(2);
  });

  it("runs one follow-up when pushes arrive during a run", async () => {
    let release!: () => void;
    const ran: string[] = [];
    const { queue, timers } = setup({
      run: async (job) => {
        ran.push((job as { headSha: string }).headSha);
        if (ran.length === 1) await new Promise<void>((r) => (release = r));
      },
    });
    queue.enqueue(impactJob(7, "first"));
    timers.advance(10_000);
    await tick();
    queue.enqueue(impactJob(7, "second"));
    queue.enqueue(impactJob(7, "third"));
    release();
    await tick();
    timers.advance(10_000);
    await queue.onIdle();
    expect(ran).toEqual(["first", "third"]);
  });

  it("bounds concurrency", async () => {
    let active = 0;
    let peak = 0;
    const { queue } = setup({
      concurrency: 2,
      run: async () => {
        active++;
        peak = Math.max(peak, active);
        await tick();
        active--;
      },
    });
    for (let i = 0; i < 10; i++) queue.enqueue(rcaJob(i));
    await queue.onIdle();
    expect(peak).toBe(2);
    expect(queue.stats().counts.completed).toBe(10);
  });

  it("logs a failing job with its delivery id and goes on", async () => {
    const { queue, ran, lines } = setup({
      run: async (job) => {
        if ((job as { issueNumber: number }).issueNumber === 1) throw new Error("boom");
        ran.push(job);
      },
    });
    queue.enqueue(rcaJob(1, "bad-delivery"));
    queue.enqueue(rcaJob(2));
    await queue.onIdle();
    expect(ran).toHaveLength(1);
    const failure = lines.find((l) => l.msg === "Job failed");
    expect(failure).toMatchObject({ delivery: "bad-delivery", kind: "rca" });
    expect(queue.stats().counts.failed).toBe(1);
  });

  it("drains on shutdown: runs debounced work now, refuses new jobs", async () => {
    const { queue, ran } = setup();
    queue.enqueue(impactJob(3, "pending"));
    const result = await queue.drain(1_000);
    expect(result).toEqual({ drained: true, abandoned: [] });
    expect(ran).toHaveLength(1);
    expect(queue.enqueue(rcaJob(9))).toBe("rejected");
  });

  it("names the deliveries it could not finish when the drain times out", async () => {
    const { queue, timers, lines } = setup({ run: () => new Promise(() => {}) });
    queue.enqueue(rcaJob(1, "stuck"));
    const draining = queue.drain(5_000);
    await tick();
    timers.advance(5_000);
    await expect(draining).resolves.toEqual({ drained: false, abandoned: ["stuck"] });
    expect(lines.find((l) => l.msg.startsWith("Queue drain timed out"))).toMatchObject({ deliveries: ["stuck"] });
  });
});
