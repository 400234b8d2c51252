import type { JobProcessor } from "../jobs/run-job.js";
import type { CommandHandler } from "./run-command.js";

/** `/insight impact` on a PR: the same analysis as a push, on the PR's current head, drafts included. */
export function impactCommand(process: JobProcessor<"pr-impact">): CommandHandler {
  return (job, _command, ctx) =>
    process(
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
}
