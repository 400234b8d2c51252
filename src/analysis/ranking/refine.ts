import { ANOMALOUS_Z, type RankEdge, type RankedSeries, type ServiceRank } from "./types.js";

/** What a symptom keeps of the evidence its cause explains. */
const EXPLAINED = 0.5;
/** Onsets this close count as simultaneous (one sample at 1-minute resolution). */
const SAME_TIME_MS = 60_000;

const propagated = (s: RankedSeries) =>
  ["latency", "errors", "success"].includes(s.kind) && s.direction === (s.kind === "success" ? "down" : "up");
const starved = (s: RankedSeries) => s.direction === "down" && ["traffic", "network", "io", "cpu"].includes(s.kind);

/**
 * Cause versus symptom on the call graph, in both directions: a caller whose anomaly is latency or
 * errors, with an anomalous callee that went bad no later, is that callee's symptom; a callee whose
 * anomaly is a fall in traffic, with an anomalous caller, is the caller's symptom. A symptom keeps
 * its own local evidence (its CPU, memory, IO) in full; what the other explains counts at most half
 * the explaining service's score, so the cause outranks it however loud the symptom is.
 * A dependency that several anomalous services call is their common cause.
 */
export function refineByTopology(ranks: ServiceRank[], edges: RankEdge[]): ServiceRank[] {
  const by = new Map(ranks.map((r) => [r.service, r]));
  const anomalous = (s: string) => (by.get(s)?.score ?? 0) >= ANOMALOUS_Z;
  const callees = (s: string) => [...new Set(edges.filter((e) => e.from === s && e.to !== s).map((e) => e.to))].filter(anomalous);
  const callers = (s: string) => [...new Set(edges.filter((e) => e.to === s && e.from !== s).map((e) => e.from))].filter(anomalous);
  const strongest = (services: string[]) => Math.max(...services.map((s) => by.get(s)!.score));
  const noLater = (a: string, b: string) => (by.get(a)!.onsetAt ?? Infinity) <= (by.get(b)!.onsetAt ?? -Infinity) + SAME_TIME_MS;
  return ranks.map((r) => {
    if (r.score < ANOMALOUS_Z) return r;
    const top = r.series[0]!;
    const notes: string[] = [];
    const explainedBy: string[] = [];
    let score = r.score;
    let role: ServiceRank["role"];
    // A callee that only gets less traffic breaks nobody: it explains no caller's errors.
    const causes = callees(r.service).filter((c) => noLater(c, r.service) && !starved(by.get(c)!.series[0]!));
    if (propagated(top) && causes.length) {
      const own = Math.max(0, ...r.series.filter((s) => !propagated(s)).map((s) => s.score));
      score = Math.max(own, Math.min(r.score, strongest(causes)) * EXPLAINED);
      role = "symptom";
      notes.push(`its ${top.kind} follows ${causes.join(", ")}, which it calls`);
      explainedBy.push(...causes);
    }
    const starvers = callers(r.service);
    if (starved(top) && starvers.length) {
      const own = Math.max(0, ...r.series.filter((s) => !starved(s)).map((s) => s.score));
      score = Math.min(score, Math.max(own, Math.min(r.score, strongest(starvers)) * EXPLAINED));
      role = "symptom";
      notes.push(`its ${top.kind} fell with ${starvers.join(", ")}, which call it`);
      explainedBy.push(...starvers);
    }
    // Its own evidence (a resource, say) still outweighs what explains the rest: not a symptom after all.
    if (role === "symptom" && score > strongest(explainedBy)) {
      role = undefined;
      notes.push(`its own ${r.series.find((s) => s.score === score)?.kind ?? "evidence"} outweighs that`);
      explainedBy.length = 0;
    }
    const sharers = callers(r.service).filter((c) => propagated(by.get(c)!.series[0]!));
    if (!role && sharers.length >= 2) {
      role = "shared";
      notes.push(`${sharers.join(", ")} call it and are anomalous`);
    } else if (!role && sharers.length) role = "cause";
    return { ...r, score, ...(role ? { role } : {}), ...(explainedBy.length ? { explainedBy } : {}), ...(notes.length ? { notes } : {}) };
  });
}
