import { describe, expect, it } from "@jest/globals";
import { findAnomalies } from "../../../src/analysis/find-anomalies.js";
import type { Point } from "../../../src/analysis/series-detector.js";
import type { Signal } from "../../../src/signals/types.js";

const series = (values: number[]): Point[] => values.map((v, i) => [i * 60_000, v]);

describe("metric anomalies of a short series", () => {
  it("finds the jump in a 6-point series (3 before, 3 after)", () => {
    const signal: Signal = {
      id: "s:api:err",
      source: "s",
      adapter: "prometheus",
      kind: "metric",
      service: "api",
      name: "http.error_rate",
      series: [{ labels: {}, points: series([0.01, 0.011, 0.01, 0.5, 0.52, 0.5]) }],
      query: "q",
    };
    const found = findAnomalies([signal], { from: 3 * 60_000, to: 6 * 60_000 });
    expect(found).toEqual([expect.objectContaining({ service: "api", kind: "error-rate", at: 3 * 60_000 })]);
  });
});
