import { stickyMarker } from "./metadata.js";
import type { Octokit, RepoRef } from "../core/github.js";

export type FoundComment = { id: number; body: string; html_url: string };

/**
 * Finds the app's sticky comment for `key` on an issue or PR: the first comment by a bot whose
 * body carries the marker. Comments by people that quote the marker are not ours and are skipped.
 */
export async function findStickyComment(
  octokit: Octokit,
  repo: RepoRef,
  issueNumber: number,
  key: string,
): Promise<FoundComment | undefined> {
  const marker = stickyMarker(key);
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  })) {
    const found = page.data.find((c) => c.user?.type === "Bot" && c.body?.includes(marker));
    if (found) return { id: found.id, body: found.body ?? "", html_url: found.html_url };
  }
  return undefined;
}
