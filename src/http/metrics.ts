import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AuditLog } from "../audit/types.js";
import type { JobQueue, JobRunner } from "../jobs/types.js";
import { onSourceCollected } from "../signals/observe.js";

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The process's Prometheus metrics (prom-client, one registry per process): job durations by kind
 * and outcome, source collection latency and errors by adapter, queue depth by state, GitHub's
 * rate-limit headroom per installation and the audit chain's head. Gauges that mirror other state
 * (queue, audit head) are read when scraped, so they cannot drift.
 */
export class InsightMetrics {
  readonly registry = new Registry();
  readonly #jobs = new Histogram({
    name: "insight_job_duration_seconds",
    help: "Job run time by kind and outcome.",
    labelNames: ["kind", "outcome"],
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly #source = new Histogram({
    name: "insight_source_duration_seconds",
    help: "Time to collect one source by adapter and status.",
    labelNames: ["adapter", "status"],
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly #sourceErrors = new Counter({
    name: "insight_source_errors_total",
    help: "Source collections that ended in error, by adapter.",
    labelNames: ["adapter"],
    registers: [this.registry],
  });
  readonly #rateLimit = new Gauge({
    name: "insight_github_rate_limit_remaining",
    help: "GitHub API requests left in the current window, by installation (0 = the App's JWT).",
    labelNames: ["installation"],
    registers: [this.registry],
  });
  #queue?: () => JobQueue | undefined;
  #audit?: Pick<AuditLog, "head">;

  constructor(options: { defaults?: boolean } = {}) {
    if (options.defaults !== false) collectDefaultMetrics({ register: this.registry, prefix: "insight_process_" });
    const self = this;
    new Gauge({
      name: "insight_queue_jobs",
      help: "Jobs in the queue by state.",
      labelNames: ["state"],
      registers: [this.registry],
      async collect() {
        // Unreachable queue (Redis down): the gauge is left out of this scrape rather than failing it.
        const stats = await Promise.resolve(self.#queue?.()?.stats()).catch(() => undefined);
        if (!stats) return;
        this.set({ state: "pending" }, stats.pending);
        this.set({ state: "running" }, stats.running);
        for (const [state, n] of Object.entries(stats.extra ?? {})) this.set({ state }, n);
      },
    });
    new Counter({
      name: "insight_jobs_total",
      help: "Jobs by outcome since start.",
      labelNames: ["outcome"],
      registers: [this.registry],
      async collect() {
        const counts = (await Promise.resolve(self.#queue?.()?.stats()).catch(() => undefined))?.counts;
        this.reset();
        for (const [outcome, n] of Object.entries(counts ?? {})) this.inc({ outcome }, n);
      },
    });
    new Gauge({
      name: "insight_audit_head_seq",
      help: "Sequence number of the last audit entry.",
      registers: [this.registry],
      async collect() {
        const head = await self.#audit?.head().catch(() => undefined);
        this.set(head?.seq ?? 0);
      },
    });
  }

  /** Where the scrape-time gauges read from. */
  watch(sources: { queue?: () => JobQueue | undefined; audit?: Pick<AuditLog, "head"> }): void {
    this.#queue = sources.queue ?? this.#queue;
    this.#audit = sources.audit ?? this.#audit;
  }

  /** The runner, timed: outcome `ok`, `retry` (the queue runs it again) or `error` (the error still propagates to the queue). */
  timeJobs(run: JobRunner): JobRunner {
    return async (job, attempt) => {
      const end = this.#jobs.startTimer({ kind: job.kind });
      try {
        await run(job, attempt);
        end({ outcome: "ok" });
      } catch (err) {
        end({ outcome: attempt?.willRetry(err) ? "retry" : "error" });
        throw err;
      }
    };
  }

  observeSource(result: { adapter: string; status: string; elapsedMs: number }): void {
    this.#source.observe({ adapter: result.adapter, status: result.status }, result.elapsedMs / 1000);
    if (result.status === "error") this.#sourceErrors.inc({ adapter: result.adapter });
  }

  /** From a GitHub response's `x-ratelimit-remaining` header, when it has one. */
  observeRateLimit(installationId: number, headers: Record<string, unknown>): void {
    const remaining = Number(headers["x-ratelimit-remaining"]);
    if (headers["x-ratelimit-remaining"] !== undefined && Number.isFinite(remaining))
      this.#rateLimit.set({ installation: String(installationId) }, remaining);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The process's metrics; collection code reports here without being handed a reference. */
export const metrics = new InsightMetrics();
onSourceCollected((result) => metrics.observeSource(result));
