import type { Octokit, RepoRef } from "../github/types.js";
import type { GitHubWriter } from "../github/writer.js";
import { fixTitle, renderFixPull } from "../render/fix.js";
import { findFixPullByBranch, withFixState } from "./fix-pull.js";
import type { FixPlan, FixState } from "./types.js";

export type PushResult = { commit: string; pull: { number: number; url: string; nodeId: string }; created: boolean };

/**
 * Executes a plan: blobs for merged files, one tree on the head's, one commit, the branch moved to
 * it (created or force-updated: a re-run replaces the plan on the same branch), and one draft PR
 * (reused when open). Every step is idempotent from the start, so a run that failed half-way is
 * repaired by running it again. A PR that had been approved goes back to draft: approvals bind to
 * a commit, and this is a new one.
 */
export async function pushFix(octokit: Octokit, writer: GitHubWriter, repo: RepoRef, plan: FixPlan, params: { requester: string; evidence: { summary?: string; severity?: string } }): Promise<PushResult> {
  const why = `fix for incident #${plan.incident}`;
  const entries: Array<{ path: string; mode: string; sha: string | null }> = [];
  for (const f of plan.files) {
    if (f.action === "restore") entries.push({ path: f.path, mode: f.mode, sha: f.sha! });
    else if (f.action === "delete") entries.push({ path: f.path, mode: f.mode, sha: null });
    else entries.push({ path: f.path, mode: f.mode, sha: (await writer.createBlob(repo, f.content!, why)).sha });
  }
  const tree = await writer.createTree(repo, plan.base.tree, entries, why);
  const message = `${fixTitle(plan)}\n\nProposed by DevOps Insight for incident #${plan.incident}, requested by @${params.requester}.\nReverts ${plan.target.mergeCommit}.`;
  const commit = await writer.createCommit(repo, { message, tree: tree.sha, parents: [plan.base.sha] }, why);
  await writer.setBranch(repo, plan.branch, commit.sha, why);

  const state: FixState = { kind: plan.kind, incident: plan.incident, target: plan.target.number, requester: params.requester, commit: commit.sha, status: "proposed", approvals: [] };
  const body = withFixState(renderFixPull(plan, state, params.evidence), state);
  const existing = await findFixPullByBranch(octokit, repo, plan.branch);
  if (existing?.open) {
    await writer.updatePull(repo, existing.number, { title: fixTitle(plan), body }, `${why}: plan replaced`);
    if (!existing.draft) await writer.setDraft(repo, existing, true, `${why}: a new plan needs a new approval`);
    return { commit: commit.sha, pull: { number: existing.number, url: existing.url, nodeId: existing.nodeId }, created: false };
  }
  const pull = await writer.createPull(repo, { title: fixTitle(plan), body, head: plan.branch, base: plan.base.ref, draft: true }, why);
  return { commit: commit.sha, pull, created: true };
}
