import type { Category, Hypothesis } from "../analysis/rca.js";
import type { IncidentRecord } from "./types.js";

/** What an incident is compared by. */
export type IncidentQuery = {
  number?: number;
  keywords: string[];
  services: string[];
  category?: Category;
  mechanism?: string;
  at?: number;
};

export type SimilarIncident = {
  incident: IncidentRecord;
  /** 0..1 */
  score: number;
  shared: { keywords: string[]; services: string[]; mechanism?: string; category?: Category };
};

/** The minimum similarity to call a past incident "seen before". */
export const MIN_SIMILARITY = 0.3;
const WEIGHTS = { keywords: 0.5, services: 0.15, mechanism: 0.25, category: 0.1 };

const tokens = (s: string) =>
  new Set(
    s
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((t) => t.length > 1),
  );

/** Two keywords are the same when their words mostly are (a template's variables were already dropped). */
function sameKeyword(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const ta = tokens(a);
  const tb = tokens(b);
  if (ta.size < 2 || tb.size < 2) return false;
  let both = 0;
  for (const t of ta) if (tb.has(t)) both++;
  return both / (ta.size + tb.size - both) >= 0.6;
}

/** A hypothesis title as a mechanism: a change's own number and title say nothing across incidents. */
export function mechanismKey(title: string | undefined): string | undefined {
  if (!title) return undefined;
  const key = title
    .replace(/#\d+/g, "")
    .replace(/"[^"]*"/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
  return key && !/^(change|deployment|commit)$/.test(key) ? key : undefined;
}

/**
 * The past incidents most like this one, best first: shared keywords (weighted by how rare each is
 * among past incidents), shared services, the same mechanism, the same category. Deterministic;
 * ties go to the most recent.
 */
export function similarIncidents(
  q: IncidentQuery,
  past: IncidentRecord[],
  options: { limit?: number; min?: number } = {},
): SimilarIncident[] {
  const pool = past.filter((p) => p.number !== q.number && (q.at === undefined || p.openedAt < q.at));
  const df = new Map<string, number>();
  for (const p of pool) for (const s of new Set(p.signals.map((x) => x.toLowerCase()))) df.set(s, (df.get(s) ?? 0) + 1);
  const idf = (s: string) => Math.log((pool.length + 1) / ((df.get(s.toLowerCase()) ?? 0) + 1)) + 1;
  const mech = mechanismKey(q.mechanism);
  const scored = pool.map((p) => {
    const matched = q.keywords.filter((s) => p.signals.some((t) => sameKeyword(s, t)));
    const unmatchedPast = p.signals.filter((t) => !q.keywords.some((s) => sameKeyword(s, t)));
    const union = [...q.keywords, ...unmatchedPast].reduce((a, s) => a + idf(s), 0);
    const keywords = union ? matched.reduce((a, s) => a + idf(s), 0) / union : 0;
    const services = q.services.filter((s) => p.services.includes(s));
    const svc = services.length ? services.length / new Set([...q.services, ...p.services]).size : 0;
    const sameMech = !!mech && mech === mechanismKey(p.mechanism);
    const sameCat = !!q.category && q.category === p.category;
    const score =
      WEIGHTS.keywords * keywords + WEIGHTS.services * svc + WEIGHTS.mechanism * (sameMech ? 1 : 0) + WEIGHTS.category * (sameCat ? 1 : 0);
    return {
      incident: p,
      score,
      shared: {
        keywords: matched,
        services,
        ...(sameMech ? { mechanism: p.mechanism } : {}),
        ...(sameCat ? { category: p.category } : {}),
      },
    };
  });
  return scored
    .filter((s) => s.score >= (options.min ?? MIN_SIMILARITY) && (s.shared.keywords.length > 0 || s.shared.mechanism))
    .sort((a, b) => b.score - a.score || b.incident.openedAt - a.incident.openedAt)
    .slice(0, options.limit ?? 3);
}

/**
 * A past fix becomes evidence for the hypothesis it matches (the same mechanism, or the same
 * category on a shared service): cited by the past incident's number, with what fixed it. It never
 * adds a hypothesis and leaves confidences as the engine fitted them.
 */
export function withPastFixes(hypotheses: Hypothesis[], similar: SimilarIncident[]): Hypothesis[] {
  return hypotheses.map((h) => {
    const matches = similar.filter(
      ({ incident: p }) =>
        p.fix &&
        ((mechanismKey(h.title) && mechanismKey(h.title) === mechanismKey(p.mechanism)) ||
          (h.category === p.category && !!h.service && p.services.includes(h.service))),
    );
    if (!matches.length) return h;
    return {
      ...h,
      evidence: [...h.evidence, ...matches.map((m) => `history:#${m.incident.number}`)],
      reasons: [
        ...h.reasons,
        ...matches.map(
          (m) => `seen before in #${m.incident.number} (${Math.round(m.score * 100)}% similar), fixed by ${m.incident.fix!.ref}`,
        ),
      ],
    };
  });
}
