import { median } from "../series-detector.js";
import type { BadDirection } from "./metric-kind.js";
import { ANOMALOUS_Z } from "./types.js";

export type SeriesScore = {
  /** Robust z of the window against the baseline, in the direction that scored (≥ 0). */
  score: number;
  direction: "up" | "down";
  /** First window point that reached half the peak (and at least `ONSET_Z`): the estimated onset. */
  onsetAt?: number;
  baseline: number;
  peak: number;
};

/**
 * A move the other way than the bad one still counts a little (a CPU fall can be a stalled
 * process), but never as an anomaly of its own: it stays below `ANOMALOUS_Z`.
 */
const wrongWay = (z: number) => Math.min(z * 0.25, ANOMALOUS_Z * 0.9);
const ONSET_Z = 3;
/**
 * Samples an excursion must last to score at its level: the third-highest point, so a one- or
 * two-sample spike (a scrape glitch, a quantised series' routine blip) does not outrank a fault
 * that holds. The streaming detector uses the same persistence (`persist` 3, anomaly.ts).
 */
const PERSIST = 3;
/** Smallest spread, as a share of the baseline level: a flat baseline does not make every wiggle infinite. */
const LEVEL_FLOOR = 0.02;

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The level the series held for at least `PERSIST` samples (all of them when the window is shorter). */
function sustained(z: number[]): number {
  const sorted = [...z].sort((a, b) => b - a);
  return sorted[Math.min(PERSIST, sorted.length) - 1] ?? 0;
}

/**
 * Robust spread of a baseline: the IQR (BARO's robust scaling), else the scaled MAD, else a small
 * share of the level; never zero, so a series that was flat and moved scores high but finite.
 */
export function robustScale(values: number[]): { median: number; scale: number } {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const m = median(sorted);
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const mad = 1.4826 * median(sorted.map((v) => Math.abs(v - m)));
  return { median: m, scale: Math.max(iqr, mad, Math.abs(m) * LEVEL_FLOOR, 1e-6) };
}

/**
 * Scores the window's points against the baseline's robust level and spread, (x − median) / IQR,
 * as BARO does; the level held for `PERSIST` samples in each direction, the bad direction at full weight. Undefined without
 * at least 3 baseline points and 1 window point.
 */
export function scoreSeries(params: { baseline: number[]; window: Array<[number, number]>; bad: BadDirection }): SeriesScore | undefined {
  const { baseline, window, bad } = params;
  const points = window.filter((p) => Number.isFinite(p[1]));
  if (points.length === 0 || baseline.filter(Number.isFinite).length < 3) return undefined;
  const { median: m, scale } = robustScale(baseline);
  const z = points.map((p) => (p[1] - m) / scale);
  const up = Math.max(0, sustained(z));
  const down = Math.max(0, sustained(z.map((v) => -v)));
  const upScore = bad === "down" ? wrongWay(up) : up;
  const downScore = bad === "up" ? wrongWay(down) : down;
  const direction = upScore >= downScore ? "up" : "down";
  const peak = direction === "up" ? up : down;
  const sign = direction === "up" ? 1 : -1;
  const first = z.findIndex((v) => sign * v >= Math.max(ONSET_Z, peak / 2));
  return {
    score: Math.max(upScore, downScore),
    direction,
    ...(first >= 0 ? { onsetAt: points[first]![0] } : {}),
    baseline: m,
    peak: points[z.findIndex((v) => sign * v === peak)]?.[1] ?? m,
  };
}
