import { describe, expect, it } from "@jest/globals";
import { analyseIncident } from "../../../../src/analysis/rca.js";
import type { Signal } from "../../../../src/signals/types.js";

const MIN = 60_000;
const window = { from: 60 * MIN, to: 70 * MIN };
const series = (level: number, after: (i: number) => number): Array<[number, number]> => [
  ...Array.from({ length: 60 }, (_, i): [number, number] => [i * MIN, level * (1 + (((i * 7919) % 13) - 6) / 100)]),
  ...Array.from({ length: 10 }, (_, i): [number, number] => [window.from + i * MIN, after(i)]),
];
const metric = (service: string, name: string, points: Array<[number, number]>): Signal => ({
  id: `t:${service}:${name}`, source: "t", adapter: "prometheus", kind: "metric", service, name, series: [{ labels: {}, points }], query: name,
});

describe("analyseIncident with the ranking core (issue #13 items 1 and 2)", () => {
  it("names a lone service whose CPU and memory left their baseline, with no caller, no topology and no RED anomaly", () => {
    const r = analyseIncident({
      signals: [
        metric("api", "http.latency_p95", series(0.2, () => 0.2)),
        metric("worker", "container_cpu_usage", series(0.5, (i) => (i >= 2 ? 1.9 : 0.5))),
        metric("worker", "process.memory_bytes", series(2e8, (i) => 2e8 + i * 4e7)),
      ],
      window,
      changes: [],
      edges: [],
    });
    expect(r.verdict).toBe("unexplained");
    expect(r.hypotheses[0]).toMatchObject({ service: "worker" });
    expect(r.hypotheses[0]!.evidence).toEqual(expect.arrayContaining(["t:worker:container_cpu_usage", "t:worker:process.memory_bytes"]));
    expect(r.summary).toMatch(/worker/);
  });

  it("still says nothing is anomalous when every series stays at its baseline", () => {
    const r = analyseIncident({ signals: [metric("worker", "container_cpu_usage", series(0.5, () => 0.5))], window, changes: [], edges: [] });
    expect(r.verdict).toBe("nothing");
    expect(r.hypotheses).toEqual([]);
  });
});
