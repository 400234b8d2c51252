import type { RiskAssessment } from "../analysis/assess-impact.js";
import type { A2AClient, FoundCapsule } from "./a2a-client.js";

export type RankedCapsule = FoundCapsule & { rank: number };
export type Lookup = { status: "ok"; capsules: RankedCapsule[]; query: string[] } | { status: "error"; message: string; query: string[] };

/** Keywords fit to leave the organisation: no paths, addresses, mentions or links (they are redacted already). */
export const publicKeywords = (keywords: string[]) =>
  keywords.filter((s) => !/[@/\\]|https?:|\b\d{1,3}(?:\.\d{1,3}){3}\b/.test(s)).slice(0, 10);

const KIND_WORDS: Record<string, string> = {
  migration: "database migration",
  kubernetes: "kubernetes manifest change",
  helm: "helm values change",
  dependency: "dependency upgrade",
  config: "configuration change",
  infrastructure: "infrastructure change",
};

/** What a pull request's change and its services show, in words capsules are triggered by. */
export function changeKeywords(a: Pick<RiskAssessment, "files" | "services">): string[] {
  const kinds = [...new Set(a.files.map((f) => f.kind))].filter((k) => KIND_WORDS[k]).map((k) => KIND_WORDS[k]!);
  const alerts = a.services.flatMap((s) => s.alerts.map((x) => x.name));
  return [...new Set([...alerts, ...kinds])];
}

/** EvoMap's ranking: confidence × min(max(streak, 1), 5) × reputation / 100. */
export const capsuleRank = (c: FoundCapsule) => c.confidence * Math.min(Math.max(c.successStreak, 1), 5) * (c.reputation / 100);

/** Capsules other teams published for the same keywords, best first (a search-only fetch: metadata, free). */
export async function relatedCapsules(client: A2AClient, keywords: string[], limit = 5): Promise<Lookup | undefined> {
  const query = publicKeywords(keywords);
  if (query.length === 0) return undefined;
  const r = await client.search(query, 20);
  if (!r.ok) return { status: "error", message: r.error.message, query };
  const capsules = r.value
    .map((c) => ({ ...c, rank: capsuleRank(c) }))
    .sort((a, b) => b.rank - a.rank || a.assetId.localeCompare(b.assetId))
    .slice(0, limit);
  return { status: "ok", capsules, query };
}
