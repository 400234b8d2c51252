import { describe, expect, it } from "@jest/globals";
import { detectAlarms, findOnset, robustStats, type Point } from "../../../src/analysis/series-detector.js";

const series = (values: number[]): Point[] => values.map((v, i) => [i * 60_000, v]);
const noisy = (n: number, level: number, seed = 1) => Array.from({ length: n }, (_, i) => level + (((i * 7919 + seed) % 13) - 6) / 100);

describe("series detector: alarms", () => {
  it("is robust to outliers in the baseline", () => {
    expect(robustStats([1, 1, 1, 1, 100]).median).toBe(1);
  });

  it("raises one alarm for a sustained jump, at its first point, and none on noise", () => {
    const values = [...noisy(120, 10), ...noisy(30, 25)];
    const alarms = detectAlarms(series(values), { window: 60 });
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ index: 120, direction: "up" });
    expect(detectAlarms(series(noisy(300, 10)), { window: 60 })).toEqual([]);
  });

  it("judges a spike against the series' own history: routine spikes of a spiky series are not alarms", () => {
    // Every 10th point jumps to 3× the level; a quiet-series threshold would alarm on each of them.
    const spiky = Array.from({ length: 400 }, (_, i) => (i % 10 === 0 ? 30 : 10 + (i % 3) / 10));
    expect(detectAlarms(series(spiky), { window: 60 })).toEqual([]);
    // A level the series never had before is still found.
    const alarms = detectAlarms(series([...spiky, ...Array.from({ length: 20 }, () => 80)]), { window: 60 });
    expect(alarms.map((a) => a.index)).toEqual([400]);
  });

  it("with `seasonal`, does not alarm on the daily peak but does on a peak at the wrong hour", () => {
    const day = 48;
    const daily = (i: number) => 10 + (i % day >= 36 && i % day < 40 ? 20 : 0) + (i % 5) / 10;
    const values = Array.from({ length: day * 9 }, (_, i) => daily(i));
    expect(detectAlarms(series(values), { window: day, seasonal: true, warmup: day * 2 })).toEqual([]);
    expect(detectAlarms(series(values), { window: day, warmup: day * 2 }).length).toBeGreaterThan(0);
    const odd = values.map((v, i) => (i >= day * 8 + 10 && i < day * 8 + 14 ? v + 20 : v));
    const alarms = detectAlarms(series(odd), { window: day, seasonal: true, warmup: day * 2 });
    expect(alarms.map((a) => [a.index, a.direction])).toEqual([[day * 8 + 10, "up"]]);
  });

  it("locates the onset of a level shift at the first point of the new level", () => {
    const values = [...noisy(40, 10), 14, 19, ...noisy(20, 20)];
    const onset = findOnset(series(values))!;
    expect(onset.index).toBe(40);
    expect(onset.before).toBeCloseTo(10, 0);
    expect(onset.after).toBeCloseTo(20, 0);
  });

  it("finds no onset in a flat series", () => {
    expect(findOnset(series(noisy(60, 5)))).toBeUndefined();
  });
});

describe("onset of a short new level", () => {
  it("is not placed before the change when the new level is much shorter than the old one", () => {
    const values = [...noisy(168, 0.18 * 100), ...noisy(12, 2.4 * 100)];
    expect(findOnset(series(values))!.index).toBe(168);
  });
});

describe("onset of a steep jump (issue #13 item 3)", () => {
  it("scores a 100× jump over 4 points far above the threshold, though the new points spread widely", () => {
    // The new level ramps 50 → 200: pooling its own spread with the baseline's hid it (score < 4).
    const values = [...noisy(16, 1), 50, 100, 150, 200];
    const onset = findOnset(series(values))!;
    expect(onset).toBeDefined();
    expect(onset.index).toBe(16);
    expect(onset.score).toBeGreaterThan(20);
  });

  it("still finds nothing in a noisy series without a change", () => {
    const values = Array.from({ length: 40 }, (_, i) => 10 + ((i * 37) % 11) - 5);
    expect(findOnset(series(values))).toBeUndefined();
  });
});
