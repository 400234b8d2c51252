import { createHash } from "node:crypto";
import type { RepoConfig } from "../config/repo-config.js";
import { fullName, type Octokit, type RepoRef } from "../core/github.js";
import { describeChange, isFixMessage, revertTarget } from "./describe-change.js";
import { incidentFromThread, incidentsClosedBy } from "./incident-record.js";
import type { HistoryStore } from "./store.js";
import type { ChangeRecord, FailedDeployment, IncidentRecord, RepoHistory } from "./types.js";

export type SyncLimits = { maxPulls: number; maxIncidents: number; maxDeployments: number };
export const DEFAULT_LIMITS: SyncLimits = { maxPulls: 300, maxIncidents: 200, maxDeployments: 30 };
export type SyncResult = { pulls: number; incidents: number; deployments: number; notModified: string[]; first: boolean };

type Pull = {
  number: number;
  title: string;
  body?: string | null;
  html_url: string;
  merged_at: string | null;
  updated_at: string;
  merge_commit_sha?: string | null;
  head: { ref: string };
};
type Conditional<T> = { status: 304 } | { status: 200; data: T; etag?: string };

const PAGE = 50;

/** A GET with If-None-Match: a 304 costs no rate limit and means nothing changed since the stored ETag. */
async function conditional<T>(octokit: Octokit, route: string, params: Record<string, unknown>, etag?: string): Promise<Conditional<T>> {
  try {
    const r = await octokit.request(route, { ...params, headers: etag ? { "if-none-match": etag } : {} });
    return { status: 200, data: r.data as T, etag: r.headers.etag };
  } catch (e) {
    if ((e as { status?: number }).status === 304) return { status: 304 };
    throw e;
  }
}

const h8 = (line: string) => createHash("sha1").update(line.trim()).digest("hex").slice(0, 8);
const meaningful = (l: string) => l.trim().length >= 4;
const linesOf = (patch: string | undefined, sign: "+" | "-") =>
  (patch ?? "")
    .split("\n")
    .filter((l) => l[0] === sign && !l.startsWith(`${sign}${sign}${sign}`))
    .map((l) => l.slice(1))
    .filter(meaningful);

/**
 * A merged PR as a change: its files classified, the hashes of the lines it added, whether it
 * reverts an earlier change (`Revert "…"` title, "Reverts owner/repo#N" body) and, for a fix, the
 * earlier changes that added the lines it removes (SZZ on line content: the latest earlier change
 * that added the same line to the same file).
 */
