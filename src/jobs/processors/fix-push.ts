import { fullName } from "../../core/github.js";
import type { JobProcessor } from "../run-job.js";
import { withApprovals } from "../../render/fix.js";
import { getFixPull, saveFixState, withFixState, type Remediation } from "../../remediation/fix-pull.js";
import { setIncidentStatus } from "../../remediation/incident-status.js";
import { REPLY_MARKER } from "../../core/identifiers.js";

/**
 * A push to a fix branch that is not the commit Insight proposed revokes the proposal and any
 * approval at once: Insight's record says so, the PR goes back to draft, the incident's label back
 * to fix-proposed, and the PR hears why. Insight's own pushes match the stored commit and pass.
 */
export function revokeOnPush(r: Remediation): JobProcessor<"fix-push"> {
  return async (job, ctx) => {
    const pull = await getFixPull(ctx.octokit, r, job.repo, job.pullNumber);
    if (!pull) return ctx.log.debug({ pr: job.pullNumber }, "Push to a branch of a PR Insight has no record of");
    const { state } = pull;
    if (pull.headSha === state.commit) return ctx.log.debug({ pr: pull.number }, "Branch is at the proposed commit");
    if (!pull.open || !["proposed", "approved"].includes(state.status))
      return ctx.log.debug({ pr: pull.number, status: state.status }, "Nothing to revoke");
    const by = { id: job.actorId ?? 0, login: job.actor };
    const saved = await saveFixState(r, pull.record, {
      ...state,
      status: "revoked",
      revoked: { by, at: new Date().toISOString(), head: pull.headSha },
    });
    if (!saved) throw new Error(`fix #${pull.number} changed while its approval was being revoked`);
    const was = state.status === "approved" ? "approval" : "proposal";
    await ctx.writer.recordDecision({
      action: "fix.revoke",
      target: `${fullName(job.repo)}#${pull.number}`,
      reason: `push of ${pull.headSha} over the proposed ${state.commit}`,
      outcome: "decision",
      detail: { incident: state.incident, commit: state.commit, head: pull.headSha, pusher: by, approvals: state.approvals },
    });
    if (!pull.draft) await ctx.writer.setDraft(job.repo, pull, true, `${was} revoked by a push`);
    await ctx.writer.updatePull(
      job.repo,
      pull.number,
      { body: withApprovals(withFixState(pull.body, r, saved), saved.state) },
      `${was} revoked by a push`,
    );
    await setIncidentStatus(ctx, job.repo, state.incident, "fix-proposed", `fix #${pull.number}: ${was} revoked by a push`);
    await ctx.writer.createComment(
      job.repo,
      pull.number,
      `${REPLY_MARKER}\n⛔ The ${was} of #${pull.number} is revoked: @${job.actor} pushed \`${pull.headSha.slice(0, 7)}\` over \`${state.commit.slice(0, 7)}\`, the commit Insight proposed${state.approvals.length ? ` and ${state.approvals.map((a) => `@${a.by.login}`).join(", ")} approved` : ""}. The PR is back to draft. Approvals bind to what was proposed: \`/insight fix\` on #${state.incident} proposes again.`,
      `${was} revoked by a push`,
    );
  };
}
