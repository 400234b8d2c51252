import { describe, expect, it } from "@jest/globals";
import { anomalousServices, unitScore } from "../../../../src/analysis/ranking/anomalous-services.js";
import type { Signal } from "../../../../src/signals/types.js";
import { metricSignal, noisy } from "../../../helpers/signals.js";

const MIN = 60_000;
const window = { from: 60 * MIN, to: 64 * MIN };
const series = (level: number, after: number[]): Array<[number, number]> => [
  ...noisy(level, 60),
  ...after.map((v, i): [number, number] => [window.from + i * MIN, v]),
];
const metric = (service: string, name: string, points: Array<[number, number]>): Signal => metricSignal(service, name, points);

describe("anomalousServices (the engine's seam)", () => {
  it("names a lone service whose memory climbs, with no topology, citing the series", () => {
    const out = anomalousServices({
      signals: [
        metric("billing", "process.memory_bytes", series(100, [100, 180, 260, 340, 420])),
        metric("api", "http.latency_p95", series(0.2, [0.2, 0.2, 0.2, 0.2, 0.2])),
      ],
      window,
      edges: [],
    });
    expect(out).toEqual([
      {
        service: "billing",
        score: expect.any(Number),
        z: expect.any(Number),
        onset: window.from + MIN,
        evidence: ["t:billing:process.memory_bytes"],
        resource: expect.objectContaining({ kind: "memory", signalId: "t:billing:process.memory_bytes" }),
      },
    ]);
    expect(out[0]!.score).toBeGreaterThan(0.9);
  });

  it("keeps the engine's state-only services and merges evidence; the core's symptom reading wins", () => {
    const signals = [
      metric("web", "http.latency_p95", series(0.2, [0.2, 2, 2, 2, 2])),
      metric("db", "cpu_usage", series(10, [10, 30, 30, 30, 30])),
    ];
    const out = anomalousServices({
      signals,
      window,
      edges: [{ from: "web", to: "db" }],
      fromAnomalies: [
        { service: "web", score: 0.6, evidence: ["t:web:logs"] },
        { service: "cache", score: 0.95, evidence: ["t:cache:oom"] },
      ],
    });
    expect(out.map((r) => r.service)).toEqual(["db", "cache", "web"]);
    expect(out.find((r) => r.service === "web")).toMatchObject({ symptomOf: ["db"], evidence: ["t:web:logs", "t:web:http.latency_p95"] });
  });

  it("maps robust z to 0..1 monotonically", () => {
    expect(unitScore(3)).toBeCloseTo(0.313, 2);
    expect(unitScore(10)).toBeGreaterThan(unitScore(3));
    expect(unitScore(1000)).toBe(1);
  });
});
