import type { ChangeEvent } from "../analysis/rca.js";
import { classifyChanges } from "../analysis/classify-change.js";
import { touchesFromDiff } from "../analysis/rca/touches.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { Octokit, RepoRef } from "../core/github.js";
import type { Window } from "../signals/types.js";

const MAX_PULLS = 20;
const LOOKBACK_MS = 6 * 3_600_000;

/**
 * What changed before an incident, from GitHub: PRs merged into the default branch and
 * deployments from the lookback before the window to its end, each classified and mapped to
 * services. Bounded: at most 20 PRs, their first 100 files each; one page of deployments.
 */
export async function changeHistory(
  octokit: Octokit,
  repo: RepoRef,
  window: Window,
  config: RepoConfig,
): Promise<{ changes: ChangeEvent[]; notes: string[] }> {
  const from = window.from - LOOKBACK_MS;
  const inRange = (iso?: string | null) => !!iso && Date.parse(iso) >= from && Date.parse(iso) <= window.to;
  const { data: info } = await octokit.rest.repos.get(repo);
  const { data: pulls } = await octokit.rest.pulls.list({
    ...repo,
    state: "closed",
    base: info.default_branch,
    sort: "updated",
    direction: "desc",
    per_page: 50,
  });
  const merged = pulls.filter((p) => inRange(p.merged_at)).slice(0, MAX_PULLS);
  const notes =
    pulls.filter((p) => inRange(p.merged_at)).length > MAX_PULLS ? [`only the latest ${MAX_PULLS} merged PRs were examined`] : [];
  const changes: ChangeEvent[] = [];
  for (const p of merged) {
    const { data: files } = await octokit.rest.pulls.listFiles({ ...repo, pull_number: p.number, per_page: 100 });
    const classified = classifyChanges(
      {
        ref: `#${p.number}`,
        base: { ref: p.base.ref, sha: p.base.sha },
        head: { ref: p.head.ref, sha: p.head.sha },
        changedFiles: files.length,
        filesNotListed: 0,
        files: files.map((f) => ({ path: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, patch: f.patch })),
      },
      config,
    );
    changes.push({
      id: `#${p.number}`,
      kind: "pr",
      title: p.title,
      at: Date.parse(p.merged_at!),
      services: [...new Set(classified.flatMap((f) => f.services))],
      files: classified.map((f) => f.path),
      changeKinds: [...new Set(classified.map((f) => f.kind))],
      url: p.html_url,
      // What it touches, from its patches (a schedule, an affinity rule, a pool size, a cache policy…).
      touches: touchesFromDiff(classified),
    });
  }
  const { data: deployments } = await octokit.rest.repos.listDeployments({ ...repo, per_page: 30 });
  for (const d of deployments.filter((x) => inRange(x.created_at))) {
    const services = Object.keys(config.services).filter((s) => d.environment.includes(s) || String(d.description ?? "").includes(s));
    changes.push({
      id: `deployment ${d.id}`,
      kind: "deployment",
      title: `${d.ref} (${d.sha.slice(0, 7)}) to ${d.environment}`,
      at: Date.parse(d.created_at),
      services,
      files: [],
      changeKinds: [],
    });
  }
  return { changes: changes.sort((a, b) => a.at - b.at), notes };
}
