import { describe, expect, it } from "@jest/globals";
import { InProcessQueue } from "../../../src/jobs/in-process-queue.js";
import type { CommandJob, Job } from "../../../src/jobs/types.js";
import { rcaJob } from "../../helpers/jobs.js";
import { captureLogger } from "../../helpers/logger.js";
import { ManualTimers } from "../../helpers/manual-timers.js";

/**
 * The denial of service of the security review: 200 comments on one repository ran on one shared
 * FIFO, so every other installation waited behind them, and no user was limited. Now: round-robin
 * between installations and, inside one, between repositories; a per-installation concurrency
 * limit; a per-user command rate limit with one clear refusal. Clocks are the test's own.
 */
const tick = () => new Promise((resolve) => setImmediate(resolve));
const on = (job: Job, installationId: number, owner: string, repo: string, delivery: string): Job => ({
  ...job,
  id: `${delivery}:${job.kind}`,
  delivery,
  installationId,
  repo: { owner, repo },
});
const command = (n: number, actor: string, installationId = 1, repo = "api"): CommandJob => ({
  kind: "command",
  id: `c-${actor}-${n}:command`,
  delivery: `c-${actor}-${n}`,
  installationId,
  repo: { owner: "acme", repo },
  actor,
  issueNumber: 1,
  isPullRequest: false,
  commentId: n,
  command: { name: "rca", args: {}, positional: [], line: 1 },
});

/** A queue whose jobs finish only when the test says so. */
function setup(options: Record<string, unknown> = {}) {
  const timers = new ManualTimers();
  const started: Job[] = [];
  const finish = new Map<string, () => void>();
  const { log, lines } = captureLogger();
  const queue = new InProcessQueue({
    log,
    timers,
    now: () => timers.now,
    debounceMs: 0,
    concurrency: 1,
    run: (job) =>
      new Promise<void>((resolve) => {
        started.push(job);
        finish.set(job.id, resolve);
      }),
    ...options,
  } as ConstructorParameters<typeof InProcessQueue>[0]);
  const done = async (job: Job) => {
    finish.get(job.id)!();
    await tick();
  };
  return { queue, timers, started, done, lines };
}

describe("fair queueing (attack of the security review)", () => {
  it("runs another installation's job next, not after a flood of 50", async () => {
    const { queue, started, done } = setup();
    for (let i = 0; i < 50; i++) queue.enqueue(on(rcaJob(i), 1, "flood", "api", `f${i}`));
    queue.enqueue(on(rcaJob(1), 2, "quiet", "app", "q1"));
    await tick();
    await done(started[0]!);
    expect(started[1]!.repo.owner).toBe("quiet");
  });

  it("alternates between repositories of one installation", async () => {
    const { queue, started, done } = setup();
    for (let i = 0; i < 20; i++) queue.enqueue(on(rcaJob(i), 1, "acme", "busy", `b${i}`));
    queue.enqueue(on(rcaJob(1), 1, "acme", "calm", "c1"));
    queue.enqueue(on(rcaJob(2), 1, "acme", "calm", "c2"));
    await tick();
    for (let i = 0; i < 4; i++) await done(started[i]!);
    expect(started.slice(0, 5).map((j) => j.repo.repo)).toEqual(["busy", "calm", "busy", "calm", "busy"]);
  });

  it("holds one installation to its concurrency limit while others run", async () => {
    const { queue, started } = setup({ concurrency: 4, perInstallationConcurrency: 2 });
    for (let i = 0; i < 10; i++) queue.enqueue(on(rcaJob(i), 1, "flood", "api", `f${i}`));
    queue.enqueue(on(rcaJob(1), 2, "quiet", "app", "q1"));
    await tick();
    expect(started.map((j) => j.installationId)).toEqual([1, 1, 2]);
    expect(queue.stats().running).toBe(3);
  });
});

describe("per-user command rate limit", () => {
  it("admits 10 commands a minute per user, answers the 11th with one refusal, drops the rest, and admits again a minute later", async () => {
    const { queue, timers, started, done } = setup({ concurrency: 50, commandRate: { limit: 10, windowMs: 60_000 } });
    const results = Array.from({ length: 14 }, (_, i) => queue.enqueue(command(i, "mallory")));
    expect(results.slice(0, 10)).toEqual(Array(10).fill("queued"));
    expect(results.slice(10)).toEqual(["limited", "limited", "limited", "limited"]);
    expect(queue.enqueue(command(1, "alice"))).toBe("queued"); // another user is not affected
    await tick();
    const refusals = started.filter((j) => j.kind === "command" && j.limited);
    expect(refusals).toHaveLength(1); // one reply explains; the flood gets no reply per comment
    expect((refusals[0] as CommandJob).limited).toMatchObject({ limit: 10, windowMs: 60_000 });
    expect(started.filter((j) => j.kind === "command" && !j.limited)).toHaveLength(11);
    expect(queue.stats().counts.limited).toBe(4);
    for (const j of [...started]) await done(j);
    timers.advance(60_000);
    expect(queue.enqueue(command(20, "mallory"))).toBe("queued");
  });
});
