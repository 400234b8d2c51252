import { fullName } from "../github/types.js";
import { withApprovals } from "../render/fix.js";
import { withFixState } from "../remediation/fix-pull.js";
import { setIncidentStatus } from "../remediation/incident-status.js";
import type { FixState } from "../remediation/types.js";
import { openFixPull } from "./fix-target.js";
import type { CommandHandler } from "./run-command.js";
import { reply } from "./reply.js";

/** `/insight reject [reason]`: closes the fix PR, with who and why in its state and the audit log. */
export const rejectCommand: CommandHandler = async (job, command, ctx) => {
  const pull = await openFixPull(job, ctx, "fix.reject");
  if (!pull) return;
  const reason = command.positional.join(" ").slice(0, 500) || undefined;
  const state: FixState = { ...pull.state, status: "rejected", rejected: { by: job.actor, at: new Date().toISOString(), ...(reason ? { reason } : {}) } };
  await ctx.writer.recordDecision({ action: "fix.reject", target: `${fullName(job.repo)}#${pull.number}`, reason: reason ?? "rejected", outcome: "decision", detail: { incident: state.incident, commit: state.commit, requester: state.requester } });
  await ctx.writer.updatePull(job.repo, pull.number, { body: withApprovals(withFixState(pull.body, state), state), state: "closed" }, `rejected by ${job.actor}`);
  await setIncidentStatus(ctx, job.repo, state.incident, "analysed", `fix #${pull.number} rejected`);
  await reply(job, ctx, `❌ Fix #${pull.number} rejected by @${job.actor}${reason ? `: ${reason}` : ""}. The PR is closed; \`/insight fix\` on #${state.incident} can propose another.`);
};
