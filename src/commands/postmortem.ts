import { readMetadata } from "../github/metadata.js";
import { findStickyComment } from "../github/sticky-comment.js";
import { renderPostmortem, type RcaMeta } from "../render/postmortem.js";
import type { CommandHandler } from "./run-command.js";
import { REPLY_MARKER, replyBody } from "../core/identifiers.js";

/** `/insight postmortem`: a draft from this issue's RCA; asks for an RCA first when there is none. */
export const postmortemCommand: CommandHandler = async (job, _command, ctx) => {
  const rca = await findStickyComment(ctx.octokit, job.repo, job.issueNumber, "rca");
  const meta = readMetadata<RcaMeta>(rca?.body, "rca");
  if (!meta?.timeline) {
    await ctx.writer.createComment(
      job.repo,
      job.issueNumber,
      replyBody("There is no root-cause analysis on this issue yet: run `/insight rca` first, then `/insight postmortem`."),
      "postmortem without RCA",
    );
    return;
  }
  const { data: issue } = await ctx.octokit.rest.issues.get({ ...job.repo, issue_number: job.issueNumber });
  await ctx.writer.createComment(
    job.repo,
    job.issueNumber,
    `${REPLY_MARKER}\n${renderPostmortem(meta, { title: issue.title, number: job.issueNumber })}`,
    "postmortem draft",
  );
};
