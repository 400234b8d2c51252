import type { Context } from "probot";
import type { JobQueue, PrImpactJob, PrImpactTrigger } from "../jobs/types.js";

export type HandlerDeps = {
  queue: JobQueue;
  /** This App's id, to tell its own check runs from other CI. */
  appId: number | undefined;
};

type RepoPayload = {
  installation?: { id: number } | null;
  repository?: { name: string; owner: { login: string } } | null;
  sender?: { login: string; id?: number; type?: string } | null;
};

/**
 * The identity every job carries, from the webhook: delivery id, installation, repository, actor.
 * Undefined when the payload has no installation or repository (nothing to act on).
 */
export function jobBase(context: Context, kind: string, subject: string | number) {
  const payload = context.payload as RepoPayload;
  if (!payload.installation?.id || !payload.repository) return undefined;
  return {
    id: `${context.id}:${kind}:${subject}`,
    delivery: context.id,
    installationId: payload.installation.id,
    repo: { owner: payload.repository.owner.login, repo: payload.repository.name },
    actor: payload.sender?.login ?? "unknown",
    ...(typeof payload.sender?.id === "number" ? { actorId: payload.sender.id } : {}),
  };
}

/** Enqueues and logs the outcome in one line; resolves once a shared queue stored the job (else the webhook fails, redeliverable). */
export async function enqueue(context: Context, deps: HandlerDeps, job: Parameters<JobQueue["enqueue"]>[0]): Promise<void> {
  const outcome = await deps.queue.enqueue(job);
  context.log.info({ delivery: job.delivery, kind: job.kind, jobId: job.id, outcome }, "Job enqueued");
}

export function skip(context: Context, reason: string): void {
  context.log.debug({ event: context.name, delivery: context.id }, reason);
}

/** The PR-impact job for a pull request; all of a PR's triggers share one coalescing key. */
export function prImpactJob(
  context: Context,
  pr: { number: number; headSha: string; draft: boolean },
  trigger: PrImpactTrigger,
): PrImpactJob | undefined {
  const base = jobBase(context, "pr-impact", pr.number);
  if (!base) return undefined;
  return {
    ...base,
    kind: "pr-impact",
    coalesceKey: `pr-impact:${base.repo.owner}/${base.repo.repo}#${pr.number}`,
    pullNumber: pr.number,
    headSha: pr.headSha,
    draft: pr.draft,
    trigger,
  };
}
