import type { FileChange } from "../core/change-set.js";
import type { Octokit, RepoRef } from "../core/github.js";
import { pullRequestFiles } from "./github.js";

/** A pull request as a revert needs it: merged or not, and where its change went in. */
export type MergedPull = {
  number: number;
  title: string;
  url: string;
  mergedAt: string | null;
  mergeCommit: string | null;
  changedFiles: number;
  commits: number;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
};

/** A commit of the Git Data API: its tree and parents. */
export type GitCommit = { sha: string; tree: string; parents: string[] };

/** One blob of a tree: its content's sha and file mode. */
export type TreeEntry = { sha: string; mode: string };

/** A commit on a branch, as a person would name it. */
export type BranchCommit = { sha: string; subject: string; author?: string };

/**
 * The repository reads of a revert plan: pull request, branches, commits, trees and blobs. The
 * GitHub one is `githubGit`; tests pass one over plain data.
 */
export type GitReader = {
  pull(number: number): Promise<MergedPull>;
  pullFiles(number: number): Promise<FileChange[]>;
  defaultBranch(): Promise<string>;
  /** The commit a branch points at now. */
  branchHead(branch: string): Promise<string>;
  commit(sha: string): Promise<GitCommit>;
  /** The paths one commit changed against its first parent. */
  commitPaths(sha: string): Promise<string[]>;
  /** Path → blob of a tree, recursively; undefined when the listing was truncated (too large). */
  tree(sha: string): Promise<Map<string, TreeEntry> | undefined>;
  /** A blob as UTF-8 text; undefined when it is larger than `maxBytes` or binary. */
  blobText(sha: string, maxBytes: number): Promise<string | undefined>;
  /** The latest commits (at most `limit`) on a branch since a time that changed a path. */
  commitsTouching(p: { branch: string; path: string; since: string; limit: number }): Promise<BranchCommit[]>;
};

/** The Git Data and REST reads of a revert plan on one GitHub repository. */
export function githubGit(octokit: Octokit, repo: RepoRef): GitReader {
  return {
    async pull(number) {
      const { data: pr } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
      return {
        number: pr.number,
        title: pr.title,
        url: pr.html_url,
        mergedAt: pr.merged_at,
        mergeCommit: pr.merge_commit_sha,
        changedFiles: pr.changed_files,
        commits: pr.commits,
        base: { ref: pr.base.ref, sha: pr.base.sha },
        head: { ref: pr.head.ref, sha: pr.head.sha },
      };
    },
    pullFiles: (number) => pullRequestFiles(octokit, repo, number),
    async defaultBranch() {
      return (await octokit.rest.repos.get(repo)).data.default_branch;
    },
    async branchHead(branch) {
      return (await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` })).data.object.sha;
    },
    async commit(sha) {
      const { data } = await octokit.rest.git.getCommit({ ...repo, commit_sha: sha });
      return { sha: data.sha, tree: data.tree.sha, parents: data.parents.map((p) => p.sha) };
    },
    async commitPaths(sha) {
      const { data } = await octokit.rest.repos.getCommit({ ...repo, ref: sha });
      return (data.files ?? []).map((f) => f.filename);
    },
    async tree(sha) {
      const { data } = await octokit.rest.git.getTree({ ...repo, tree_sha: sha, recursive: "true" });
      if (data.truncated) return undefined;
      return new Map(
        data.tree.filter((e) => e.type === "blob" && e.path && e.sha).map((e) => [e.path!, { sha: e.sha!, mode: e.mode ?? "100644" }]),
      );
    },
    async blobText(sha, maxBytes) {
      const { data } = await octokit.rest.git.getBlob({ ...repo, file_sha: sha });
      if ((data.size ?? 0) > maxBytes) return undefined;
      const bytes = Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
      if (bytes.includes(0)) return undefined;
      return bytes.toString("utf8");
    },
    async commitsTouching({ branch, path, since, limit }) {
      const { data } = await octokit.rest.repos.listCommits({ ...repo, sha: branch, path, since, per_page: limit });
      return data.map((c) => ({ sha: c.sha, subject: c.commit.message.split("\n")[0] ?? "", author: c.author?.login }));
    },
  };
}
