import type { Context } from "probot";
import { parseCommand } from "../commands/parse-command.js";
import { isInsightBody } from "../github/metadata.js";
import { enqueue, jobBase, skip, type HandlerDeps } from "./job-base.js";

/** A new comment with `/insight <command>` → a command job (permissions are checked there). */
export function onIssueComment(deps: HandlerDeps) {
  return async (context: Context<"issue_comment.created">) => {
    const { comment, issue } = context.payload;
    if (comment.user?.type === "Bot" || context.isBot) return skip(context, "Comment by a bot");
    if (isInsightBody(comment.body)) return skip(context, "Comment carries Insight's own marker");
    const parsed = parseCommand(comment.body);
    if (!parsed) return skip(context, "No /insight command in the comment");
    const base = jobBase(context, "command", comment.id);
    if (!base) return skip(context, "No installation or repository on the event");
    await enqueue(context, deps, {
      ...base,
      kind: "command",
      issueNumber: issue.number,
      isPullRequest: !!issue.pull_request,
      commentId: comment.id,
      commentCreatedAt: comment.created_at,
      publicRepo: context.payload.repository.private === false,
      authorAssociation: comment.author_association,
      command: parsed.ok ? parsed.command : { invalid: parsed.error },
    });
  };
}
