import { classifyChanges } from "../analysis/classify-change.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { Octokit, RepoRef } from "../core/github.js";
import { diffSummary, joinLines, mergeLines, splitLines } from "./line-diff.js";
import type { FixKind, FixPlan, PlannedFile } from "./types.js";

/** Bounds: files a revert may touch, and the size of a file merged line by line. */
const MAX_FILES = 300;
const MAX_MERGE_BYTES = 1024 * 1024;

export type RevertResult = { ok: true; plan: FixPlan } | { ok: false; reason: string };

type Entry = { sha: string; mode: string };

/**
 * Plans the revert of a merged pull request against today's default branch, reading only: the
 * state before and after its merge and at the head, file by file through the Git Data API. A file
 * nobody touched since is restored to its earlier blob; one that later commits changed on other
 * lines is merged; one changed on the same lines stops the plan, naming those commits. Migrations
 * are left alone (reverting the file would not undo the schema change).
 */
export async function planRevert(
  octokit: Octokit,
  repo: RepoRef,
  params: { pullNumber: number; kind: FixKind; incident: number; branch: string; config: RepoConfig },
): Promise<RevertResult> {
  const { pullNumber } = params;
  const { data: pr } = await octokit.rest.pulls.get({ ...repo, pull_number: pullNumber });
  if (!pr.merged_at || !pr.merge_commit_sha)
    return { ok: false, reason: `#${pullNumber} is not merged, so there is nothing in production to revert` };
  if (pr.changed_files > MAX_FILES)
    return { ok: false, reason: `#${pullNumber} changes ${pr.changed_files} files; automatic reverts stop at ${MAX_FILES}` };
  const prFiles = await octokit.paginate(octokit.rest.pulls.listFiles, { ...repo, pull_number: pullNumber, per_page: 100 });
  const { data: info } = await octokit.rest.repos.get(repo);
  const { data: ref } = await octokit.rest.git.getRef({ ...repo, ref: `heads/${info.default_branch}` });
  const { data: merged } = await octokit.rest.git.getCommit({ ...repo, commit_sha: pr.merge_commit_sha });
  const { data: head } = await octokit.rest.git.getCommit({ ...repo, commit_sha: ref.object.sha });
  const parent = merged.parents[0]?.sha;
  if (!parent) return { ok: false, reason: `the merge commit of #${pullNumber} has no parent` };
  if (merged.parents.length === 1 && pr.commits > 1) {
    // Squash or rebase? A squash commit carries every file of the PR; a rebase's last commit only its own.
    const { data: last } = await octokit.rest.repos.getCommit({ ...repo, ref: pr.merge_commit_sha });
    const inCommit = new Set((last.files ?? []).map((f) => f.filename));
    if (!prFiles.every((f) => inCommit.has(f.filename))) {
      return {
        ok: false,
        reason: `#${pullNumber} was rebase-merged as ${pr.commits} commits; revert them by hand (\`git revert\` of each) — an automatic revert of the last one alone would be wrong`,
      };
    }
  }
  const { data: before } = await octokit.rest.git.getCommit({ ...repo, commit_sha: parent });
  const trees = await Promise.all([before.tree.sha, merged.tree.sha, head.tree.sha].map((sha) => readTree(octokit, repo, sha)));
  if (trees.some((t) => !t))
    return { ok: false, reason: "the repository tree is too large for the Git Data API's recursive listing; revert by hand" };
  const [beforeTree, afterTree, headTree] = trees as [Map<string, Entry>, Map<string, Entry>, Map<string, Entry>];

  const classified = classifyChanges(
    {
      ref: `#${pullNumber}`,
      base: { ref: pr.base.ref, sha: pr.base.sha },
      head: { ref: pr.head.ref, sha: pr.head.sha },
      changedFiles: prFiles.length,
      filesNotListed: 0,
      files: prFiles.map((f) => ({
        path: f.filename,
        previousPath: f.previous_filename,
        status: f.status,
        additions: f.additions,
        deletions: f.deletions,
        patch: f.patch,
      })),
    },
    params.config,
  );
  const skipped = classified
    .filter((f) => f.migration)
    .map((f) => ({ path: f.path, why: "a migration: reverting the file does not undo the schema change — see step 1 of the plan" }));
  const files: PlannedFile[] = [];
  const conflicts: string[] = [];
  for (const f of classified.filter((x) => !x.migration)) {
    for (const path of [f.path, ...(f.previousPath ? [f.previousPath] : [])]) {
      const b = beforeTree.get(path);
      const a = afterTree.get(path);
      const c = headTree.get(path);
      if (a?.sha === b?.sha) continue;
      const reversed =
        path === f.path ? { additions: f.deletions, deletions: f.additions, patch: reversePatch(f.patch) } : { additions: 0, deletions: 0 };
      if (c?.sha === a?.sha) {
        files.push(
          b ? { path, action: "restore", sha: b.sha, mode: b.mode, ...reversed } : { path, action: "delete", mode: c!.mode, ...reversed },
        );
        continue;
      }
      if (!a || !b || !c) {
        conflicts.push(path);
        continue;
      }
      const [base, ours, theirs] = await Promise.all([a, c, b].map((e) => readText(octokit, repo, e.sha)));
      if (base === undefined || ours === undefined || theirs === undefined) {
        conflicts.push(path);
        continue;
      }
      const result = mergeLines(splitLines(base).lines, splitLines(ours).lines, splitLines(theirs).lines);
      if (!result.ok) {
        conflicts.push(path);
        continue;
      }
      const content = joinLines(result.lines, splitLines(ours).finalNewline);
      files.push({ path, action: "merge", content, mode: c.mode, ...diffSummary(splitLines(ours).lines, result.lines) });
    }
  }
  if (conflicts.length)
    return { ok: false, reason: await conflictReason(octokit, repo, info.default_branch, pr.merged_at, pr.merge_commit_sha, conflicts) };
  if (files.length === 0)
    return {
      ok: false,
      reason: `nothing to revert: the default branch already has the content from before #${pullNumber}${skipped.length ? ` (migrations are left alone: ${skipped.map((s) => s.path).join(", ")})` : ""}`,
    };
  return {
    ok: true,
    plan: {
      kind: params.kind,
      incident: params.incident,
      target: { number: pullNumber, title: pr.title, url: pr.html_url, mergeCommit: pr.merge_commit_sha, mergedAt: pr.merged_at },
      branch: params.branch,
      base: { ref: info.default_branch, sha: ref.object.sha, tree: head.tree.sha },
      files: files.sort((x, y) => x.path.localeCompare(y.path)),
      skipped,
    },
  };
}

