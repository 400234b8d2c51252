import { describe, expect, it } from "@jest/globals";
import { detectAnomalies, findOnset, robustStats, type Point } from "../../../src/analysis/anomaly.js";

const series = (values: number[]): Point[] => values.map((v, i) => [i * 60_000, v]);
const noisy = (n: number, level: number, seed = 1) => Array.from({ length: n }, (_, i) => level + (((i * 7919 + seed) % 13) - 6) / 100);

describe("anomaly detection", () => {
  it("is robust to outliers in the baseline", () => {
    expect(robustStats([1, 1, 1, 1, 100]).median).toBe(1);
  });

  it("raises one alarm for a sustained jump and none on noise", () => {
    const values = [...noisy(120, 10), ...noisy(30, 25)];
    const alarms = detectAnomalies(series(values), { window: 60, threshold: 6, persist: 2 });
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ index: 121, direction: "up" });
    expect(detectAnomalies(series(noisy(300, 10)), { window: 60 })).toEqual([]);
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
