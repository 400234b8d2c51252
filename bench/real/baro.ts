import type { Signal, Window } from "../../src/signals/types.js";

/**
 * The BARO-style baseline (RCAEval `baro()`): each metric's (the bench passes a case's pod metrics) window points robust-scaled
 * against the baseline, (x − median) / IQR, scored by their maximum (rises only); columns constant
 * on either side dropped, as RCAEval's preprocessing does; an IQR of 0 scales by 1 (scikit-learn's
 * RobustScaler). Services are ranked by their best metric. Independent of the product's code.
 */
export function baro(signals: Signal[], window: Window, baseline: Window): string[] {
  const scored: Array<{ service: string; score: number }> = [];
  for (const s of signals) {
    const service = s.series?.[0]?.labels.service ?? s.service;
    if (!service || !s.series?.[0]) continue;
    const points = s.series[0].points;
    const a = points.filter((p) => p[0] >= baseline.from && p[0] <= baseline.to).map((p) => p[1]);
    const b = points.filter((p) => p[0] >= window.from && p[0] <= window.to).map((p) => p[1]);
    if (a.length < 2 || b.length < 1 || new Set(a).size < 2 || new Set(b).size < 2) continue;
    const sorted = [...a].sort((x, y) => x - y);
    const q = (p: number) => {
      const pos = (sorted.length - 1) * p;
      const lo = Math.floor(pos);
      return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
    };
    const iqr = q(0.75) - q(0.25) || 1;
    scored.push({ service, score: Math.max(...b.map((v) => (v - q(0.5)) / iqr)) });
  }
  scored.sort((x, y) => y.score - x.score);
  return [...new Set(scored.map((x) => x.service))];
}
