import { fullName } from "../github/types.js";
import type { JobContext } from "../jobs/run-job.js";
import type { CommandJob } from "../jobs/types.js";

const REPLY_MARKER = "<!-- insight:reply -->";

/** Answers a command on its thread (a new comment, marked as Insight's reply). */
export async function reply(job: Pick<CommandJob, "repo" | "issueNumber" | "actor">, ctx: Pick<JobContext, "writer">, text: string): Promise<void> {
  await ctx.writer.createComment(job.repo, job.issueNumber, `${REPLY_MARKER}\n${text}`, `reply to /insight command by ${job.actor}`);
}

/** Refuses a command: an audit entry with the reason, then a polite answer saying what to do instead. */
export async function refuse(job: Pick<CommandJob, "repo" | "issueNumber" | "actor" | "commentId">, ctx: Pick<JobContext, "writer">, action: string, why: string, text: string, detail: Record<string, unknown> = {}): Promise<void> {
  await ctx.writer.recordDecision({
    action,
    target: `${fullName(job.repo)}#${job.issueNumber}`,
    reason: why,
    outcome: "refused",
    detail: { commentId: job.commentId, ...detail },
  });
  await reply(job, ctx, text);
}
