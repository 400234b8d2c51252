import type { ChangeSet } from "../core/change-set.js";
import { fullName, type RepoRef } from "../core/github.js";
import type { RepoConfig } from "../config/repo-config.js";
import { impactPipeline } from "./impact.js";
import type { Services } from "./services.js";
import type { CollectParams } from "../signals/collect.js";
import type { FixPlan } from "../remediation/types.js";

/** The fix's own blast radius: the plan as a change set through the PR-impact pipeline. */
export async function fixRisk(
  s: Services,
  ctx: { config: RepoConfig; log: CollectParams["log"] },
  repo: RepoRef,
  plan: FixPlan,
): Promise<NonNullable<FixPlan["risk"]>> {
  const changes: ChangeSet = {
    ref: `${fullName(repo)}:${plan.branch}`,
    base: { ref: plan.base.ref, sha: plan.base.sha },
    head: { ref: plan.branch, sha: plan.base.sha },
    files: plan.files.map((f) => ({
      path: f.path,
      status: f.action === "delete" ? "removed" : "modified",
      additions: f.additions,
      deletions: f.deletions,
      patch: f.patch,
    })),
    filesNotListed: 0,
    changedFiles: plan.files.length,
  };
  // The deterministic part only: no capsule lookups or model notes on a fix.
  const { assessment: a } = await impactPipeline(
    { ...s, evomap: undefined, llm: undefined },
    { changes, config: ctx.config, repo: fullName(repo), log: ctx.log, now: Date.now() },
  );
  return {
    score: a.score,
    level: a.level,
    factors: a.factors.map(({ name, points, reason }) => ({ name, points, reason })),
    notAnalysed: a.notAnalysed,
  };
}
