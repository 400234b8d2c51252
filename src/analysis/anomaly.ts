/**
 * Metric anomalies with a robust baseline: each point is scored against the median and MAD of the
 * window before it (outliers and the anomaly itself do not inflate the spread, as a mean/σ would),
 * and a level shift's onset is located by the split that best separates the series' two levels.
 */

export type Point = [time: number, value: number];

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median and scaled MAD (σ-equivalent for normal data). */
export function robustStats(values: number[]): { median: number; spread: number } {
  const m = median(values);
  return { median: m, spread: 1.4826 * median(values.map((v) => Math.abs(v - m))) };
}

export type DetectorOptions = {
  /** Points in the baseline window before each point. */
  window?: number;
  /** Robust z-score that raises an alarm. */
  threshold?: number;
  /** Consecutive points over the threshold before an alarm. */
  persist?: number;
  /** Points after an alarm during which no new alarm is raised. */
  cooldown?: number;
  /** Points at the start that only build the baseline. */
  warmup?: number;
};

export type Alarm = { index: number; at: number; value: number; score: number; direction: "up" | "down" };

/**
 * Streams through the series; a point's score is |x − median| / max(spread, floor) over the
 * previous `window` points, the floor (a share of the level) keeping flat series from alarming on
 * noise. An alarm needs `persist` consecutive high scores, then waits `cooldown` points.
 */
export function detectAnomalies(points: Point[], options: DetectorOptions = {}): Alarm[] {
  const window = options.window ?? 96;
  const threshold = options.threshold ?? 6;
  const persist = options.persist ?? 2;
  const cooldown = options.cooldown ?? window;
  const warmup = Math.max(options.warmup ?? 0, Math.min(window, points.length));
  const alarms: Alarm[] = [];
  let run = 0;
  let quietUntil = -1;
  for (let i = warmup; i < points.length; i++) {
    const base = points.slice(Math.max(0, i - window), i).map((p) => p[1]);
    const { median: m, spread } = robustStats(base);
    const value = points[i]![1];
    const floor = Math.max(spread, Math.abs(m) * 0.01, 1e-9);
    const score = Math.abs(value - m) / floor;
    run = score >= threshold ? run + 1 : 0;
    if (run >= persist && i > quietUntil) {
      alarms.push({ index: i, at: points[i]![0], value, score, direction: value >= m ? "up" : "down" });
      quietUntil = i + cooldown;
      run = 0;
    }
  }
  return alarms;
}

export type Onset = { at: number; index: number; before: number; after: number; change: number; score: number };

/**
 * Where a series changed level: the split that maximises the robust separation of the medians
 * before and after it. Undefined when the best split is not significant (score below `minScore`)
 * or either side is shorter than `minSide` points.
 */
export function findOnset(points: Point[], options: { minScore?: number; minSide?: number } = {}): Onset | undefined {
  const minSide = options.minSide ?? 3;
  const minScore = options.minScore ?? 4;
  if (points.length < 2 * minSide) return undefined;
  const values = points.map((p) => p[1]);
  let best: Onset | undefined;
  for (let k = minSide; k <= values.length - minSide; k++) {
    const left = robustStats(values.slice(0, k));
    const right = robustStats(values.slice(k));
    const spread = Math.max(Math.sqrt((left.spread ** 2 + right.spread ** 2) / 2), Math.abs(left.median) * 0.01, 1e-9);
    const score = Math.abs(right.median - left.median) / spread;
    if (!best || score > best.score) best = { at: points[k]![0], index: k, before: left.median, after: right.median, change: right.median - left.median, score };
  }
  if (!best || best.score < minScore) return undefined;
  // A median split can land early when the new level is short (the right median stays "new" while
  // it still holds old points): move forward past points still nearer the old level…
  let k = best.index;
  while (k < values.length - 1 && Math.abs(values[k]! - best.before) < Math.abs(values[k]! - best.after)) k++;
  best = { ...best, index: k, at: points[k]![0] };
  // …and back over the transition: points that already left the old level in the same direction.
  const { spread } = robustStats(values.slice(0, best.index));
  const tolerance = Math.max(3 * spread, Math.abs(best.before) * 0.05, 1e-9);
  let i = best.index;
  while (i > minSide && Math.abs(values[i - 1]! - best.before) > tolerance && Math.sign(values[i - 1]! - best.before) === Math.sign(best.change)) i--;
  return { ...best, index: i, at: points[i]![0] };
}
