import type { Queue } from "bullmq";
import type { Logger } from "probot";
import type { QueuedData } from "./bullmq-queue.js";
import { jitterOffsetMs, nextScanAt, type ScheduleTargets } from "./health-schedule.js";
import type { HealthJob, JobQueue } from "./types.js";

const REFRESH = "health-refresh";
const INSTALLATION = "health-installation";
const PREFIX = `${INSTALLATION}:`;

/**
 * The health schedule on BullMQ job schedulers (repeatable jobs), shared by every worker: a
 * `health-refresh` job every 30 minutes lists the installations and keeps one scheduler per
 * installation (every interval, at its jittered offset); each of those enqueues a health job per
 * repository, keyed by slot so two workers cannot scan one slot twice.
 */
export class HealthJobs {
  constructor(
    private readonly o: {
      queue: Queue<QueuedData>;
      jobs: Pick<JobQueue, "enqueue">;
      intervalMs: number;
      jitter: number;
      targets: ScheduleTargets;
      log: Pick<Logger, "info" | "warn">;
    },
  ) {}

  /** Upserts the refresh scheduler (idempotent: every worker calls it at start). */
  async start(): Promise<void> {
    await this.o.queue.upsertJobScheduler(REFRESH, { every: 30 * 60_000 }, { name: REFRESH, data: { coalesceKey: REFRESH } });
  }

  /** Runs a scheduler's job (the worker hands over jobs named `health-*`). */
  async run(name: string, data: unknown): Promise<void> {
    if (name === REFRESH) return this.#refresh();
    if (name === INSTALLATION) return this.#scan((data as { installationId: number }).installationId);
  }

  async #refresh(): Promise<void> {
    const targets = await this.o.targets();
    const want = new Set(targets.map((t) => t.installationId));
    for (const id of want) {
      await this.o.queue.upsertJobScheduler(
        `${PREFIX}${id}`,
        { every: this.o.intervalMs, offset: jitterOffsetMs(id, this.o.intervalMs, this.o.jitter) },
        { name: INSTALLATION, data: { installationId: id } as unknown as QueuedData },
      );
    }
    for (const s of await this.o.queue.getJobSchedulers(0, -1)) {
      if (s.key.startsWith(PREFIX) && !want.has(Number(s.key.slice(PREFIX.length)))) await this.o.queue.removeJobScheduler(s.key);
    }
    this.o.log.info({ installations: want.size }, "Health schedule refreshed");
  }

  async #scan(installationId: number): Promise<void> {
    const target = (await this.o.targets([installationId])).find((t) => t.installationId === installationId);
    if (!target) return;
    // The installation's grid slot nearest now: the same for every worker, so job ids dedupe.
    const due = nextScanAt(installationId, this.o.intervalMs, this.o.jitter, Date.now() - this.o.intervalMs / 2);
    for (const repo of target.repos) {
      const job: HealthJob = {
        id: `schedule:${due}:health:${installationId}:${repo.owner}/${repo.repo}`,
        delivery: `schedule:${due}`,
        installationId,
        repo,
        actor: "insight",
        kind: "health",
        trigger: "schedule",
        coalesceKey: `health:${repo.owner}/${repo.repo}`,
      };
      await this.o.jobs.enqueue(job);
    }
    this.o.log.info({ installation: installationId, repos: target.repos.length }, "Health scans enqueued");
  }
}
