import type { RepoConfig } from "../config/repo-config.js";
import { canWrite, getPermission } from "../github/permissions.js";
import type { Octokit, RepoRef } from "../core/github.js";
import type { FixState, GitHubUser } from "./types.js";

export type ApproverCheck = { ok: true; basis: string } | { ok: false; reason: string };

/**
 * Who may approve a fix: not the person who asked for it (compared by GitHub user id, so a
 * renamed account is still the requester); someone with write, maintain or admin on the
 * repository, or named in `approvers.users`, or an active member of an `approvers.teams` team.
 * The basis is kept with the approval.
 */
export async function checkApprover(
  octokit: Octokit,
  repo: RepoRef,
  params: { actor: GitHubUser; state: FixState; config: RepoConfig },
): Promise<ApproverCheck> {
  const { actor, state, config } = params;
  if (actor.id === state.requester.id)
    return {
      ok: false,
      reason: `@${actor.login} asked for this fix, and the requester's approval does not count: someone else has to approve it`,
    };
  if (state.approvals.some((a) => a.by.id === actor.id && a.commit === state.commit))
    return { ok: false, reason: `@${actor.login} has already approved this fix` };
  const permission = await getPermission(octokit, repo, actor.login);
  if (canWrite(permission)) return { ok: true, basis: `${permission} access` };
  // approvers.users names logins (that is what people write in a config file); the login here is the one GitHub sent with the comment.
  if (config.approvers.users.some((u) => u.toLowerCase() === actor.login.toLowerCase()))
    return { ok: true, basis: "listed in approvers.users" };
  for (const team of config.approvers.teams) {
    const [org, slug] = team.split("/") as [string, string];
    const member = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: actor.login }).then(
      (r) => r.data.state === "active",
      (err: { status?: number }) => {
        if (err.status === 404) return false;
        throw err;
      },
    );
    if (member) return { ok: true, basis: `member of @${team}` };
  }
  const teams = config.approvers.users.length || config.approvers.teams.length ? " or be one of the configured approvers" : "";
  return { ok: false, reason: `approving a fix needs write, maintain or admin access${teams}; @${actor.login} has \`${permission}\`` };
}
