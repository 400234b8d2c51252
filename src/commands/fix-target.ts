import { findFixPullByBranch, fixBranch, getFixPull, type FixPull, type Remediation } from "../remediation/fix-pull.js";
import type { JobContext } from "../jobs/run-job.js";
import type { CommandJob } from "../jobs/types.js";
import { refuse } from "./reply.js";

/**
 * The open fix PR a command acts on: this PR when run on one, else the incident's fix PR. Answers
 * the user (and audits the refusal) and returns undefined when there is none, when it is closed,
 * rejected or revoked, when its description's state block was edited, or when the branch holds
 * commits Insight did not push (approvals bind to the commit that was proposed). `reject` is let
 * through the last three: closing a fix is always safe.
 */
export async function openFixPull(
  job: CommandJob,
  ctx: JobContext,
  r: Remediation,
  action: "fix.approve" | "fix.reject",
): Promise<FixPull | undefined> {
  const pull = job.isPullRequest
    ? await getFixPull(ctx.octokit, r, job.repo, job.issueNumber)
    : await findFixPullByBranch(ctx.octokit, r, job.repo, fixBranch(job.issueNumber));
  const verb = action === "fix.approve" ? "approve" : "reject";
  if (!pull) {
    await refuse(
      job,
      ctx,
      action,
      "no fix",
      job.isPullRequest
        ? "This pull request is not a fix proposed by Insight."
        : "There is no fix proposed for this incident: `/insight fix` proposes one.",
    );
    return undefined;
  }
  const again = `run \`/insight fix\` on #${pull.state.incident} to propose it again`;
  const detail = { pull: pull.number, status: pull.state.status, commit: pull.state.commit, head: pull.headSha };
  if (!pull.open) {
    await refuse(
      job,
      ctx,
      action,
      "closed",
      `The fix #${pull.number} is ${pull.merged ? "merged" : "closed"}: there is nothing to ${verb}.`,
      detail,
    );
    return undefined;
  }
  if (pull.state.status === "rejected") {
    await refuse(
      job,
      ctx,
      action,
      "rejected",
      `The fix #${pull.number} was rejected by @${pull.state.rejected?.by.login ?? "someone"}; reopening the PR does not revive it: ${again}.`,
      detail,
    );
    return undefined;
  }
  if (action === "fix.reject") return pull;
  if (!pull.bodyIntact) {
    await refuse(
      job,
      ctx,
      action,
      "tampered state",
      `The fix state in the description of #${pull.number} was edited by someone other than Insight. Insight trusts only its own record, which does not allow this; to start over, ${again}.`,
      detail,
    );
    return undefined;
  }
  if (pull.state.status === "revoked") {
    await refuse(
      job,
      ctx,
      action,
      "revoked",
      `The approval of #${pull.number} was revoked when @${pull.state.revoked?.by.login ?? "someone"} pushed to its branch: ${again}.`,
      detail,
    );
    return undefined;
  }
  if (pull.headSha !== pull.state.commit) {
    await refuse(
      job,
      ctx,
      action,
      "branch changed",
      `The branch of #${pull.number} is at \`${pull.headSha.slice(0, 7)}\`, but Insight proposed \`${pull.state.commit.slice(0, 7)}\`: someone pushed to it. Approvals bind to what was proposed, so ${again}.`,
      detail,
    );
    return undefined;
  }
  return pull;
}
