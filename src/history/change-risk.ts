import type { Factor } from "../analysis/score-blast-radius.js";
import { DEFAULT_WINDOW_MS, HOUR, followUps } from "./follow-ups.js";
import { inducingChanges } from "./file-risk.js";
import type { ChangeRecord, FollowUp, FollowUpKind, RepoHistory } from "./types.js";

type Known = Pick<RepoHistory, "changes" | "incidents" | "failedDeployments">;
export type ChangeKeys = Pick<ChangeRecord, "files" | "resources" | "services">;

/** One key of the change (a file, a resource, a service) and the last changes that shared it. */
export type KeyRecord = { key: string; past: ChangeRecord[]; bad: ChangeRecord[]; p: number };
export type FilePrior = { file: string; touches: number; induced: number; prior: number };
export type HistoryRisk = {
  /** 0..1: how much worse than the repository's usual the change's record is. */
  score: number;
  base: number;
  headline?: KeyRecord;
  prior?: FilePrior;
  followUps: Map<string, FollowUp[]>;
  factor?: Factor;
};

const LAST = 5;
/** Pseudo-count of the shrinkage toward the repository's base rate. */
const ALPHA = 2;
const LOCK =
  /(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|go\.sum|Cargo\.lock|poetry\.lock|Gemfile\.lock|composer\.lock|uv\.lock)$/;
const KIND_WORDS: Record<FollowUpKind, string> = {
  revert: "a revert",
  incident: "an incident",
  fix: "a fix",
  "failed-deployment": "a failed deployment",
};

const shrink = (bad: number, n: number, base: number) => (bad + ALPHA * base) / (n + ALPHA);

function keysOf(c: ChangeKeys): string[] {
  return [...c.files.filter((f) => !LOCK.test(f)).map((f) => `file:${f}`), ...c.resources];
}

function touches(c: ChangeRecord, key: string): boolean {
  if (key.startsWith("file:")) return c.files.includes(key.slice(5));
  if (key.startsWith("service:")) return c.services.includes(key.slice(8));
  return c.resources.includes(key);
}

/** How a key reads in a sentence. */
export function keyWords(key: string): string {
  const [kind, ...rest] = key.split(":");
  const v = rest.join(":");
  switch (kind) {
    case "file":
      return `\`${v}\``;
    case "table":
      return `table \`${v}\` (migrations)`;
    case "manifest":
      return `\`${v}\``;
    case "chart":
      return `chart \`${v}\``;
    case "dep":
      return `dependency \`${v}\``;
    case "service":
      return `service \`${v}\``;
    default:
      return `\`${v}\``;
  }
}

export const changeLink = (c: Pick<ChangeRecord, "id" | "url">) => (c.url ? `[${c.id}](${c.url})` : c.id);
const listWords = (xs: string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} or ${xs.at(-1)}`);

/**
 * The change record of a change: the last changes that touched the same files or resources (or,
 * failing those, services), how many were followed by a revert, an incident, a fix or a failed
 * deployment, against the repository's own base rate; and an SZZ-style prior of its most fix-prone
 * file. Pure: the same index and change give the same answer.
 */
export function historyRisk(change: ChangeKeys, h: Known, options: { asOf?: number; windowMs?: number } = {}): HistoryRisk {
  const asOf = options.asOf ?? Number.POSITIVE_INFINITY;
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const fu = followUps(h, { windowMs, asOf });
  // A change counts once its window has passed, or once something already followed it.
  const past = h.changes.filter((c) => c.at < asOf && (c.at + windowMs <= asOf || fu.has(c.id))).sort((a, b) => b.at - a.at);
  const base = past.length >= 10 ? past.filter((c) => fu.has(c.id)).length / past.length : 0.1;
  const record = (key: string): KeyRecord => {
    const last = past.filter((c) => touches(c, key)).slice(0, LAST);
    const bad = last.filter((c) => fu.has(c.id));
    return { key, past: last, bad, p: shrink(bad.length, last.length, base) };
  };
  let records = keysOf(change)
    .map(record)
    .filter((r) => r.past.length > 0);
  let weight = 1;
  if (!records.length) {
    records = change.services.map((s) => record(`service:${s}`)).filter((r) => r.past.length > 0);
    weight = 0.5;
  }
  const headline = records.sort((a, b) => b.p - a.p || b.bad.length - a.bad.length || a.key.localeCompare(b.key))[0];
  const prior = filePrior(change, past, h, asOf);
  const lift = headline ? weight * Math.max(0, headline.p - base) : 0;
  const priorLift = prior ? Math.max(0, prior.prior - prior.baseline) : 0;
  const score = Math.min(1, lift + 0.5 * priorLift);
  const points = Math.min(25, Math.round(40 * lift + 20 * priorLift));
  const risk: HistoryRisk = {
    score,
    base,
    headline,
    prior: prior && { file: prior.file, touches: prior.touches, induced: prior.induced, prior: prior.prior },
    followUps: fu,
  };
  if (points >= 1 && ((headline?.bad.length ?? 0) > 0 || (prior?.induced ?? 0) > 0)) risk.factor = factorOf(risk, points, windowMs);
  return risk;
}

/** SZZ prior: of the changes that touched a file, how many were later fixed (a fix changed their lines) or reverted. */
function filePrior(change: ChangeKeys, past: ChangeRecord[], h: Known, asOf: number): (FilePrior & { baseline: number }) | undefined {
  const induced = inducingChanges(h.changes, asOf);
  const baseline = past.length >= 10 ? past.filter((c) => induced.has(c.id)).length / past.length : 0.1;
  let best: (FilePrior & { baseline: number }) | undefined;
  for (const file of change.files.filter((f) => !LOCK.test(f))) {
    const on = past.filter((c) => c.files.includes(file));
    if (on.length < 2) continue;
    const n = on.filter((c) => induced.has(c.id)).length;
    const prior = shrink(n, on.length, baseline);
    if (!best || prior > best.prior) best = { file, touches: on.length, induced: n, prior, baseline };
  }
  return best;
}

function factorOf(r: HistoryRisk, points: number, windowMs: number): Factor {
  const parts: string[] = [];
  const evidence: string[] = [];
  const hl = r.headline;
  if (hl && hl.bad.length) {
    const kinds = [...new Set(hl.bad.flatMap((c) => r.followUps.get(c.id)!.map((f) => f.kind)))];
    parts.push(
      `${hl.bad.length} of the last ${hl.past.length} changes to ${keyWords(hl.key)} were followed by ${listWords(kinds.map((k) => KIND_WORDS[k]))} within ${Math.round(windowMs / HOUR)} h (${hl.bad.map(changeLink).join(", ")}); the repository's usual is ${Math.round(r.base * 100)}%`,
    );
    for (const c of hl.bad) for (const f of r.followUps.get(c.id)!) evidence.push(`${c.id}→${f.kind} ${f.ref}`);
  }
  if (r.prior && r.prior.induced > 0)
    parts.push(
      `\`${r.prior.file}\` is fix-prone: ${r.prior.induced} of the ${r.prior.touches} changes to it were later fixed or reverted (SZZ)`,
    );
  return { name: "History", points, reason: parts.join("; "), evidence: evidence.slice(0, 6), files: r.prior ? [r.prior.file] : undefined };
}
