import { describe, expect, it } from "@jest/globals";
import { InProcessQueue } from "../../../src/jobs/in-process-queue.js";
import { impactJob } from "../../helpers/jobs.js";
import { captureLogger } from "../../helpers/logger.js";
import { ManualTimers } from "../../helpers/manual-timers.js";

describe("drain of a coalesced job that does not finish", () => {
  it("names its delivery once in the log and in the result", async () => {
    const timers = new ManualTimers();
    const { log, lines } = captureLogger();
    const queue = new InProcessQueue({ log, timers, concurrency: 1, debounceMs: 10_000, run: () => new Promise(() => {}) });
    queue.enqueue(impactJob(4, "head1", "stuck-push"));
    const draining = queue.drain(5_000);
    await new Promise((r) => setImmediate(r));
    timers.advance(5_000);
    await expect(draining).resolves.toEqual({ drained: false, abandoned: ["stuck-push"] });
    const logged = lines.filter((l) => l.msg.startsWith("Queue drain timed out"));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ deliveries: ["stuck-push"] });
  });
});
