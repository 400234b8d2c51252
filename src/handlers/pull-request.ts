import type { Context } from "probot";
import { enqueue, jobBase, prImpactJob, skip, type HandlerDeps } from "./job-base.js";

const FIX_BRANCH = /^insight\/(fix|rollback)-\d+$/;

/**
 * opened / reopened / ready_for_review / synchronize → one coalescing PR-impact job; a push to an
 * Insight fix branch of this repository also → a fix-push job, which revokes an approval at once.
 */
export function onPullRequestChanged(deps: HandlerDeps) {
  return async (
    context: Context<"pull_request.opened" | "pull_request.reopened" | "pull_request.ready_for_review" | "pull_request.synchronize">,
  ) => {
    const pr = context.payload.pull_request;
    if (pr.state !== "open") return skip(context, "Pull request is not open");
    const job = prImpactJob(context, { number: pr.number, headSha: pr.head.sha, draft: pr.draft ?? false }, context.payload.action);
    if (!job) return skip(context, "No installation or repository on the event");
    await enqueue(context, deps, job);
    if (
      context.payload.action === "synchronize" &&
      FIX_BRANCH.test(pr.head.ref) &&
      pr.head.repo?.full_name === context.payload.repository.full_name
    ) {
      const base = jobBase(context, "fix-push", pr.number)!;
      await enqueue(context, deps, { ...base, kind: "fix-push", pullNumber: pr.number, headSha: pr.head.sha, headRef: pr.head.ref });
    }
  };
}

/** closed and merged → close the loop on the incident it fixes, publish what it taught. */
export function onPullRequestClosed(deps: HandlerDeps) {
  return async (context: Context<"pull_request.closed">) => {
    const pr = context.payload.pull_request;
    if (!pr.merged || !pr.merge_commit_sha) return skip(context, "Pull request closed without merge");
    const base = jobBase(context, "pr-merged", pr.number);
    if (!base) return skip(context, "No installation or repository on the event");
    await enqueue(context, deps, {
      ...base,
      kind: "pr-merged",
      pullNumber: pr.number,
      mergeCommitSha: pr.merge_commit_sha,
      headRef: pr.head.ref,
    });
    const history = jobBase(context, "history", pr.number)!;
    await enqueue(context, deps, { ...history, kind: "history", event: "pr-merged", number: pr.number });
  };
}