export function changeFromPull(
  pull: Pull,
  files: Array<{ filename: string; status: string; additions: number; deletions: number; patch?: string; previous_filename?: string }>,
  config: RepoConfig,
  earlier: ChangeRecord[],
): ChangeRecord {
  const described = describeChange(
    files.map((f) => ({
      path: f.filename,
      status: f.status as "modified",
      additions: f.additions,
      deletions: f.deletions,
      patch: f.patch,
      previousPath: f.previous_filename,
    })),
    config,
  );
  const added: Record<string, string[]> = {};
  for (const f of files) {
    const hashes = linesOf(f.patch, "+").slice(0, 200).map(h8);
    if (hashes.length) added[f.filename] = hashes;
  }
  const at = Date.parse(pull.merged_at!);
  const before = earlier.filter((c) => c.at <= at && c.id !== `#${pull.number}`).sort((a, b) => b.at - a.at);
  const revert = revertTarget(pull.title, pull.body ?? "");
  const revertsNumber = /\bReverts\s+(?:[\w.-]+\/[\w.-]+)?#(\d+)/.exec(pull.body ?? "")?.[1];
  const revertOf = revert
    ? revertsNumber
      ? `#${revertsNumber}`
      : before.find((c) => revert.title && c.title === revert.title.replace(/\s*\(#\d+\)\s*$/, ""))?.id
    : undefined;
  const fix = isFixMessage(pull.title);
  const fixes = new Set<string>();
  if (fix) {
    for (const f of files) {
      for (const h of linesOf(f.patch, "-").map(h8)) {
        const origin = before.find((c) => c.added?.[f.filename]?.includes(h));
        if (origin && origin.id !== revertOf) fixes.add(origin.id);
      }
    }
  }
  return {
    id: `#${pull.number}`,
    ...(pull.merge_commit_sha ? { sha: pull.merge_commit_sha } : {}),
    title: pull.title.slice(0, 200),
    url: pull.html_url,
    at,
    ...described,
    ...(revertOf ? { revertOf } : {}),
    ...(fix ? { fix } : {}),
    ...(fixes.size ? { fixes: [...fixes] } : {}),
    added,
  };
}

/** Adds or replaces records by key, keeping the rest. */
function merge(
  doc: RepoHistory,
  delta: {
    changes?: ChangeRecord[];
    incidents?: IncidentRecord[];
    failed?: FailedDeployment[];
    fixes?: Map<number, IncidentRecord["fix"]>;
  },
): RepoHistory {
  const changes = new Map(doc.changes.map((c) => [c.id, c]));
  for (const c of delta.changes ?? []) changes.set(c.id, c);
  const incidents = new Map(doc.incidents.map((i) => [i.number, i]));
  for (const i of delta.incidents ?? []) incidents.set(i.number, { ...i, fix: i.fix ?? incidents.get(i.number)?.fix });
  const pendingFixes = { ...doc.pendingFixes };
  for (const [n, fix] of delta.fixes ?? []) {
    const i = incidents.get(n);
    if (i && fix) incidents.set(n, { ...i, fix });
    else if (fix) pendingFixes[String(n)] = fix;
  }
  for (const [n, fix] of Object.entries(pendingFixes)) {
    const i = incidents.get(Number(n));
    if (i) {
      if (!i.fix) incidents.set(i.number, { ...i, fix });
      delete pendingFixes[n];
    }
  }
  const failed = new Map(doc.failedDeployments.map((d) => [d.id, d]));
  for (const d of delta.failed ?? []) failed.set(d.id, d);
  return {
    ...doc,
    changes: [...changes.values()],
    incidents: [...incidents.values()],
    failedDeployments: [...failed.values()],
    pendingFixes,
  };
}

async function progress(store: HistoryStore, repo: string, build: RepoHistory["build"]) {
  await store.update(repo, (doc) => ({ ...doc, build }));
}

/**
 * Brings a repository's index up to date from GitHub, reading only what changed since the last
 * sync: merged PRs updated since the cursor (the first page conditional on its ETag), incidents
 * closed since (a search), deployments newer than the last seen (conditional). The first sync is
 * the build, bounded by `limits`, with its progress in the index for `insight doctor`.
 */
export async function syncHistory(p: {
  octokit: Octokit;
  repo: RepoRef;
  store: HistoryStore;
  config: RepoConfig;
  limits?: SyncLimits;
  now?: number;
}): Promise<SyncResult> {
  const { octokit, repo, store, config } = p;
  const limits = p.limits ?? DEFAULT_LIMITS;
  const name = fullName(repo);
  const doc = (await store.load(name)) ?? undefined;
  const first = doc?.build?.state !== "done";
  const startedAt = p.now ?? Date.now();
  const cursor = doc?.cursor ?? { etags: {} };
  const notModified: string[] = [];
  if (first) await progress(store, name, { state: "building", startedAt, done: 0, phase: "merged pull requests" });
  try {
    // Merged pull requests, newest update first, until the cursor.
    const known = [...(doc?.changes ?? [])];
    const changes: ChangeRecord[] = [];
    const fixes = new Map<number, IncidentRecord["fix"]>();
    let newestPull = cursor.pullsUpdatedSince;
    let pullsEtag = cursor.etags.pulls;
    let seen = 0;
    const read: Array<{ pull: Pull; files: Parameters<typeof changeFromPull>[1] }> = [];
    pages: for (let page = 1; seen < limits.maxPulls; page++) {
      const params = { ...repo, state: "closed", sort: "updated", direction: "desc", per_page: PAGE, page };
      const r = await conditional<Pull[]>(octokit, "GET /repos/{owner}/{repo}/pulls", params, page === 1 ? cursor.etags.pulls : undefined);
      if (r.status === 304) {
        notModified.push("pulls");
        break;
      }
      if (page === 1) pullsEtag = r.etag;
      for (const pull of r.data) {
        if (cursor.pullsUpdatedSince && pull.updated_at <= cursor.pullsUpdatedSince) break pages;
        if (!newestPull || pull.updated_at > newestPull) newestPull = pull.updated_at;
        if (!pull.merged_at || ++seen > limits.maxPulls) continue;
        if (known.some((c) => c.id === `#${pull.number}`)) continue;
        const { data: files } = await octokit.rest.pulls.listFiles({ ...repo, pull_number: pull.number, per_page: 100 });
        read.push({ pull, files });
        if (first && read.length % 25 === 0)
          await progress(store, name, { state: "building", startedAt, done: read.length, phase: "merged pull requests" });
      }
      if (r.data.length < PAGE) break;
    }
    // Oldest first: a fix is linked back to the earlier changes whose lines it removes.
    for (const { pull, files } of read.sort((a, b) => a.pull.merged_at!.localeCompare(b.pull.merged_at!))) {
      const change = changeFromPull(pull, files, config, [...known, ...changes]);
      changes.push(change);
      for (const n of incidentsClosedBy(pull)) fixes.set(n, { ref: change.id, title: change.title, url: change.url });
    }

    if (first) await progress(store, name, { state: "building", startedAt, done: changes.length, phase: "closed incidents" });
    const incidents = await closedIncidents(octokit, repo, config, cursor.incidentsUpdatedSince, limits.maxIncidents, fixes);
    const failed = await failedDeployments(octokit, repo, cursor, limits.maxDeployments, notModified);
    await store.update(name, (current) => {
      const next = merge(current, { changes, incidents: incidents.records, failed: failed.records, fixes });
      return {
        ...next,
        cursor: {
          ...current.cursor,
          pullsUpdatedSince: newestPull,
          incidentsUpdatedSince: incidents.newest ?? current.cursor.incidentsUpdatedSince,
          lastDeployment: failed.last ?? current.cursor.lastDeployment,
          etags: {
            ...current.cursor.etags,
            ...(pullsEtag ? { pulls: pullsEtag } : {}),
            ...(failed.etag ? { deployments: failed.etag } : {}),
          },
        },
        build: first
          ? {
              state: "done",
              startedAt,
              finishedAt: Date.now(),
              done: changes.length + incidents.records.length,
              total: changes.length + incidents.records.length,
              phase: "done",
            }
          : current.build,
      };
    });
    return { pulls: changes.length, incidents: incidents.records.length, deployments: failed.records.length, notModified, first };
  } catch (e) {
    if (first)
      await progress(store, name, {
        state: "failed",
        startedAt,
        finishedAt: Date.now(),
        done: 0,
        phase: "failed",
        error: String((e as Error).message).slice(0, 200),
      });
    throw e;
  }
}

async function closedIncidents(
  octokit: Octokit,
  repo: RepoRef,
  config: RepoConfig,
  since: string | undefined,
  max: number,
  fixes: Map<number, IncidentRecord["fix"]>,
) {
  const label = config.incident.label.replace(/["\\]/g, "");
  const q = `repo:${fullName(repo)} is:issue is:closed label:"${label}"${since ? ` updated:>=${since}` : ""}`;
  const records: IncidentRecord[] = [];
  let newest = since;
  for (let page = 1; records.length < max && page <= Math.ceil(max / PAGE); page++) {
    const { data } = await octokit.rest.search.issuesAndPullRequests({ q, sort: "updated", order: "asc", per_page: PAGE, page });
    for (const issue of data.items) {
      if (!newest || issue.updated_at > newest) newest = issue.updated_at;
      const record = await incidentOf(octokit, repo, issue, fixes.get(issue.number));
      if (record) records.push(record);
    }
    if (data.items.length < PAGE) break;
  }
  return { records, newest };
}

/** One incident thread read from GitHub (its first 100 comments). */
export async function incidentOf(
  octokit: Octokit,
  repo: RepoRef,
  issue: { number: number; title: string; html_url?: string; created_at: string; closed_at?: string | null },
  fix?: IncidentRecord["fix"],
): Promise<IncidentRecord | undefined> {
  const { data: comments } = await octokit.rest.issues.listComments({ ...repo, issue_number: issue.number, per_page: 100 });
  return incidentFromThread(issue, comments, fix);
}

async function failedDeployments(octokit: Octokit, repo: RepoRef, cursor: RepoHistory["cursor"], max: number, notModified: string[]) {
  const r = await conditional<Array<{ id: number; sha: string; created_at: string; url: string }>>(
    octokit,
    "GET /repos/{owner}/{repo}/deployments",
    { ...repo, per_page: max },
    cursor.etags.deployments,
  );
  if (r.status === 304) {
    notModified.push("deployments");
    return { records: [] as FailedDeployment[] };
  }
  const fresh = r.data.filter((d) => d.id > (cursor.lastDeployment ?? 0)).slice(0, max);
  const records: FailedDeployment[] = [];
  for (const d of fresh) {
    const { data: statuses } = await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: d.id, per_page: 1 });
    if (statuses[0] && (statuses[0].state === "failure" || statuses[0].state === "error"))
      records.push({ id: String(d.id), sha: d.sha, at: Date.parse(statuses[0].created_at) });
  }
  return { records, etag: r.etag, last: r.data.reduce((m, d) => Math.max(m, d.id), cursor.lastDeployment ?? 0) || undefined };
}
