import { assessImpact } from "../analysis/assess-impact.js";
import { classifyChanges } from "../analysis/classify-change.js";
import type { ChangeSet } from "../changes/types.js";
import { fullName, type RepoRef } from "../github/types.js";
import { collectForChange, type ImpactServices } from "../jobs/processors/pr-impact.js";
import type { JobContext } from "../jobs/run-job.js";
import type { FixPlan } from "./types.js";

/** The fix's own blast radius: the plan as a change set through the PR-impact pipeline. */
export async function fixRisk(s: ImpactServices, ctx: Pick<JobContext, "config" | "log">, repo: RepoRef, plan: FixPlan): Promise<NonNullable<FixPlan["risk"]>> {
  const changes: ChangeSet = {
    ref: `${fullName(repo)}:${plan.branch}`,
    base: { ref: plan.base.ref, sha: plan.base.sha },
    head: { ref: plan.branch, sha: plan.base.sha },
    files: plan.files.map((f) => ({ path: f.path, status: f.action === "delete" ? "removed" : "modified", additions: f.additions, deletions: f.deletions, patch: f.patch })),
    filesNotListed: 0,
    changedFiles: plan.files.length,
  };
  const files = classifyChanges(changes, ctx.config);
  const { collection, noCollection } = await collectForChange(s, fullName(repo), files, ctx.config, ctx.log);
  const a = assessImpact({ changes, config: ctx.config, collection, noCollection, files });
  return { score: a.score, level: a.level, factors: a.factors.map(({ name, points, reason }) => ({ name, points, reason })), notAnalysed: a.notAnalysed };
}
