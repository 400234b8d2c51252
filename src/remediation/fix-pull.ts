import { z } from "zod";
import { readMetadata, writeMetadata } from "../github/metadata.js";
import { fullName, type Octokit, type RepoRef } from "../github/types.js";
import type { FixState } from "./types.js";

export const FIX_KEY = "fix";
export const fixBranch = (incident: number) => `insight/fix-${incident}`;
export const rollbackBranch = (pull: number) => `insight/rollback-${pull}`;
const BRANCH = /^insight\/(fix|rollback)-\d+$/;

const approvalSchema = z.object({ by: z.string(), basis: z.string(), at: z.string(), commit: z.string(), commentId: z.number() });
const fixStateSchema = z.object({
  kind: z.enum(["revert", "config-rollback", "rollback"]),
  incident: z.number().int().positive(),
  target: z.number().int().positive(),
  requester: z.string(),
  commit: z.string(),
  status: z.enum(["proposed", "approved", "rejected", "merged"]),
  approvals: z.array(approvalSchema),
  rejected: z.object({ by: z.string(), at: z.string(), reason: z.string().optional() }).optional(),
});

export type FixPull = {
  number: number;
  nodeId: string;
  url: string;
  draft: boolean;
  open: boolean;
  merged: boolean;
  headSha: string;
  headRef: string;
  body: string;
  state: FixState;
};

/** The PR body with its state block replaced (or added first). */
export function withFixState(body: string, state: FixState): string {
  const block = writeMetadata(FIX_KEY, state);
  const start = body.indexOf(`<!-- insight:meta:${FIX_KEY} `);
  if (start < 0) return `${block}\n${body}`;
  const end = body.indexOf(" -->", start);
  return `${body.slice(0, start)}${block}${body.slice(end + 4)}`;
}

type PullData = { number: number; node_id: string; html_url: string; draft?: boolean; state: string; merged_at: string | null; body: string | null; user: { type?: string } | null; head: { sha: string; ref: string; repo: { full_name: string } | null } };

/**
 * A pull request Insight opened for a fix: made by a bot, from an `insight/fix-*` or
 * `insight/rollback-*` branch of this repository (never a fork), with a readable state block.
 * Anything else is not a fix PR, whatever its body claims.
 */
function asFixPull(repo: RepoRef, pr: PullData): FixPull | undefined {
  if (pr.user?.type !== "Bot" || !BRANCH.test(pr.head.ref) || pr.head.repo?.full_name !== fullName(repo)) return undefined;
  const parsed = fixStateSchema.safeParse(readMetadata(pr.body, FIX_KEY));
  if (!parsed.success) return undefined;
  return { number: pr.number, nodeId: pr.node_id, url: pr.html_url, draft: pr.draft ?? false, open: pr.state === "open", merged: !!pr.merged_at, headSha: pr.head.sha, headRef: pr.head.ref, body: pr.body ?? "", state: parsed.data };
}

export async function getFixPull(octokit: Octokit, repo: RepoRef, number: number): Promise<FixPull | undefined> {
  const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
  return asFixPull(repo, data as PullData);
}

/** The newest fix PR on `branch` (open ones first). */
export async function findFixPullByBranch(octokit: Octokit, repo: RepoRef, branch: string): Promise<FixPull | undefined> {
  const { data } = await octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${branch}`, state: "all", per_page: 10 });
  const pulls = (data as PullData[]).map((p) => asFixPull(repo, p)).filter((p): p is FixPull => !!p);
  return pulls.find((p) => p.open) ?? pulls[0];
}
