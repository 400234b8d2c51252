import { classifyChanges } from "../analysis/classify-change.js";
import type { GitReader, TreeEntry } from "../changes/github-git.js";
import type { RepoConfig } from "../config/repo-config.js";
import { diffSummary, joinLines, mergeLines, splitLines } from "./line-diff.js";
import type { FixKind, FixPlan, PlannedFile } from "./types.js";

/** Bounds: files a revert may touch, and the size of a file merged line by line. */
const MAX_FILES = 300;
const MAX_MERGE_BYTES = 1024 * 1024;

export type RevertResult = { ok: true; plan: FixPlan } | { ok: false; reason: string };

/**
 * Plans the revert of a merged pull request against today's default branch, reading only (through
 * `git`, e.g. `githubGit(octokit, repo)` of changes/): the state before and after its merge and
 * at the head, file by file. A file nobody touched since is restored to its earlier blob; one that
 * later commits changed on other lines is merged; one changed on the same lines stops the plan,
 * naming those commits. Migrations are left alone (reverting the file would not undo the schema
 * change).
 */
export async function planRevert(
  git: GitReader,
  params: { pullNumber: number; kind: FixKind; incident: number; branch: string; config: RepoConfig },
): Promise<RevertResult> {
  const { pullNumber } = params;
  const pr = await git.pull(pullNumber);
  if (!pr.mergedAt || !pr.mergeCommit)
    return { ok: false, reason: `#${pullNumber} is not merged, so there is nothing in production to revert` };
  if (pr.changedFiles > MAX_FILES)
    return { ok: false, reason: `#${pullNumber} changes ${pr.changedFiles} files; automatic reverts stop at ${MAX_FILES}` };
  const prFiles = await git.pullFiles(pullNumber);
  const defaultBranch = await git.defaultBranch();
  const headSha = await git.branchHead(defaultBranch);
  const merged = await git.commit(pr.mergeCommit);
  const head = await git.commit(headSha);
  const parent = merged.parents[0];
  if (!parent) return { ok: false, reason: `the merge commit of #${pullNumber} has no parent` };
  if (merged.parents.length === 1 && pr.commits > 1) {
    // Squash or rebase? A squash commit carries every file of the PR; a rebase's last commit only its own.
    const inCommit = new Set(await git.commitPaths(pr.mergeCommit));
    if (!prFiles.every((f) => inCommit.has(f.path))) {
      return {
        ok: false,
        reason: `#${pullNumber} was rebase-merged as ${pr.commits} commits; revert them by hand (\`git revert\` of each) — an automatic revert of the last one alone would be wrong`,
      };
    }
  }
  const before = await git.commit(parent);
  const trees = await Promise.all([before.tree, merged.tree, head.tree].map((sha) => git.tree(sha)));
  if (trees.some((t) => !t))
    return { ok: false, reason: "the repository tree is too large for the Git Data API's recursive listing; revert by hand" };
  const [beforeTree, afterTree, headTree] = trees as [Map<string, TreeEntry>, Map<string, TreeEntry>, Map<string, TreeEntry>];

  const classified = classifyChanges(
    {
      ref: `#${pullNumber}`,
      base: pr.base,
      head: pr.head,
      changedFiles: prFiles.length,
      filesNotListed: 0,
      files: prFiles,
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
      const [base, ours, theirs] = await Promise.all([a, c, b].map((e) => git.blobText(e.sha, MAX_MERGE_BYTES)));
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
  if (conflicts.length) return { ok: false, reason: await conflictReason(git, defaultBranch, pr.mergedAt, pr.mergeCommit, conflicts) };
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
      target: { number: pullNumber, title: pr.title, url: pr.url, mergeCommit: pr.mergeCommit, mergedAt: pr.mergedAt },
      branch: params.branch,
      base: { ref: defaultBranch, sha: headSha, tree: head.tree },
      files: files.sort((x, y) => x.path.localeCompare(y.path)),
      skipped,
    },
  };
}

/** Names the commits after the merge that touched the files a revert cannot be merged into. */
async function conflictReason(git: GitReader, branch: string, since: string, mergeCommit: string, paths: string[]): Promise<string> {
  const lines: string[] = [];
  for (const path of paths.slice(0, 10)) {
    const commits = await git.commitsTouching({ branch, path, since, limit: 10 });
    const later = commits
      .filter((c) => c.sha !== mergeCommit)
      .map((c) => `${c.sha.slice(0, 7)} "${c.subject}"${c.author ? ` by @${c.author}` : ""}`);
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
