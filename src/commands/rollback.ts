import { fullName } from "../core/github.js";
import type { Services } from "../pipeline/services.js";
import { fixRendering } from "../render/fix.js";
import { pushFix } from "../remediation/execute.js";
import { getFixPull, rollbackBranch, type Remediation } from "../remediation/fix-pull.js";
import { fixRisk } from "../pipeline/fix.js";
import { githubGit } from "../changes/github-git.js";
import { planRevert } from "../remediation/revert-plan.js";
import type { CommandHandler } from "./run-command.js";
import { refuse, reply } from "./reply.js";

/**
 * `/insight rollback` on a merged fix PR: a revert of it on `insight/rollback-<pr>`, as a draft PR
 * under the same approval rules as the fix.
 */
export function rollbackCommand(s: Services, r: Remediation): CommandHandler {
  return async (job, _command, ctx) => {
    if (job.actorId === undefined)
      return refuse(
        job,
        ctx,
        "fix.rollback",
        "no user id",
        "I cannot tell who asked for this rollback (the event carries no user id), so I will not propose one.",
      );
    const fix = await getFixPull(ctx.octokit, r, job.repo, job.issueNumber);
    if (!fix || fix.state.kind === "rollback")
      return refuse(job, ctx, "fix.rollback", "not a fix", "`/insight rollback` works on a merged fix PR that Insight proposed.");
    if (!fix.merged)
      return refuse(job, ctx, "fix.rollback", "not merged", `#${fix.number} is not merged: \`/insight reject\` closes it instead.`);
    const planned = await planRevert(githubGit(ctx.octokit, job.repo), {
      pullNumber: fix.number,
      kind: "rollback",
      incident: fix.state.incident,
      branch: rollbackBranch(fix.number),
      config: ctx.config,
    });
    if (!planned.ok) return refuse(job, ctx, "fix.rollback", "cannot revert", `I cannot roll back #${fix.number}: ${planned.reason}`);
    const plan = { ...planned.plan, risk: await fixRisk(s, ctx, job.repo, planned.plan) };
    const pushed = await pushFix(ctx.octokit, ctx.writer, r, job.repo, plan, {
      requester: { id: job.actorId, login: job.actor },
      rendered: fixRendering(plan, { summary: `Rollback of fix #${fix.number}, requested by @${job.actor}.` }),
    });
    await ctx.writer.recordDecision({
      action: "fix.rollback",
      target: `${fullName(job.repo)}#${fix.number}`,
      reason: `rollback of #${fix.number}`,
      outcome: "decision",
      detail: { pull: pushed.pull.number, commit: pushed.commit, requester: job.actor, incident: fix.state.incident },
    });
    if (ctx.writer.dryRun) return;
    const text = `↩️ Rollback of #${fix.number} proposed in #${pushed.pull.number} (draft). It needs \`/insight approve\` by someone other than @${job.actor}.`;
    await reply(job, ctx, text);
    await reply({ ...job, issueNumber: fix.state.incident }, ctx, text);
  };
}
