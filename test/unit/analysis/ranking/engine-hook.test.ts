import { describe, expect, it } from "@jest/globals";
import { analyseIncident } from "../../../../src/analysis/rca.js";
import type { Signal } from "../../../../src/signals/types.js";
import { metricSignal, noisy } from "../../../helpers/signals.js";

const MIN = 60_000;
const window = { from: 60 * MIN, to: 70 * MIN };
const series = (level: number, after: (i: number) => number): Array<[number, number]> => [
  ...noisy(level, 60),
  ...Array.from({ length: 10 }, (_, i): [number, number] => [window.from + i * MIN, after(i)]),
];
const metric = (service: string, name: string, points: Array<[number, number]>): Signal => metricSignal(service, name, points);

describe("analyseIncident with the ranking core (issue #13 items 1 and 2)", () => {
  it("names a lone service whose CPU and memory left their baseline, with no caller, no topology and no RED anomaly, as a resource cause", () => {
    const r = analyseIncident({
      signals: [
        metric(
          "api",
          "http.latency_p95",
          series(0.2, () => 0.2),
        ),
        metric(
          "worker",
          "container_cpu_usage",
          series(0.5, (i) => (i >= 2 ? 1.9 : 0.5)),
        ),
        metric(
          "worker",
          "process.memory_bytes",
          series(2e8, (i) => 2e8 + i * 4e7),
        ),
      ],
      window,
      changes: [],
      edges: [],
    });
    // A resource of its own is the cause (issue #13: the root is a change, a resource or an external dependency), with the PromQL to see it.
    expect(r.verdict).toBe("cause");
    expect(r.hypotheses[0]).toMatchObject({ service: "worker" });
    const mechanism = r.hypotheses[0]!.chain.find((l) => l.role === "mechanism")!;
    expect(mechanism.text).toMatch(/CPU saturation|memory pressure/);
    expect(mechanism.text).toMatch(
      /rate\(container_cpu_usage_seconds_total\{pod=~"worker-\.\*"\}\[5m\]\)|container_memory_working_set_bytes\{pod=~"worker-\.\*"\}/,
    );
    expect(r.hypotheses[0]!.evidence).toEqual(expect.arrayContaining(["t:worker:container_cpu_usage", "t:worker:process.memory_bytes"]));
    expect(r.summary).toMatch(/worker/);
  });

  it("still says nothing is anomalous when every series stays at its baseline", () => {
    const r = analyseIncident({
      signals: [
        metric(
          "worker",
          "container_cpu_usage",
          series(0.5, () => 0.5),
        ),
      ],
      window,
      changes: [],
      edges: [],
    });
    expect(r.verdict).toBe("nothing");
    expect(r.hypotheses).toEqual([]);
  });

  it("orders services by the core's z where its 0..1 score saturates, and keeps a symptom as a (lower) candidate", () => {
    // web calls cart and catalog; cart's latency is far further off its baseline than catalog's, both far enough to saturate `score`.
    const r = analyseIncident({
      signals: [
        metric(
          "web",
          "http.latency_p95",
          series(0.2, (i) => (i >= 1 ? 2 : 0.2)),
        ),
        metric(
          "cart",
          "http.latency_p95",
          series(0.2, (i) => (i >= 1 ? 40 : 0.2)),
        ),
        metric(
          "catalog",
          "http.latency_p95",
          series(0.2, (i) => (i >= 1 ? 8 : 0.2)),
        ),
      ],
      window,
      changes: [],
      edges: [
        { from: "web", to: "cart" },
        { from: "web", to: "catalog" },
      ],
    });
    const services = r.hypotheses.map((h) => h.service);
    expect(services.indexOf("cart")).toBeLessThan(services.indexOf("catalog"));
    expect(services).toContain("web");
    expect(r.hypotheses.find((h) => h.service === "web")!.title).toMatch(/symptom of/);
    expect(r.suspects?.map((s) => s.service)).toEqual(expect.arrayContaining(["web", "cart", "catalog"]));
  });
});
