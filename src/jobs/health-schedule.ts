import { createHash } from "node:crypto";
import type { Logger } from "probot";
import type { RepoRef } from "../core/github.js";
import type { HealthJob, JobQueue } from "./types.js";

/**
 * A fixed offset in [0, jitter × interval) per installation, from a hash of its id: scans of
 * different installations spread over the interval instead of starting together, and one
 * installation keeps its slot across restarts.
 */
export function jitterOffsetMs(installationId: number, intervalMs: number, jitter: number): number {
  const unit = createHash("sha256").update(`health:${installationId}`).digest().readUInt32BE(0) / 2 ** 32;
  return Math.floor(unit * Math.min(1, Math.max(0, jitter)) * intervalMs);
}

/** The first slot at or after `now` on the installation's grid: its offset plus whole intervals. */
export function nextScanAt(installationId: number, intervalMs: number, jitter: number, now: number): number {
  const offset = jitterOffsetMs(installationId, intervalMs, jitter);
  return offset + Math.ceil((now - offset) / intervalMs) * intervalMs;
}

/** Installations and their repositories (`only`: just these installations). */
export type ScheduleTargets = (only?: number[]) => Promise<Array<{ installationId: number; repos: RepoRef[] }>>;

/**
 * Enqueues a health job per repository of each installation at its slot. A tick every minute
 * looks for installations that are due; the installation list is read again every 30 minutes.
 * Jobs are keyed by slot, so a redelivered tick cannot scan twice.
 */
export class HealthScheduler {
  readonly #next = new Map<number, number>();
  #targets: Awaited<ReturnType<ScheduleTargets>> = [];
  #listedAt = -Infinity;
  #timer?: NodeJS.Timeout;

  constructor(
    private readonly o: {
      intervalMs: number;
      jitter: number;
      targets: ScheduleTargets;
      queue: Pick<JobQueue, "enqueue">;
      log: Pick<Logger, "info" | "warn">;
      now?: () => number;
    },
  ) {}

  nextFor(installationId: number): number | undefined {
    return this.#next.get(installationId);
  }

  /** One pass: refresh the list when stale, enqueue what is due, move each due installation to its next slot. */
  async tick(): Promise<HealthJob[]> {
    const now = (this.o.now ?? Date.now)();
    if (now - this.#listedAt >= 30 * 60_000) {
      try {
        this.#targets = await this.o.targets();
        this.#listedAt = now;
      } catch (err) {
        this.o.log.warn({ err: (err as Error).message }, "Health schedule: installations could not be listed");
      }
    }
    const enqueued: HealthJob[] = [];
    for (const t of this.#targets) {
      if (!this.#next.has(t.installationId))
        this.#next.set(t.installationId, nextScanAt(t.installationId, this.o.intervalMs, this.o.jitter, now));
      const due = this.#next.get(t.installationId)!;
      if (now < due) continue;
      for (const repo of t.repos) {
        const job: HealthJob = {
          id: `schedule:${due}:health:${t.installationId}:${repo.owner}/${repo.repo}`,
          delivery: `schedule:${due}`,
          installationId: t.installationId,
          repo,
          actor: "insight",
          kind: "health",
          trigger: "schedule",
          coalesceKey: `health:${repo.owner}/${repo.repo}`,
        };
        await this.o.queue.enqueue(job);
        enqueued.push(job);
      }
      this.#next.set(t.installationId, nextScanAt(t.installationId, this.o.intervalMs, this.o.jitter, due + 1));
      this.o.log.info({ installation: t.installationId, repos: t.repos.length }, "Health scans enqueued");
    }
    return enqueued;
  }

  start(): void {
    const loop = () => {
      void this.tick().finally(() => {
        this.#timer = setTimeout(loop, 60_000).unref();
      });
    };
    loop();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }
}
