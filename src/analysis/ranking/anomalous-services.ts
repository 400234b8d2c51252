import type { Signal, Window } from "../../signals/types.js";
import { rankServices } from "./rank-services.js";
import { ANOMALOUS_Z, type RankEdge, type ServiceRank } from "./types.js";
import { metricKind, type MetricKind } from "./metric-kind.js";

/** An anomalous service as the RCA engine consumes it (`RankedService` in analysis/rca). */
export type AnomalousService = {
  service: string;
  /** 0..1: how strongly this service looks like where the fault is. */
  score: number;
  /** First anomaly (ms), when the signals have a time. */
  onset?: number;
  evidence: string[];
  /** Set when the service is a symptom: the anomalous service(s) it fails because of. */
  symptomOf?: string[];
  /** The failing chain (entry point → … → this service) it explains, when topology is known. */
  path?: string[];
  /** The ranking core's robust z (unbounded, unlike `score`), when the core scored it. */
  z?: number;
  /** When its strongest anomalous series is a resource (CPU, memory, IO, disk, network, saturation): that series. */
  resource?: { kind: MetricKind; signalId: string; name: string; direction: "up" | "down"; z: number };
};

/** Robust z → 0..1: 3 (the anomaly line) ≈ 0.31, 10 ≈ 0.71, 30 ≈ 0.98. */
export const unitScore = (z: number) => Math.round((1 - Math.exp(-z / 8)) * 1000) / 1000;

/** A service whose strongest series is a resource of its own: the cause is that resource. */
function resourceOf(r: ServiceRank): Pick<AnomalousService, "resource"> {
  const top = r.series[0];
  if (!top || top.score < ANOMALOUS_Z || !metricKind(top.name).local) return {};
  return { resource: { kind: top.kind, signalId: top.signalId, name: top.name, direction: top.direction, z: top.score } };
}

/**
 * The services the ranking core finds anomalous in the signals (every metric series against its
 * own baseline, refined by the call graph), merged with those the engine's anomaly rules found
 * (states without a series: OOM kills, lock chains, failing pods). A service both name keeps the
 * higher score and all the evidence; the core's cause/symptom reading wins where it has one.
 */
export function anomalousServices(params: {
  signals: Signal[];
  window: Window;
  edges: RankEdge[];
  fromAnomalies?: AnomalousService[];
  core?: ServiceRank[];
}): AnomalousService[] {
  const core = (params.core ?? rankServices({ signals: params.signals, window: params.window, edges: params.edges }))
    .filter((r) => r.score >= ANOMALOUS_Z)
    .map(
      (r): AnomalousService => ({
        service: r.service,
        score: unitScore(r.score),
        z: r.score,
        ...(r.onsetAt !== undefined ? { onset: r.onsetAt } : {}),
        evidence: [...new Set(r.series.filter((s) => s.score >= ANOMALOUS_Z).map((s) => s.signalId))],
        ...(r.explainedBy?.length ? { symptomOf: r.explainedBy } : {}),
        ...resourceOf(r),
      }),
    );
  const merged = new Map(core.map((c) => [c.service, c]));
  for (const a of params.fromAnomalies ?? []) {
    const c = merged.get(a.service);
    if (!c) {
      merged.set(a.service, a);
      continue;
    }
    const onset = Math.min(c.onset ?? Infinity, a.onset ?? Infinity);
    merged.set(a.service, {
      ...c,
      score: Math.max(c.score, a.score),
      ...(Number.isFinite(onset) ? { onset } : {}),
      evidence: [...new Set([...a.evidence, ...c.evidence])],
      ...(a.path ? { path: a.path } : {}),
    });
  }
  // Best first; ties by the earlier onset, then more evidence — never by name.
  // (`score` saturates near 1 for a large z: the core's z orders what it cannot.)
  return [...merged.values()].sort(
    (a, b) =>
      b.score - a.score ||
      (b.z ?? 0) - (a.z ?? 0) ||
      (a.onset ?? Infinity) - (b.onset ?? Infinity) ||
      b.evidence.length - a.evidence.length,
  );
}
