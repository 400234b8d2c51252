import { fullName } from "../github/types.js";
import { withApprovals } from "../render/fix.js";
import { checkApprover } from "../remediation/approval.js";
import { withFixState } from "../remediation/fix-pull.js";
import { setIncidentStatus } from "../remediation/incident-status.js";
import type { FixState } from "../remediation/types.js";
import { openFixPull } from "./fix-target.js";
import type { CommandHandler } from "./run-command.js";
import { refuse, reply } from "./reply.js";

/**
 * `/insight approve` on a fix PR or its incident: someone other than the requester, with write
 * access or named as an approver, approves the commit Insight proposed. The approval chain goes
 * to the PR's hidden state and to the audit log; then the PR is marked ready for review. Merging
 * stays a human decision.
 */
export const approveCommand: CommandHandler = async (job, _command, ctx) => {
  const pull = await openFixPull(job, ctx, "fix.approve");
  if (!pull) return;
  const approvedNow = pull.state.approvals.some((a) => a.commit === pull.state.commit);
  if (approvedNow && !pull.draft) return reply(job, ctx, `#${pull.number} is already approved (${pull.state.approvals.map((a) => `@${a.by}`).join(", ")}) and ready for review.`);
  let state: FixState = pull.state;
  // An approver whose approval was recorded but whose "ready" step failed may finish it; anyone else is checked.
  const mine = pull.state.approvals.some((a) => a.by.toLowerCase() === job.actor.toLowerCase() && a.commit === pull.state.commit);
  if (!mine) {
    const check = await checkApprover(ctx.octokit, job.repo, { actor: job.actor, state: pull.state, config: ctx.config });
    if (!check.ok) return refuse(job, ctx, "fix.approve", check.reason, `Sorry: ${check.reason}.`, { pull: pull.number, requester: pull.state.requester });
    const approval = { by: job.actor, basis: check.basis, at: new Date().toISOString(), commit: pull.state.commit, commentId: job.commentId };
    state = { ...pull.state, status: "approved", approvals: [...pull.state.approvals, approval] };
    await ctx.writer.recordDecision({ action: "fix.approve", target: `${fullName(job.repo)}#${pull.number}`, reason: check.basis, outcome: "decision", detail: { incident: state.incident, commit: state.commit, chain: { requester: state.requester, approvals: state.approvals } } });
    await ctx.writer.updatePull(job.repo, pull.number, { body: withApprovals(withFixState(pull.body, state), state) }, `approved by ${job.actor}`);
  }
  await ctx.writer.setDraft(job.repo, pull, false, "fix approved");
  await setIncidentStatus(ctx, job.repo, state.incident, "fix-approved", `fix #${pull.number} approved`);
  const last = state.approvals[state.approvals.length - 1]!;
  await reply(job, ctx, `✅ #${pull.number} approved by @${last.by} (${last.basis}) on \`${state.commit.slice(0, 7)}\`, requested by @${state.requester}. It is ready for review; merging it is up to you.`);
};
