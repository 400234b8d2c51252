import type { Octokit, RepoRef } from "../core/github.js";
import type { GitHubWriter } from "../github/writer.js";

/** The incident's state, as one `incident:<status>` label at a time. */
export const INCIDENT_STATUSES = ["investigating", "analysed", "fix-proposed", "fix-approved", "fix-merged", "resolved"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Moves the incident to `status`: the label added, the other status labels removed. */
export async function setIncidentStatus(
  ctx: { octokit: Octokit; writer: GitHubWriter },
  repo: RepoRef,
  issueNumber: number,
  status: IncidentStatus,
  reason: string,
): Promise<void> {
  const { data: issue } = await ctx.octokit.rest.issues.get({ ...repo, issue_number: issueNumber });
  const labels = issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
  for (const stale of INCIDENT_STATUSES.filter((s) => s !== status).map((s) => `incident:${s}`)) {
    if (labels.includes(stale)) await ctx.writer.removeLabel(repo, issueNumber, stale, reason);
  }
  if (!labels.includes(`incident:${status}`)) await ctx.writer.addLabels(repo, issueNumber, [`incident:${status}`], reason);
}
