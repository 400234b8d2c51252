import type { Octokit, RepoRef } from "../core/github.js";
import type { ChangeSet, FileChange } from "../core/change-set.js";

/** GitHub lists at most 3,000 files of a pull request. */
export const GITHUB_FILE_LIMIT = 3000;

/** A pull request's change set through the API: PR metadata and its files with patches, paginated. */
export async function pullRequestChanges(
  octokit: Octokit,
  repo: RepoRef,
  pullNumber: number,
): Promise<{ changes: ChangeSet; pr: { draft: boolean; state: string; labels: string[]; headSha: string; body: string } }> {
  const { data: pr } = await octokit.rest.pulls.get({ ...repo, pull_number: pullNumber });
  const files = await pullRequestFiles(octokit, repo, pullNumber);
  return {
    changes: {
      ref: `${repo.owner}/${repo.repo}#${pullNumber}`,
      title: pr.title,
      author: pr.user?.login,
      base: { ref: pr.base.ref, sha: pr.base.sha },
      head: { ref: pr.head.ref, sha: pr.head.sha },
      files,
      changedFiles: pr.changed_files,
      filesNotListed: Math.max(0, pr.changed_files - files.length),
    },
    pr: { draft: pr.draft ?? false, state: pr.state, labels: pr.labels.map((l) => l.name), headSha: pr.head.sha, body: pr.body ?? "" },
  };
}

/** A pull request's files with their patches, page by page, up to GitHub's 3,000-file limit. */
export async function pullRequestFiles(octokit: Octokit, repo: RepoRef, pullNumber: number): Promise<FileChange[]> {
  const files: FileChange[] = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.pulls.listFiles, { ...repo, pull_number: pullNumber, per_page: 100 })) {
    for (const f of page.data) {
      files.push({
        path: f.filename,
        previousPath: f.previous_filename,
        status: f.status,
        additions: f.additions,
        deletions: f.deletions,
        patch: f.patch,
      });
    }
    if (files.length >= GITHUB_FILE_LIMIT) break;
  }
  return files;
}
