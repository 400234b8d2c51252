import type { RiskAssessment } from "../analysis/assess-impact.js";
import type { ClassifiedFile } from "../analysis/classify-change.js";
import type { Hypothesis, RcaResult } from "../analysis/rca.js";
import { levelOf, type Factor } from "../analysis/score-blast-radius.js";
import type { RepoConfig } from "../config/repo-config.js";
import { fullName, type Octokit, type RepoRef } from "../core/github.js";
import { canonicalJson, sha256Hex } from "../util/canonical-json.js";
import { historyRisk } from "./change-risk.js";
import { fromClassified } from "./describe-change.js";
import { DEFAULT_WINDOW_MS } from "./follow-ups.js";
import { changeFromPull, DEFAULT_LIMITS, incidentOf, syncHistory, type SyncLimits } from "./github-sync.js";
import { incidentsClosedBy } from "./incident-record.js";
import { similarIncidents, withPastFixes, type SimilarIncident } from "./similar-incidents.js";
import type { HistoryStore } from "./store.js";
import type { RepoHistory } from "./types.js";

/** The repository memory as the processors use it. */
export type HistoryServices = { store: HistoryStore; limits?: SyncLimits; windowMs?: number };

type Ctx = { octokit: Octokit; config: RepoConfig; log: { warn(o: object, m: string): void; info(o: object, m: string): void } };

/** Brings the index up to date (incremental, conditional reads); a failure is a note, and the index as it was is used. */
async function fresh(h: HistoryServices, ctx: Ctx, repo: RepoRef): Promise<{ doc?: RepoHistory; note?: string }> {
  try {
    const r = await syncHistory({ octokit: ctx.octokit, repo, store: h.store, config: ctx.config, limits: h.limits ?? DEFAULT_LIMITS });
    ctx.log.info({ repo: fullName(repo), ...r }, "History index synced");
  } catch (e) {
    ctx.log.warn({ repo: fullName(repo), status: (e as { status?: number }).status }, "History index could not be synced");
    const doc = await h.store.load(fullName(repo)).catch(() => undefined);
    return {
      doc,
      note: `history: the index could not be brought up to date (${(e as { status?: number }).status ?? "error"}); ${doc ? "the last one was used" : "no past incident or change was compared"}`,
    };
  }
  return { doc: await h.store.load(fullName(repo)) };
}

export type SeenBefore = { similar: SimilarIncident[]; indexed: number; hypotheses: Hypothesis[]; note?: string };

/** The past incidents most like this one, and the hypotheses with matching past fixes cited as evidence. */
export async function seenBefore(
  h: HistoryServices,
  ctx: Ctx,
  p: { repo: RepoRef; issueNumber: number; at: number; keywords: string[]; services: string[]; result: RcaResult },
): Promise<SeenBefore> {
  const { doc, note } = await fresh(h, ctx, p.repo);
  const top = p.result.hypotheses[0];
  const similar = doc
    ? similarIncidents(
        { number: p.issueNumber, at: p.at, keywords: p.keywords, services: p.services, category: top?.category, mechanism: top?.title },
        doc.incidents,
      )
    : [];
  const indexed = doc?.incidents.filter((i) => i.number !== p.issueNumber).length ?? 0;
  return { similar, indexed, hypotheses: withPastFixes(p.result.hypotheses, similar), note };
}

/** The "History" factor of a PR from the index (never a scan of its own). */
export async function changeHistoryFactor(
  h: HistoryServices,
  ctx: Ctx,
  repo: RepoRef,
  files: ClassifiedFile[],
  pullNumber?: number,
): Promise<{ factor?: Factor; note?: string }> {
  const { doc, note } = await fresh(h, ctx, repo);
  if (!doc) return { note };
  const others = { ...doc, changes: doc.changes.filter((c) => c.id !== `#${pullNumber}`) };
  return { factor: historyRisk(fromClassified(files), others, { windowMs: h.windowMs ?? DEFAULT_WINDOW_MS }).factor, note };
}

/** The assessment with the History factor added: score, level and digest follow. */
export function withFactor(a: RiskAssessment, factor: Factor | undefined, config: RepoConfig, note?: string): RiskAssessment {
  if (!factor && !note) return a;
  const factors = factor ? [...a.factors, factor].sort((x, y) => y.points - x.points || x.name.localeCompare(y.name)) : a.factors;
  const score = Math.min(
    100,
    factors.reduce((n, f) => n + f.points, 0),
  );
  const notAnalysed = note ? [...a.notAnalysed, note] : a.notAnalysed;
  return {
    ...a,
    factors,
    score,
    level: levelOf(score, config.impact.thresholds),
    notAnalysed,
    digest: sha256Hex(canonicalJson([a.digest, factor ?? null, note ?? null])).slice(0, 16),
  };
}

/** `issues.closed`: the incident joins the index at once. */
export async function indexClosedIncident(h: HistoryServices, ctx: Ctx, repo: RepoRef, issueNumber: number): Promise<boolean> {
  const { data: issue } = await ctx.octokit.rest.issues.get({ ...repo, issue_number: issueNumber });
  const labels = issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
  if (!labels.includes(ctx.config.incident.label)) return false;
  const record = await incidentOf(ctx.octokit, repo, issue);
  if (!record) return false;
  await h.store.update(fullName(repo), (doc) => {
    const { [String(record.number)]: pending, ...pendingFixes } = doc.pendingFixes ?? {};
    const fix = record.fix ?? doc.incidents.find((i) => i.number === record.number)?.fix ?? pending;
    return {
      ...doc,
      pendingFixes,
      incidents: [...doc.incidents.filter((i) => i.number !== record.number), { ...record, ...(fix ? { fix } : {}) }],
    };
  });
  return true;
}

/** A merged PR: the change joins the index, and the incidents it closes get it as their fix. */
export async function indexMergedPull(h: HistoryServices, ctx: Ctx, repo: RepoRef, pullNumber: number): Promise<void> {
  const { data: pull } = await ctx.octokit.rest.pulls.get({ ...repo, pull_number: pullNumber });
  if (!pull.merged_at) return;
  const { data: files } = await ctx.octokit.rest.pulls.listFiles({ ...repo, pull_number: pullNumber, per_page: 100 });
  await h.store.update(fullName(repo), (doc) => {
    const change = changeFromPull(pull, files, ctx.config, doc.changes);
    const closes = incidentsClosedBy(pull);
    const fix = { ref: change.id, title: change.title, url: change.url };
    const later = closes.filter((n) => !doc.incidents.some((i) => i.number === n));
    return {
      ...doc,
      changes: [...doc.changes.filter((c) => c.id !== change.id), change],
      incidents: doc.incidents.map((i) => (closes.includes(i.number) ? { ...i, fix } : i)),
      pendingFixes: { ...doc.pendingFixes, ...Object.fromEntries(later.slice(0, 20).map((n) => [String(n), fix])) },
    };
  });
}
