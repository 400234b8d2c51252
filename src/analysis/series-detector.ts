/**
 * The per-series detector (one metric series in, alarms and onsets out; `find-anomalies.ts` runs it
 * over a report's signals). Metric anomalies with a robust baseline: each point is scored against the median and MAD of the
 * window before it (outliers and the anomaly itself do not inflate the spread, as a mean/σ would)
 * and, for daily-periodic series, of the same time on earlier days; the score is judged against
 * the series' own score history; a level shift's onset is located by the split that best
 * separates the series' two levels.
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
  /** Points in the baseline window before each point (one day of points suits most service metrics). */
  window?: number;
  /**
   * Alarm level, in standard deviations of the series' own score history: a score is "high" for
   * this series, not against one threshold for every series, so heavy-tailed series are not
   * judged by the rules of quiet ones.
   */
  threshold?: number;
  /** Points averaged into the current score, so one spike is not an alarm on its own. */
  persist?: number;
  /** Points after an alarm during which no new alarm is raised (default: the window). */
  cooldown?: number;
  /** Points at the start that only build the baseline and the score history. */
  warmup?: number;
  /** Points of score history the alarm level is learnt from (default: 8 windows). */
  history?: number;
  /** Smallest deviation that scores, as a share of the level (keeps flat series from alarming on noise). */
  floorShare?: number;
  /** Also score against the same time of day on the previous days (needs `window` = one day of points). */
  seasonal?: boolean;
};

export type Alarm = { index: number; at: number; value: number; score: number; direction: "up" | "down" };

/**
 * Streams through the series. Each point gets a raw score, log(1 + |x − median| / spread), against
 * the `window` points before it and — when `seasonal` — against the same time on the previous
 * seven days (the smaller of the two, so a daily peak is not an anomaly). The raw score is then
 * judged against its own history: the mean of the last `persist` scores, in standard deviations
 * above the history's mean, must reach `threshold` (an adaptive threshold, as HTM's anomaly
 * likelihood does for its raw scores). One alarm, then `cooldown` points of quiet.
 */
export function detectAlarms(points: Point[], options: DetectorOptions = {}): Alarm[] {
  const window = options.window ?? 96;
  const threshold = options.threshold ?? 2.5;
  const persist = Math.max(1, options.persist ?? 3);
  const cooldown = options.cooldown ?? window;
  const history = options.history ?? 8 * window;
  const floorShare = options.floorShare ?? 0.05;
  const warmup = Math.max(options.warmup ?? 0, Math.min(window, points.length), persist + 2);
  const alarms: Alarm[] = [];
  const scores: number[] = [];
  const medians: number[] = [];
  let quietUntil = -1;
  for (let i = 1; i < points.length; i++) {
    const value = points[i]![1];
    const recent = robustStats(points.slice(Math.max(0, i - window), i).map((p) => p[1]));
    let score = Math.log1p(Math.abs(value - recent.median) / Math.max(recent.spread, Math.abs(recent.median) * floorShare, 1e-9));
    let expected = recent.median;
    if (options.seasonal) {
      const same = sameTimeOnPreviousDays(points, i, window);
      if (same.length >= 10) {
        const day = robustStats(same);
        const daily = Math.log1p(
          Math.abs(value - day.median) / Math.max(day.spread, recent.spread, Math.abs(day.median) * floorShare, 1e-9),
        );
        if (daily < score) [score, expected] = [daily, day.median];
      }
    }
    scores.push(score);
    medians.push(expected);
    if (i < warmup || i <= quietUntil) continue;
    const past = scores.slice(Math.max(0, scores.length - persist - history), scores.length - persist);
    const { mean, sd } = meanSd(past);
    const now = meanSd(scores.slice(-persist)).mean;
    const level = (now - mean) / Math.max(sd, 1e-6);
    if (level >= threshold) {
      // The alarm is dated at the first of the averaged points that was itself high.
      let first = i;
      for (let k = i - persist + 1; k < i; k++)
        if (k >= 1 && scores[k - 1]! >= mean + threshold * sd) {
          first = k;
          break;
        }
      const at = points[first]![1];
      alarms.push({ index: first, at: points[first]![0], value: at, score: level, direction: at >= medians[first - 1]! ? "up" : "down" });
      quietUntil = i + cooldown;
    }
  }
  return alarms;
}

/** Values within two points of the same phase on each of the previous seven periods. */
function sameTimeOnPreviousDays(points: Point[], i: number, period: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= 7; d++) {
    for (let j = -2; j <= 2; j++) {
      const k = i - d * period + j;
      if (k >= 0 && k < i) out.push(points[k]![1]);
    }
  }
  return out;
}

function meanSd(values: number[]): { mean: number; sd: number } {
  if (values.length === 0) return { mean: 0, sd: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, sd: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) };
}

export type Onset = { at: number; index: number; before: number; after: number; change: number; score: number };

/**
 * Where a series changed level: the split that maximises the distance between the medians before
 * and after it, in units of the noise before it. Undefined when the best split is not significant (score below `minScore`)
 * or either side is shorter than `minSide` points.
 */
export function findOnset(points: Point[], options: { minScore?: number; minSide?: number } = {}): Onset | undefined {
  const minSide = options.minSide ?? 3;
  const minScore = options.minScore ?? 4;
  if (points.length < 2 * minSide) return undefined;
  const values = points.map((p) => p[1]);
  // The noise is the old level's spread, or the point-to-point noise of the whole series (robust to
  // one level shift) when the old level is too short to show it. The new side's own spread is left
  // out: a steep ramp to the new level is a bigger change, not a noisier series.
  const noise = (1.4826 * median(values.slice(1).map((v, i) => Math.abs(v - values[i]!)))) / Math.SQRT2;
  let best: Onset | undefined;
  for (let k = minSide; k <= values.length - minSide; k++) {
    const left = robustStats(values.slice(0, k));
    const right = robustStats(values.slice(k));
    const spread = Math.max(left.spread, noise, Math.abs(left.median) * 0.01, 1e-9);
    const score = Math.abs(right.median - left.median) / spread;
    if (!best || score > best.score)
      best = { at: points[k]![0], index: k, before: left.median, after: right.median, change: right.median - left.median, score };
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
  while (
    i > minSide &&
    Math.abs(values[i - 1]! - best.before) > tolerance &&
    Math.sign(values[i - 1]! - best.before) === Math.sign(best.change)
  )
    i--;
  return { ...best, index: i, at: points[i]![0] };
}
