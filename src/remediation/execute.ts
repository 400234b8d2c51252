import { fullName, type Octokit, type RepoRef } from "../core/github.js";
import type { GitHubWriter } from "../github/writer.js";
import { findFixPullByBranch, saveFixState, withFixState, type Remediation } from "./fix-pull.js";
import type { FixRecord } from "./fix-store.js";
import type { FixPlan, FixState, GitHubUser } from "./types.js";

/** The fix PR as the caller renders it: its title, and its body for a given state (render/fix.ts). */
export type FixRendering = { title: string; body: (state: FixState) => string };

export type PushResult = { commit: string; pull: { number: number; url: string; nodeId: string }; created: boolean };

/**
 * Executes a plan: blobs for merged files, one tree on the head's, one commit, the branch moved to
 * it (created or force-updated: a re-run replaces the plan on the same branch), and one draft PR
 * (reused when open). Every step is idempotent from the start, so a run that failed half-way is
 * repaired by running it again. A PR that had been approved goes back to draft: approvals bind to
 * a commit, and this is a new one. The store learns the new commit before the branch moves, so
 * the push event of Insight's own commit is never taken for someone else's.
 */
export async function pushFix(
  octokit: Octokit,
  writer: GitHubWriter,
  r: Remediation,
  repo: RepoRef,
  plan: FixPlan,
  params: { requester: GitHubUser; rendered: FixRendering },
): Promise<PushResult> {
  const { title, body } = params.rendered;
  const why = `fix for incident #${plan.incident}`;
  const entries: Array<{ path: string; mode: string; sha: string | null }> = [];
  for (const f of plan.files) {
    if (f.action === "restore") entries.push({ path: f.path, mode: f.mode, sha: f.sha! });
    else if (f.action === "delete") entries.push({ path: f.path, mode: f.mode, sha: null });
    else entries.push({ path: f.path, mode: f.mode, sha: (await writer.createBlob(repo, f.content!, why)).sha });
  }
  const tree = await writer.createTree(repo, plan.base.tree, entries, why);
  const message = `${title}\n\nProposed by DevOps Insight for incident #${plan.incident}, requested by @${params.requester.login}.\nReverts ${plan.target.mergeCommit}.`;
  const commit = await writer.createCommit(repo, { message, tree: tree.sha, parents: [plan.base.sha] }, why);
  const state: Omit<FixState, "version"> = {
    kind: plan.kind,
    incident: plan.incident,
    target: plan.target.number,
    requester: params.requester,
    commit: commit.sha,
    proposedAt: new Date().toISOString(),
    status: "proposed",
    approvals: [],
    ...((plan.approvalsNeeded ?? 1) > 1 && plan.risk
      ? { approvalsNeeded: plan.approvalsNeeded, risk: { level: plan.risk.level, score: plan.risk.score } }
      : {}),
  };

  const existing = await findFixPullByBranch(octokit, r, repo, plan.branch);
  if (existing?.open) {
    const saved = writer.dryRun
      ? { ...existing.record, state: { ...state, version: existing.state.version + 1 } }
      : await saveFixState(r, existing.record, state);
    if (!saved) throw new Error(`fix #${existing.number} changed while it was being proposed again`);
    await writer.setBranch(repo, plan.branch, commit.sha, why);
    await writer.updatePull(repo, existing.number, { title, body: withFixState(body(saved.state), r, saved) }, `${why}: plan replaced`);
    if (!existing.draft) await writer.setDraft(repo, existing, true, `${why}: a new plan needs a new approval`);
    return { commit: commit.sha, pull: { number: existing.number, url: existing.url, nodeId: existing.nodeId }, created: false };
  }
  await writer.setBranch(repo, plan.branch, commit.sha, why);
  const first = { ...state, version: 1 };
  const signed = { repo: fullName(repo), branch: plan.branch, state: first };
  const pull = await writer.createPull(
    repo,
    { title, body: withFixState(body(first), r, signed), head: plan.branch, base: plan.base.ref, draft: true },
    why,
  );
  if (!writer.dryRun) {
    const record: FixRecord = { ...signed, pull: pull.number, author: pull.author };
    if (!(await r.store.put(record, undefined))) throw new Error(`Insight already has a record of #${pull.number}`);
  }
  return { commit: commit.sha, pull: { number: pull.number, url: pull.url, nodeId: pull.nodeId }, created: true };
}
