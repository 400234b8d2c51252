import type { PullRefs } from "../changes/github-checks.js";
import type { RepoRef } from "../core/github.js";
import type { JobOf } from "../jobs/types.js";
import type { JobContext } from "../jobs/run-job.js";
import type { CommandHandler } from "./run-command.js";

/** Re-reads the CI section of a pull request at its current head (the CI failure pipeline); `read`: the PR as already read. */
export type CiRefresh = (ctx: JobContext, repo: RepoRef, pullNumber: number, read?: PullRefs) => Promise<void>;

/** The PR impact processor; it may return the PR as it read it (`createImpactProcessor` does), so the CI refresh does not read it again. */
export type ImpactRun = (job: JobOf<"pr-impact">, ctx: JobContext) => Promise<PullRefs | undefined>;

/**
 * `/insight impact` on a PR: the same analysis as a push, on the PR's current head, drafts
 * included; then, when given `refreshCi`, the CI failure section of that head again, so the one
 * comment says both what the change may break and what its CI says now.
 */
export function impactCommand(process: ImpactRun, refreshCi?: CiRefresh): CommandHandler {
  return async (job, _command, ctx) => {
    const read = await process(
      {
        ...job,
        kind: "pr-impact",
        id: `${job.id}:impact`,
        coalesceKey: undefined,
        pullNumber: job.issueNumber,
        headSha: "",
        draft: false,
        trigger: "command",
      },
      ctx,
    );
    await refreshCi?.(ctx, job.repo, job.issueNumber, read);
  };
}
