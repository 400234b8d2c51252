import type { Context } from "probot";
import { IMPACT_CHECK_NAME, REANALYZE_ACTION } from "../core/identifiers.js";
import { enqueue, jobBase, prImpactJob, skip, type HandlerDeps } from "./job-base.js";

const FAILED = new Set(["failure", "timed_out", "startup_failure"]);

type CheckApp = { id?: number | null } | null | undefined;
const isOwn = (deps: HandlerDeps, app: CheckApp, name?: string) =>
  (deps.appId !== undefined && app?.id === deps.appId) || name === IMPACT_CHECK_NAME;

/** Re-run / "Re-analyze" on Insight's own check run → a PR-impact job per pull request. */
export function onCheckRunRerun(deps: HandlerDeps) {
  return async (context: Context<"check_run.rerequested" | "check_run.requested_action">) => {
    const run = context.payload.check_run;
    if (!isOwn(deps, run.app, run.name)) return skip(context, "Not Insight's check run");
    if (context.payload.action === "requested_action" && context.payload.requested_action?.identifier !== REANALYZE_ACTION) {
      return skip(context, "Unknown check run action");
    }
    const prs = run.pull_requests ?? [];
    if (prs.length === 0) return skip(context, "Check run is not on a pull request");
    const trigger = context.payload.action === "rerequested" ? "rerequested" : "requested_action";
    for (const pr of prs) {
      const job = prImpactJob(context, { number: pr.number, headSha: run.head_sha, draft: false }, trigger);
      if (!job) return skip(context, "No installation or repository on the event");
      await enqueue(context, deps, job);
    }
  };
}

/**
 * A failed check run or suite of other CI on a pull request → CI failure analysis. Both events
 * usually come for one failure; they share a coalescing key, so the commit is analysed once.
 */
export function onCheckFailed(deps: HandlerDeps) {
  return async (context: Context<"check_run.completed" | "check_suite.completed">) => {
    const payload = context.payload;
    const item = "check_run" in payload ? payload.check_run : payload.check_suite;
    const name = "check_run" in payload ? payload.check_run.name : undefined;
    if (isOwn(deps, item.app, name)) return skip(context, "Insight's own check");
    if (!item.conclusion || !FAILED.has(item.conclusion)) return skip(context, "Check did not fail");
    const prs = item.pull_requests ?? [];
    if (prs.length === 0) return skip(context, "Check is not on a pull request");
    const base = jobBase(context, "ci-failure", item.head_sha);
    if (!base) return skip(context, "No installation or repository on the event");
    await enqueue(context, deps, {
      ...base,
      kind: "ci-failure",
      coalesceKey: `ci-failure:${base.repo.owner}/${base.repo.repo}@${item.head_sha}`,
      headSha: item.head_sha,
      pullNumbers: prs.map((p) => p.number),
      source:
        "check_run" in payload
          ? { type: "check_run", id: payload.check_run.id, name: payload.check_run.name }
          : { type: "check_suite", id: payload.check_suite.id },
    });
  };
}
