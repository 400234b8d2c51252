import type { RepoRef } from "../core/github.js";
import type { JobContext, JobProcessor } from "../jobs/run-job.js";
import type { CommandHandler } from "./run-command.js";

/** Re-reads the CI section of a pull request at its current head (the CI failure pipeline). */
export type CiRefresh = (ctx: JobContext, repo: RepoRef, pullNumber: number) => Promise<void>;

/**
 * `/insight impact` on a PR: the same analysis as a push, on the PR's current head, drafts
 * included; then, when given `refreshCi`, the CI failure section of that head again, so the one
 * comment says both what the change may break and what its CI says now.
 */
export function impactCommand(process: JobProcessor<"pr-impact">, refreshCi?: CiRefresh): CommandHandler {
  return async (job, _command, ctx) => {
    await process(
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
    await refreshCi?.(ctx, job.repo, job.issueNumber);
  };
}
