import type { RepoRef } from "../core/github.js";
import { replyBody } from "../core/identifiers.js";
import type { GitHubWriter } from "./writer.js";

/** Answers someone on a thread (a new comment, marked as Insight's reply so Insight never answers itself). */
export async function reply(
  to: { repo: RepoRef; issueNumber: number; actor: string },
  ctx: { writer: GitHubWriter },
  text: string,
): Promise<void> {
  await ctx.writer.createComment(to.repo, to.issueNumber, replyBody(text), `reply to /insight command by ${to.actor}`);
}