/** Path → blob of a commit's whole tree; undefined when GitHub truncated the listing. */
async function readTree(octokit: Octokit, repo: RepoRef, treeSha: string): Promise<Map<string, Entry> | undefined> {
  const { data } = await octokit.rest.git.getTree({ ...repo, tree_sha: treeSha, recursive: "true" });
  if (data.truncated) return undefined;
  return new Map(
    data.tree.filter((e) => e.type === "blob" && e.path && e.sha).map((e) => [e.path!, { sha: e.sha!, mode: e.mode ?? "100644" }]),
  );
}

/** A blob as UTF-8 text; undefined for binary or oversized blobs, which are not merged line by line. */
async function readText(octokit: Octokit, repo: RepoRef, sha: string): Promise<string | undefined> {
  const { data } = await octokit.rest.git.getBlob({ ...repo, file_sha: sha });
  if ((data.size ?? 0) > MAX_MERGE_BYTES) return undefined;
  const bytes = Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
  if (bytes.includes(0)) return undefined;
  return bytes.toString("utf8");
}

/** Names the commits after the merge that touched the files a revert cannot be merged into. */
async function conflictReason(
  octokit: Octokit,
  repo: RepoRef,
  branch: string,
  since: string,
  mergeCommit: string,
  paths: string[],
): Promise<string> {
  const lines: string[] = [];
  for (const path of paths.slice(0, 10)) {
    const { data: commits } = await octokit.rest.repos.listCommits({ ...repo, sha: branch, path, since, per_page: 10 });
    const later = commits
      .filter((c) => c.sha !== mergeCommit)
      .map((c) => `${c.sha.slice(0, 7)} "${c.commit.message.split("\n")[0]}"${c.author?.login ? ` by @${c.author.login}` : ""}`);
    lines.push(`- \`${path}\`: changed on the same lines since the merge by ${later.length ? later.join(", ") : "a later commit"}`);
  }
  if (paths.length > 10) lines.push(`- and ${paths.length - 10} more files`);
  return `later commits changed the same lines, so a revert cannot be made safely:\n${lines.join("\n")}\nRevert by hand, or revert those commits first.`;
}

/** The inverse of a unified diff: additions become deletions and the hunk ranges swap. */
export function reversePatch(patch?: string): string | undefined {
  if (patch === undefined) return undefined;
  return patch
    .split("\n")
    .map((l) => {
      const h = /^@@ -(\d+(?:,\d+)?) \+(\d+(?:,\d+)?) @@(.*)$/.exec(l);
      if (h) return `@@ -${h[2]} +${h[1]} @@${h[3]}`;
      if (l.startsWith("+")) return `-${l.slice(1)}`;
      if (l.startsWith("-")) return `+${l.slice(1)}`;
      return l;
    })
    .join("\n");
}
