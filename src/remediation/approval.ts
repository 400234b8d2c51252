import type { RepoConfig } from "../config/repo-config.js";
import { canWrite, getPermission } from "../github/permissions.js";
import type { Octokit, RepoRef } from "../github/types.js";
import type { FixState } from "./types.js";

export type ApproverCheck = { ok: true; basis: string } | { ok: false; reason: string };

/**
 * Who may approve a fix: not the person who asked for it; someone with write, maintain or admin
 * on the repository, or named in `approvers.users`, or an active member of an `approvers.teams`
 * team. The basis is kept with the approval.
 */
export async function checkApprover(octokit: Octokit, repo: RepoRef, params: { actor: string; state: FixState; config: RepoConfig }): Promise<ApproverCheck> {
  const { actor, state, config } = params;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (same(actor, state.requester)) return { ok: false, reason: `@${actor} asked for this fix, and the requester's approval does not count: someone else has to approve it` };
  if (state.approvals.some((a) => same(a.by, actor) && a.commit === state.commit)) return { ok: false, reason: `@${actor} has already approved this fix` };
  const permission = await getPermission(octokit, repo, actor);
  if (canWrite(permission)) return { ok: true, basis: `${permission} access` };
  if (config.approvers.users.some((u) => same(u, actor))) return { ok: true, basis: "listed in approvers.users" };
  for (const team of config.approvers.teams) {
    const [org, slug] = team.split("/") as [string, string];
    const member = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: actor }).then((r) => r.data.state === "active", (err: { status?: number }) => {
      if (err.status === 404) return false;
      throw err;
    });
    if (member) return { ok: true, basis: `member of @${team}` };
  }
  const teams = config.approvers.users.length || config.approvers.teams.length ? " or be one of the configured approvers" : "";
  return { ok: false, reason: `approving a fix needs write, maintain or admin access${teams}; @${actor} has \`${permission}\`` };
}
