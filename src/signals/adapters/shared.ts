import { sha256Hex } from "../../util/canonical-json.js";
import type { Series, ServiceTarget } from "../types.js";

/** A short stable hash for ids built from label sets or names. */
export const shortHash = (text: string) => sha256Hex(text).slice(0, 10);

/** Label sets as a stable string: `a=x,b=y` sorted by name. */
export const labelKey = (labels: Record<string, string>) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

/** The service whose selector labels all appear in `labels` (or whose name a `service`/`app` label carries). */
export function serviceForLabels(services: ServiceTarget[], labels: Record<string, string>): string | undefined {
  const bySelector = services.find((s) => {
    const sel = s.config.prometheus?.labels;
    return sel && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
  });
  if (bySelector) return bySelector.name;
  const named = labels.service ?? labels.app ?? labels.job;
  return services.find((s) => s.name === named)?.name;
}

/** Keeps at most `maxSeries` series of at most `maxPoints` latest points; says what it cut. */
export function boundSeries(series: Series[], maxSeries: number, maxPoints: number, note: (text: string) => void, what: string): Series[] {
  if (series.length > maxSeries) note(`${what}: kept ${maxSeries} of ${series.length} series`);
  return series.slice(0, maxSeries).map((s) => {
    if (s.points.length <= maxPoints) return s;
    note(`${what}: kept the last ${maxPoints} of ${s.points.length} points`);
    return { ...s, points: s.points.slice(-maxPoints) };
  });
}

export const lastValue = (series: Series[] | undefined): number | undefined => {
  const points = series?.[0]?.points;
  return points && points.length ? points[points.length - 1]![1] : undefined;
};

export const num = (v: unknown): number | undefined => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** How far apart two readings of a cumulative counter are taken when the window is still open. */
export const SAMPLE_MS = 2_000;

/**
 * When the window reaches now, a counter's rate *now* is its growth over a short wait: the adapter reads
 * it again after `SAMPLE_MS` (a past window has no such second reading; its rate needs the reading as of
 * the window's start, or an exporter's rate series).
 */
export const isLive = (window: { to: number }, now = Date.now()) => window.to >= now - 120_000;
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
