import { fullName } from "../core/github.js";
import type { Services } from "../pipeline/services.js";
import { fixRendering, renderFixPlan } from "../render/fix.js";
import { pushFix } from "../remediation/execute.js";
import { fixBranch, type Remediation } from "../remediation/fix-pull.js";
import { fixRisk } from "../pipeline/fix.js";
import { setIncidentStatus } from "../remediation/incident-status.js";
import { readRcaState } from "../remediation/rca-state.js";
import { githubGit } from "../changes/github-git.js";
import { planRevert } from "../remediation/revert-plan.js";
import { migrationRunbook, withMigrationStatus } from "../remediation/migration-runbook.js";
import { LEVELS } from "../config/repo-config.js";
import type { CommandHandler } from "./run-command.js";
import { refuse } from "./reply.js";

/** Below this, the top hypothesis is a guess: a fix needs it named explicitly (`/insight fix h1`). */
const MIN_CONFIDENCE = 0.35;

/**
 * `/insight fix [h<n>]` on an analysed incident: the plan (a revert of the suspect PR, or a
 * rollback of its configuration change) with its own blast radius, shown on the incident before
 * anything is pushed; then branch `insight/fix-<issue>` and a draft PR that waits for approval.
 */
export function fixCommand(s: Services, r: Remediation): CommandHandler {
  return async (job, command, ctx) => {
    const { octokit, writer } = ctx;
    if (job.actorId === undefined)
      return refuse(
        job,
        ctx,
        "fix.plan",
        "no user id",
        "I cannot tell who asked for this fix (the event carries no user id), so I will not propose one.",
      );
    const rca = await readRcaState(octokit, job.repo, job.issueNumber);
    if (!rca)
      return refuse(
        job,
        ctx,
        "fix.plan",
        "no analysis",
        "There is no analysis on this issue yet: run `/insight rca` first (or add the incident label), then `/insight fix`.",
      );
    const pick = command.positional[0] ?? command.args.hypothesis;
    const h = pick ? rca.hypotheses.find((x) => x.id === pick.toLowerCase()) : rca.hypotheses[0];
    if (!h)
      return refuse(
        job,
        ctx,
        "fix.plan",
        "unknown hypothesis",
        `There is no hypothesis \`${pick ?? "h1"}\` in the analysis (it has ${rca.hypotheses.map((x) => `\`${x.id}\``).join(", ") || "none"}).`,
      );
    if (!pick && h.confidence < MIN_CONFIDENCE) {
      return refuse(
        job,
        ctx,
        "fix.plan",
        "low confidence",
        `The top hypothesis, ${h.id} "${h.title}", has ${Math.round(h.confidence * 100)}% confidence: a fix on that evidence would be a guess. If you have confirmed it, name it: \`/insight fix ${h.id}\`.`,
      );
    }
    const number = /^#(\d+)$/.exec(h.suspect ?? "")?.[1];
    if (!number) {
      return refuse(
        job,
        ctx,
        "fix.plan",
        "no change to revert",
        `${h.id} "${h.title}" is not a pull request of this repository, so there is no change to revert${h.suspect ? ` (${h.suspect} must be rolled back where it was made)` : ""}. Its next step: see the analysis. Another hypothesis can be named: \`/insight fix h2\`.`,
      );
    }
    const planned = await planRevert(githubGit(octokit, job.repo), {
      pullNumber: Number(number),
      kind: h.category === "config" ? "config-rollback" : "revert",
      incident: job.issueNumber,
      branch: fixBranch(job.issueNumber),
      config: ctx.config,
    });
    if (!planned.ok)
      return refuse(job, ctx, "fix.plan", "cannot revert", `I cannot propose a fix for ${h.id}: ${planned.reason}`, {
        target: Number(number),
      });
    // The cause first: a migration still running (or that ran) gets its runbook as step 1, the revert is step 2.
    const runbook = migrationRunbook(h, planned.plan);
    const plan = withMigrationStatus({
      ...planned.plan,
      hypothesis: { id: h.id, title: h.title, category: h.category, confidence: h.confidence },
      ...(runbook ? { runbook } : {}),
    });
    plan.risk = await fixRisk(s, ctx, job.repo, plan);
    if (LEVELS.indexOf(plan.risk.level) >= LEVELS.indexOf("high")) plan.approvalsNeeded = ctx.config.approvers.riskyFix;

    // The plan is on the incident before anything is pushed.
    const meta = {
      kind: plan.kind,
      target: plan.target.number,
      branch: plan.branch,
      files: plan.files.map((f) => f.path),
      requester: job.actor,
    };
    const sticky = await writer.upsertSticky({
      repo: job.repo,
      issueNumber: job.issueNumber,
      key: "fix",
      body: renderFixPlan(plan, { status: writer.dryRun ? "dry-run" : "planned", requester: job.actor }),
      metadata: meta,
      reason: "fix plan",
    });
    const pushed = await pushFix(octokit, writer, r, job.repo, plan, {
      requester: { id: job.actorId, login: job.actor },
      rendered: fixRendering(plan, { summary: rca.summary, severity: rca.severity }),
    });
    await writer.recordDecision({
      action: "fix.propose",
      target: `${fullName(job.repo)}#${job.issueNumber}`,
      reason: `${plan.kind} of #${plan.target.number}`,
      outcome: "decision",
      detail: { pull: pushed.pull.number, commit: pushed.commit, requester: job.actor, hypothesis: h.id, files: meta.files },
    });
    if (writer.dryRun) return;
    await writer.upsertSticky({
      repo: job.repo,
      issueNumber: job.issueNumber,
      key: "fix",
      body: renderFixPlan(plan, { status: "proposed", requester: job.actor, pull: pushed.pull }),
      metadata: { ...meta, pull: pushed.pull.number, commit: pushed.commit },
      reason: "fix proposed",
      existing: { id: sticky.id },
    });
    await setIncidentStatus(ctx, job.repo, job.issueNumber, "fix-proposed", `fix proposed in #${pushed.pull.number}`);
  };
}
