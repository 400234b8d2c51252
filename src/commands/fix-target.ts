import { findFixPullByBranch, fixBranch, getFixPull, type FixPull } from "../remediation/fix-pull.js";
import type { JobContext } from "../jobs/run-job.js";
import type { CommandJob } from "../jobs/types.js";
import { refuse } from "./reply.js";

/**
 * The open fix PR a command acts on: this PR when run on one, else the incident's fix PR. Answers
 * the user and returns undefined when there is none, or when the branch holds commits Insight did
 * not push (approvals bind to the commit that was proposed).
 */
export async function openFixPull(job: CommandJob, ctx: JobContext, action: string): Promise<FixPull | undefined> {
  const pull = job.isPullRequest ? await getFixPull(ctx.octokit, job.repo, job.issueNumber) : await findFixPullByBranch(ctx.octokit, job.repo, fixBranch(job.issueNumber));
  if (!pull) {
    await refuse(job, ctx, action, "no fix", job.isPullRequest ? "This pull request is not a fix proposed by Insight." : "There is no fix proposed for this incident: `/insight fix` proposes one.");
    return undefined;
  }
  if (!pull.open) {
    await refuse(job, ctx, action, "closed", `The fix #${pull.number} is ${pull.merged ? "merged" : "closed"}: there is nothing to ${action.split(".")[1]}.`);
    return undefined;
  }
  if (pull.headSha !== pull.state.commit) {
    await refuse(job, ctx, action, "branch changed", `The branch of #${pull.number} is at \`${pull.headSha.slice(0, 7)}\`, but Insight proposed \`${pull.state.commit.slice(0, 7)}\`: someone pushed to it. Approvals bind to what was proposed, so run \`/insight fix\` on #${pull.state.incident} to propose the plan again.`, { pull: pull.number });
    return undefined;
  }
  return pull;
}
