import type { Signal, Window } from "../../signals/types.js";
import { metricKind } from "./metric-kind.js";
import { scoreSeries } from "./score-series.js";
import { refineByTopology } from "./refine.js";
import { ANOMALOUS_Z, type RankEdge, type RankedSeries, type ServiceRank } from "./types.js";

export { ANOMALOUS_Z, type RankEdge, type RankedSeries, type ServiceRank } from "./types.js";

/**
 * Ranks services by how far their metrics left their own baseline in the window, RED and resource
 * metrics alike, then lets the call graph (when there is one) tell causes from symptoms. Works with
 * no edges at all. Pure and deterministic; ties go to the service with more anomalous series, then
 * the earlier onset, never to a name.
 */
export function rankServices(params: { signals: Signal[]; window: Window; baseline?: Window; edges?: RankEdge[] }): ServiceRank[] {
  const { signals, window } = params;
  const baselineWindow = params.baseline ?? { from: -Infinity, to: window.from - 1 };
  const byService = new Map<string, RankedSeries[]>();
  for (const s of signals) {
    if (!s.service || s.kind !== "metric" || !s.series?.length) continue;
    const rule = metricKind(s.name);
    for (const series of s.series) {
      const base: number[] = [];
      const inWindow: Array<[number, number]> = [];
      for (const p of series.points) {
        if (p[0] >= window.from && p[0] <= window.to) inWindow.push(p);
        else if (p[0] >= baselineWindow.from && p[0] <= baselineWindow.to) base.push(p[1]);
      }
      const scored = scoreSeries({ baseline: base, window: inWindow, bad: rule.bad });
      if (!scored) continue;
      const pod = series.labels.pod;
      const entry: RankedSeries = {
        signalId: s.id,
        name: s.name,
        kind: rule.kind,
        score: scored.score,
        direction: scored.direction,
        ...(pod ? { pod } : {}),
      };
      if (scored.onsetAt !== undefined && scored.score >= ANOMALOUS_Z) entry.onsetAt = scored.onsetAt;
      byService.set(s.service, [...(byService.get(s.service) ?? []), entry]);
    }
  }
  const ranks: ServiceRank[] = [...byService].map(([service, series]) => {
    series.sort((a, b) => b.score - a.score);
    const onsets = series.filter((x) => x.onsetAt !== undefined).map((x) => x.onsetAt!);
    return { service, score: series[0]?.score ?? 0, series, ...(onsets.length ? { onsetAt: Math.min(...onsets) } : {}) };
  });
  const refined = params.edges?.length ? refineByTopology(ranks, params.edges) : ranks;
  const anomalousCount = (r: ServiceRank) => r.series.filter((x) => x.score >= ANOMALOUS_Z).length;
  return refined.sort(
    (a, b) => b.score - a.score || anomalousCount(b) - anomalousCount(a) || (a.onsetAt ?? Infinity) - (b.onsetAt ?? Infinity),
  );
}
