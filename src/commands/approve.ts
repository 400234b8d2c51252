import { fullName } from "../core/github.js";
import { riskWarning, withApprovals } from "../render/fix.js";
import { checkApprover } from "../remediation/approval.js";
import { saveFixState, withFixState, type Remediation } from "../remediation/fix-pull.js";
import { setIncidentStatus } from "../remediation/incident-status.js";
import type { Approval, GitHubUser } from "../remediation/types.js";
import { openFixPull } from "./fix-target.js";
import type { CommandHandler } from "./run-command.js";
import { refuse, reply } from "./reply.js";

const seconds = (iso: string) => iso.slice(0, 19);

/**
 * `/insight approve` on a fix PR or its incident: someone other than the requester, with write
 * access or named as an approver, approves the commit Insight proposed. The approval binds to the
 * approver's user id, this comment's id (each comment approves once) and the commit; it goes to
 * Insight's store and the audit log, then the PR is marked ready for review. Merging stays a
 * human decision. Every refusal is audited too.
 */
export function approveCommand(r: Remediation): CommandHandler {
  return async (job, _command, ctx) => {
    const pull = await openFixPull(job, ctx, r, "fix.approve");
    if (!pull) return;
    const { state } = pull;
    const target = `${fullName(job.repo)}#${pull.number}`;
    const detail = { pull: pull.number, commit: state.commit, requester: state.requester };
    if (job.actorId === undefined || !job.commentCreatedAt)
      return refuse(
        job,
        ctx,
        "fix.approve",
        "no user id",
        "I cannot tell who sent this approval (the event carries no user id), so it does not count.",
        detail,
      );
    const actor: GitHubUser = { id: job.actorId, login: job.actor };
    if (seconds(job.commentCreatedAt) < seconds(state.proposedAt)) {
      return refuse(
        job,
        ctx,
        "fix.approve",
        "comment older than the proposal",
        `That approval was written before Insight proposed \`${state.commit.slice(0, 7)}\`, so it cannot approve it: approve with a new comment.`,
        { ...detail, commentCreatedAt: job.commentCreatedAt, proposedAt: state.proposedAt },
      );
    }
    const own = state.approvals.find((a) => a.by.id === actor.id && a.commit === state.commit);
    if (own && !pull.draft)
      return refuse(
        job,
        ctx,
        "fix.approve",
        "already approved",
        `#${pull.number} is already approved (${state.approvals.map((a) => `@${a.by.login}`).join(", ")}) and ready for review.`,
        detail,
      );
    if (own && state.status !== "approved") {
      const count = new Set(state.approvals.filter((x) => x.commit === state.commit).map((x) => x.by.id)).size;
      return refuse(
        job,
        ctx,
        "fix.approve",
        "already approved",
        `@${actor.login} has already approved \`${state.commit.slice(0, 7)}\`; #${pull.number} needs ${state.approvalsNeeded ?? 1} approvals from different people and has ${count}.`,
        detail,
      );
    }
    if (own) {
      // The approval is in Insight's store but the "ready" step failed last time: finish it, on the record.
      await ctx.writer.recordDecision({
        action: "fix.approve",
        target,
        reason: "completing a recorded approval",
        outcome: "decision",
        detail: { ...detail, approval: own, commentId: job.commentId },
      });
      return markApproved(job, ctx, pull, own, state.requester);
    }
    const check = await checkApprover(ctx.octokit, job.repo, { actor, state, config: ctx.config });
    if (!check.ok) return refuse(job, ctx, "fix.approve", check.reason, `Sorry: ${check.reason}.`, detail);
    if (!(await r.store.claimComment(fullName(job.repo), job.commentId))) {
      return refuse(
        job,
        ctx,
        "fix.approve",
        "comment already used",
        `Comment ${job.commentId} was already counted for a decision; a comment approves once. Approve with a new comment.`,
        detail,
      );
    }
    const approval: Approval = {
      by: actor,
      basis: check.basis,
      at: new Date().toISOString(),
      commit: state.commit,
      commentId: job.commentId,
    };
    // A fix with a high or critical blast radius of its own needs more than one approver (approvers.riskyFix).
    const onCommit = [...state.approvals, approval].filter((a) => a.commit === state.commit);
    const needed = state.approvalsNeeded ?? 1;
    const enough = new Set(onCommit.map((a) => a.by.id)).size >= needed;
    const saved = await saveFixState(r, pull.record, {
      ...state,
      status: enough ? "approved" : "proposed",
      approvals: [...state.approvals, approval],
    });
    if (!saved)
      return refuse(
        job,
        ctx,
        "fix.approve",
        "changed meanwhile",
        `#${pull.number} changed while I was recording your approval: look at it again, then approve with a new comment.`,
        detail,
      );
    await ctx.writer.recordDecision({
      action: "fix.approve",
      target,
      reason: check.basis,
      outcome: "decision",
      detail: {
        incident: state.incident,
        commit: state.commit,
        commentId: job.commentId,
        chain: { requester: state.requester, approvals: saved.state.approvals },
      },
    });
    await ctx.writer.updatePull(
      job.repo,
      pull.number,
      { body: withApprovals(withFixState(pull.body, r, saved), saved.state) },
      `approved by ${job.actor}`,
    );
    const warning = riskWarning(state.risk, state.approvalsNeeded);
    if (!enough) {
      const who = onCommit.map((a) => `@${a.by.login}`).join(", ");
      return reply(
        job,
        ctx,
        `${warning}\n\n☑️ Approval ${onCommit.length} of ${needed} on \`${state.commit.slice(0, 7)}\` (${who}). #${pull.number} stays a draft until ${needed - onCommit.length} more ${needed - onCommit.length === 1 ? "person" : "people"} other than @${state.requester.login} approve${needed - onCommit.length === 1 ? "s" : ""} with \`/insight approve\`.`,
      );
    }
    await markApproved(job, ctx, pull, approval, state.requester, warning);
  };
}

async function markApproved(
  job: Parameters<CommandHandler>[0],
  ctx: Parameters<CommandHandler>[2],
  pull: { number: number; nodeId: string; state: { incident: number; commit: string } },
  approval: Approval,
  requester: GitHubUser,
  warning?: string,
) {
  await ctx.writer.setDraft(job.repo, pull, false, "fix approved");
  await setIncidentStatus(ctx, job.repo, pull.state.incident, "fix-approved", `fix #${pull.number} approved`);
  await reply(
    job,
    ctx,
    `${warning ? `${warning}\n\n` : ""}✅ #${pull.number} approved by @${approval.by.login} (${approval.basis}) on \`${pull.state.commit.slice(0, 7)}\`, requested by @${requester.login}. It is ready for review; merging it is up to you.`,
  );
}
