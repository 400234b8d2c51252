import { createHmac, timingSafeEqual } from "node:crypto";
import { readMetadata, writeMetadata } from "../github/metadata.js";
import { fullName, type Octokit, type RepoRef } from "../core/github.js";
import { canonicalJson } from "../util/canonical-json.js";
import type { FixRecord, FixStateStore } from "./fix-store.js";
import type { FixState } from "./types.js";

export const FIX_KEY = "fix";
export const fixBranch = (incident: number) => `insight/fix-${incident}`;
export const rollbackBranch = (pull: number) => `insight/rollback-${pull}`;
const BRANCH = /^insight\/(fix|rollback)-\d+$/;

/** What the fix commands and processors share: Insight's own store of fix state and the key its PR blocks are signed with. */
export type Remediation = { store: FixStateStore; key: Buffer };

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
  /** The state from Insight's store, never from the description. */
  state: FixState;
  record: FixRecord;
  /** False when the description's state block is missing, unsigned, forged or stale: someone edited it. */
  bodyIntact: boolean;
};

const mac = (key: Buffer, repo: string, branch: string, state: FixState) =>
  createHmac("sha256", key).update(canonicalJson({ repo, branch, state })).digest("hex");

/** The PR body with its signed state block replaced (or added first). The block is for readers; the store is the truth. */
export function withFixState(body: string, r: Pick<Remediation, "key">, record: Pick<FixRecord, "repo" | "branch" | "state">): string {
  const block = writeMetadata(FIX_KEY, { ...record.state, sig: mac(r.key, record.repo, record.branch, record.state) });
  const start = body.indexOf(`<!-- insight:meta:${FIX_KEY} `);
  if (start < 0) return `${block}\n${body}`;
  const end = body.indexOf(" -->", start);
  return `${body.slice(0, start)}${block}${body.slice(end + 4)}`;
}

/** True when the description carries exactly the state Insight stored, signed with its key. */
export function verifyFixBlock(body: string | null, r: Pick<Remediation, "key">, record: FixRecord): boolean {
  const block = readMetadata<FixState & { sig?: unknown }>(body, FIX_KEY);
  if (!block || typeof block.sig !== "string" || !/^[0-9a-f]{64}$/.test(block.sig)) return false;
  const { sig, ...state } = block;
  const expected = Buffer.from(mac(r.key, record.repo, record.branch, record.state), "hex");
  if (!timingSafeEqual(Buffer.from(sig, "hex"), expected)) return false;
  return canonicalJson(state) === canonicalJson(record.state);
}

type PullData = {
  number: number;
  node_id: string;
  html_url: string;
  draft?: boolean;
  state: string;
  merged_at: string | null;
  body: string | null;
  user: { id?: number; type?: string } | null;
  head: { sha: string; ref: string; repo: { full_name: string } | null };
};

/**
 * A pull request Insight opened for a fix: Insight has a record of it, it is authored by the very
 * bot account that GitHub named when Insight created it (the App's own identity; another bot such
 * as `github-actions[bot]` is not it), from an `insight/fix-*` or `insight/rollback-*` branch of
 * this repository (never a fork). Anything else is not a fix PR, whatever its description claims.
 */
async function asFixPull(r: Remediation, repo: RepoRef, pr: PullData): Promise<FixPull | undefined> {
  if (pr.user?.type !== "Bot" || !BRANCH.test(pr.head.ref) || pr.head.repo?.full_name !== fullName(repo)) return undefined;
  const record = await r.store.get(fullName(repo), pr.number);
  if (!record || record.author.id !== pr.user.id || record.branch !== pr.head.ref) return undefined;
  return {
    number: pr.number,
    nodeId: pr.node_id,
    url: pr.html_url,
    draft: pr.draft ?? false,
    open: pr.state === "open",
    merged: !!pr.merged_at,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    body: pr.body ?? "",
    state: record.state,
    record,
    bodyIntact: verifyFixBlock(pr.body, r, record),
  };
}

export async function getFixPull(octokit: Octokit, r: Remediation, repo: RepoRef, number: number): Promise<FixPull | undefined> {
  const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
  return asFixPull(r, repo, data as PullData);
}

/** The newest fix PR on `branch` (open ones first). */
export async function findFixPullByBranch(octokit: Octokit, r: Remediation, repo: RepoRef, branch: string): Promise<FixPull | undefined> {
  const { data } = await octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${branch}`, state: "all", per_page: 10 });
  const pulls: FixPull[] = [];
  for (const p of data as PullData[]) {
    const fix = await asFixPull(r, repo, p);
    if (fix) pulls.push(fix);
  }
  return pulls.find((p) => p.open) ?? pulls[0];
}

/**
 * Stores the next state of a fix (version bumped, compare-and-set), then mirrors it, signed, in
 * the description. Undefined when another job changed the fix first.
 */
export async function saveFixState(r: Remediation, record: FixRecord, next: Omit<FixState, "version">): Promise<FixRecord | undefined> {
  const updated: FixRecord = { ...record, state: { ...next, version: record.state.version + 1 } };
  return (await r.store.put(updated, record.state.version)) ? updated : undefined;
}
