import { fullName } from "../core/github.js";
import { reply } from "../github/reply.js";
import type { JobContext } from "../jobs/run-job.js";
import type { CommandJob } from "../jobs/types.js";

export { reply };

/**
 * Refuses a command: an audit entry with the reason, then a polite answer saying what to do instead.
 * `answer: false` audits the refusal without answering (a rate-limited flood of them).
 */
export async function refuse(
  job: Pick<CommandJob, "repo" | "issueNumber" | "actor" | "commentId">,
  ctx: Pick<JobContext, "writer">,
  action: string,
  why: string,
  text: string,
  detail: Record<string, unknown> = {},
  answer = true,
): Promise<void> {
  await ctx.writer.recordDecision({
    action,
    target: `${fullName(job.repo)}#${job.issueNumber}`,
    reason: answer ? why : `${why} (not answered: refusal replies to non-collaborators are rate-limited)`,
    outcome: "refused",
    detail: { commentId: job.commentId, ...detail, ...(answer ? {} : { answered: false }) },
  });
  if (answer) await reply(job, ctx, text);
}
