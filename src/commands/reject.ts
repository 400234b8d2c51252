import { fullName } from "../core/github.js";
import { withApprovals } from "../render/fix.js";
import { saveFixState, withFixState, type Remediation } from "../remediation/fix-pull.js";
import { setIncidentStatus } from "../remediation/incident-status.js";
import { openFixPull } from "./fix-target.js";
import type { CommandHandler } from "./run-command.js";
import { refuse, reply } from "./reply.js";

/**
 * `/insight reject [reason]`: closes the fix PR, with who and why in Insight's store and the
 * audit log. A rejected fix stays rejected when the PR is reopened: only a new proposal revives it.
 */
export function rejectCommand(r: Remediation): CommandHandler {
  return async (job, command, ctx) => {
    const pull = await openFixPull(job, ctx, r, "fix.reject");
    if (!pull) return;
    const reason = command.positional.join(" ").slice(0, 500) || undefined;
    const by = { id: job.actorId ?? 0, login: job.actor };
    const saved = await saveFixState(r, pull.record, {
      ...pull.state,
      status: "rejected",
      rejected: { by, at: new Date().toISOString(), ...(reason ? { reason } : {}) },
    });
    if (!saved)
      return refuse(
        job,
        ctx,
        "fix.reject",
        "changed meanwhile",
        `#${pull.number} changed while I was recording the rejection: look at it again, then reject with a new comment.`,
        { pull: pull.number },
      );
    const { state } = saved;
    await ctx.writer.recordDecision({
      action: "fix.reject",
      target: `${fullName(job.repo)}#${pull.number}`,
      reason: reason ?? "rejected",
      outcome: "decision",
      detail: { incident: state.incident, commit: state.commit, requester: state.requester, by },
    });
    await ctx.writer.updatePull(
      job.repo,
      pull.number,
      { body: withApprovals(withFixState(pull.body, r, saved), state), state: "closed" },
      `rejected by ${job.actor}`,
    );
    await setIncidentStatus(ctx, job.repo, state.incident, "analysed", `fix #${pull.number} rejected`);
    await reply(
      job,
      ctx,
      `❌ Fix #${pull.number} rejected by @${job.actor}${reason ? `: ${reason}` : ""}. The PR is closed; \`/insight fix\` on #${state.incident} can propose another.`,
    );
  };
}
