import type { Context } from "probot";
import { enqueue, jobBase, skip, type HandlerDeps } from "./job-base.js";

/**
 * issues.opened with labels, issues.labeled → an RCA job. Whether a label is the incident label
 * is the repository config's to say, so the job decides; an issue opened without any label
 * cannot be an incident yet and costs nothing.
 */
export function onIssueLabelled(deps: HandlerDeps) {
  return async (context: Context<"issues.opened" | "issues.labeled">) => {
    const { issue } = context.payload;
    if (issue.state !== "open") return skip(context, "Issue is not open");
    const labels =
      context.payload.action === "labeled"
        ? [context.payload.label?.name].filter((n): n is string => !!n)
        : (issue.labels ?? []).map((l) => (typeof l === "string" ? l : l.name));
    if (labels.length === 0) return skip(context, "Issue has no label");
    const base = jobBase(context, "rca", issue.number);
    if (!base) return skip(context, "No installation or repository on the event");
    await enqueue(context, deps, { ...base, kind: "rca", issueNumber: issue.number, trigger: context.payload.action, labels });
  };
}

/** issues.closed → the repository memory indexes it (the job checks it is an incident with an RCA). */
export function onIssueClosed(deps: HandlerDeps) {
  return async (context: Context<"issues.closed">) => {
    const { issue } = context.payload;
    if (issue.pull_request) return skip(context, "A pull request, not an issue");
    const base = jobBase(context, "history", issue.number);
    if (!base) return skip(context, "No installation or repository on the event");
    await enqueue(context, deps, { ...base, kind: "history", event: "issue-closed", number: issue.number });
  };
}
