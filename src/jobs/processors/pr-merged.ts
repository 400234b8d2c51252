import { fullName } from "../../core/github.js";
import type { EvoMapServices } from "../../capsule/services.js";
import { capsuleForMergedFix } from "../../pipeline/merged-fix-capsule.js";
import { getFixPull, saveFixState, withFixState, type Remediation } from "../../remediation/fix-pull.js";
import { setIncidentStatus } from "../../remediation/incident-status.js";
import type { JobProcessor } from "../run-job.js";
import { REPLY_MARKER } from "../../core/identifiers.js";

const FIX_BRANCH = /^insight\/(fix|rollback)-\d+$/;

/**
 * A merged PR: when it is an Insight fix, the incident hears of it (with whether the merged commit
 * was the approved one), moves to fix-merged, and is closed as resolved when the repository asks
 * for it. A merged rollback puts the incident back to analysed. What the fix taught is published
 * to EvoMap as a capsule when the repository and the operator allow it. Approvals come from
 * Insight's store, never from the PR description (which any writer can edit).
 */
export function createPrMergedProcessor(r: Remediation, evomap?: EvoMapServices): JobProcessor<"pr-merged"> {
  return async (job, ctx) => {
    if (!FIX_BRANCH.test(job.headRef)) return ctx.log.debug({ head: job.headRef }, "Not an Insight fix branch");
    const pull = await getFixPull(ctx.octokit, r, job.repo, job.pullNumber);
    const target = `${fullName(job.repo)}#${job.pullNumber}`;
    if (!pull) {
      await ctx.writer.recordDecision({
        action: "fix.merged",
        target,
        reason: "not a fix Insight opened: left alone",
        outcome: "refused",
        detail: { head: job.headRef, mergeCommit: job.mergeCommitSha },
      });
      return ctx.log.info({ pr: job.pullNumber }, "Fix branch Insight has no record of: left alone");
    }
    const { state } = pull;
    // Only approvals of the very commit that was merged count, and only while the proposal stood.
    const approvals = state.status === "approved" ? state.approvals.filter((a) => a.commit === pull.headSha) : [];
    const approved = approvals.length > 0;
    const reason = approved ? "merged after approval" : "merged without an Insight approval of its head";
    await ctx.writer.recordDecision({
      action: "fix.merged",
      target,
      reason,
      outcome: "decision",
      detail: {
        incident: state.incident,
        mergeCommit: job.mergeCommitSha,
        head: pull.headSha,
        approvals,
        descriptionIntact: pull.bodyIntact,
      },
    });
    const saved = await saveFixState(r, pull.record, { ...state, status: "merged" });
    if (saved) await ctx.writer.updatePull(job.repo, pull.number, { body: withFixState(pull.body, r, saved) }, "fix merged");
    const who = approved
      ? `approved by ${approvals.map((a) => `@${a.by.login} (${a.basis})`).join(", ")}`
      : "⚠️ merged without an Insight approval of its last commit";
    const rollback = state.kind === "rollback";
    const text = rollback
      ? `↩️ The rollback #${pull.number} of fix #${state.target} is merged (${who}). The incident is back to analysed.`
      : `🚀 Fix #${pull.number} is merged as \`${job.mergeCommitSha.slice(0, 7)}\` (${who}). Watch the signals of the analysis return to their baseline; \`/insight rollback\` on #${pull.number} proposes its revert.`;
    const capsule = await capsuleForMergedFix({
      octokit: ctx.octokit,
      config: ctx.config,
      dryRun: ctx.writer.dryRun,
      repo: job.repo,
      installationId: job.installationId,
      pull: { ...pull, state: { ...state, approvals } },
      evomap,
    });
    await ctx.writer.createComment(job.repo, state.incident, `${REPLY_MARKER}\n${text}${capsule ? `\n\n${capsule}` : ""}`, "fix merged");
    if (rollback) return setIncidentStatus(ctx, job.repo, state.incident, "analysed", `rollback #${pull.number} merged`);
    await setIncidentStatus(ctx, job.repo, state.incident, "fix-merged", `fix #${pull.number} merged`);
    if (ctx.config.incident.closeOnFixMerge) {
      await setIncidentStatus(ctx, job.repo, state.incident, "resolved", `fix #${pull.number} merged (incident.closeOnFixMerge)`);
      await ctx.writer.closeIssue(job.repo, state.incident, `fix #${pull.number} merged (incident.closeOnFixMerge)`);
    }
  };
}
