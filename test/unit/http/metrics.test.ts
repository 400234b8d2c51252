import { describe, expect, it } from "@jest/globals";
import { InsightMetrics } from "../../../src/http/metrics.js";
import type { JobQueue } from "../../../src/jobs/types.js";
import { impactJob, rcaJob } from "../../helpers/jobs.js";

const queue = {
  stats: () => ({
    pending: 3,
    running: 1,
    counts: { enqueued: 5, coalesced: 1, duplicate: 0, rejected: 0, completed: 2, failed: 1 },
    extra: { "dead-letter": 2 },
  }),
} as unknown as JobQueue;

describe("/metrics (prom-client)", () => {
  it("times jobs by kind and outcome, keeping the error for the queue", async () => {
    const m = new InsightMetrics({ defaults: false });
    const run = m.timeJobs(async (job) => {
      if (job.kind === "rca") throw new Error("boom");
    });
    await run(impactJob(1, "a"));
    await expect(run(rcaJob(2))).rejects.toThrow("boom");
    const text = await m.render();
    expect(text).toMatch(/insight_job_duration_seconds_count\{kind="pr-impact",outcome="ok"\} 1/);
    expect(text).toMatch(/insight_job_duration_seconds_count\{kind="rca",outcome="error"\} 1/);
  });

  it("reports source latency and errors by adapter, rate-limit headroom, queue depth by state and the audit head", async () => {
    const m = new InsightMetrics({ defaults: false });
    m.watch({ queue: () => queue, audit: { head: async () => ({ seq: 41, hash: "ab" }) } });
    m.observeSource({ adapter: "prometheus", status: "ok", elapsedMs: 120 });
    m.observeSource({ adapter: "postgres", status: "error", elapsedMs: 10_000 });
    m.observeRateLimit(7, { "x-ratelimit-remaining": "4990" });
    m.observeRateLimit(7, {});
    const text = await m.render();
    expect(text).toContain('insight_source_duration_seconds_bucket{le="0.25",adapter="prometheus",status="ok"} 1');
    expect(text).toContain('insight_source_errors_total{adapter="postgres"} 1');
    expect(text).not.toContain('insight_source_errors_total{adapter="prometheus"}');
    expect(text).toContain('insight_github_rate_limit_remaining{installation="7"} 4990');
    expect(text).toContain('insight_queue_jobs{state="pending"} 3');
    expect(text).toContain('insight_queue_jobs{state="dead-letter"} 2');
    expect(text).toContain('insight_jobs_total{outcome="completed"} 2');
    expect(text).toContain("insight_audit_head_seq 41");
  });
});
