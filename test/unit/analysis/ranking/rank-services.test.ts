import { describe, expect, it } from "@jest/globals";
import { ANOMALOUS_Z, rankServices } from "../../../../src/analysis/ranking/rank-services.js";
import { metricKind } from "../../../../src/analysis/ranking/metric-kind.js";
import type { Signal } from "../../../../src/signals/types.js";
import { metricSignal, noisy } from "../../../helpers/signals.js";

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const window = { from: T0 + 60 * MIN, to: T0 + 64 * MIN };
/** 60 baseline minutes of deterministic noise around `level`, then `after` (one value a minute) in the window. */
const series = (level: number, after: number[]): Array<[number, number]> => [
  ...noisy(level, 60, T0),
  ...after.map((v, i): [number, number] => [window.from + i * MIN, v]),
];
const metric = (service: string, name: string, points: Array<[number, number]>): Signal => metricSignal(service, name, points, "test");
const flat = (service: string, name: string, level = 10) => metric(service, name, series(level, [level, level, level, level, level]));

describe("rankServices", () => {
  it("ranks a lone service whose CPU rose first, with no topology and no callers", () => {
    const ranks = rankServices({
      signals: [
        flat("api", "http.latency_p95", 0.2),
        flat("api", "cpu_usage"),
        metric("worker", "container_cpu_usage", series(10, [10, 40, 42, 41, 40])),
        flat("worker", "http.latency_p95", 0.2),
      ],
      window,
    });
    expect(ranks[0]).toMatchObject({ service: "worker", onsetAt: window.from + MIN });
    expect(ranks[0]!.series[0]).toMatchObject({ kind: "cpu", direction: "up", onsetAt: window.from + MIN });
    expect(ranks[0]!.score).toBeGreaterThan(10 * ranks[1]!.score);
  });

  it("scores a traffic drop as bad and a CPU fall only a little", () => {
    const drop = rankServices({
      signals: [
        metric("shop", "http.request_rate", series(100, [100, 20, 20, 20, 20])),
        metric("batch", "cpu_usage", series(100, [100, 20, 20, 20, 20])),
      ],
      window,
    });
    expect(drop.map((r) => r.service)).toEqual(["shop", "batch"]);
    expect(drop[0]!.series[0]).toMatchObject({ kind: "traffic", direction: "down" });
    // A fall of CPU supports, never makes, an anomaly: it stays under the anomaly line.
    expect(drop[1]!.score).toBeGreaterThan(0);
    expect(drop[1]!.score).toBeLessThan(ANOMALOUS_Z);
  });

  it("does not let a one-sample spike outrank a shift that holds", () => {
    const ranks = rankServices({
      signals: [
        metric("blip", "http.latency_p95", series(0.1, [0.1, 5, 0.1, 0.1, 0.1])),
        metric("slow", "http.latency_p95", series(0.1, [0.1, 0.3, 0.3, 0.3, 0.3])),
      ],
      window,
    });
    expect(ranks[0]!.service).toBe("slow");
  });

  it("reads a caller's latency as the symptom of its slow callee once the call graph is known", () => {
    const signals = [
      metric("frontend", "http.latency_p95", series(0.2, [0.2, 3, 3, 3, 3])),
      metric("cart", "http.latency_p95", series(0.1, [0.1, 0.5, 0.5, 0.5, 0.5])),
    ];
    expect(rankServices({ signals, window })[0]!.service).toBe("frontend");
    const ranks = rankServices({ signals, window, edges: [{ from: "frontend", to: "cart" }] });
    expect(ranks.map((r) => [r.service, r.role])).toEqual([
      ["cart", "cause"],
      ["frontend", "symptom"],
    ]);
  });

  it("reads a callee's traffic drop as the symptom of a failing caller (the other direction)", () => {
    const signals = [
      metric("gateway", "http.error_rate", series(0.01, [0.01, 0.015, 0.015, 0.015, 0.015])),
      metric("orders", "http.request_rate", series(50, [50, 5, 5, 5, 5])),
    ];
    expect(rankServices({ signals, window })[0]!.service).toBe("orders");
    const ranks = rankServices({ signals, window, edges: [{ from: "gateway", to: "orders" }] });
    expect(ranks[0]!.service).toBe("gateway");
    expect(ranks.find((r) => r.service === "orders")!.role).toBe("symptom");
  });

  it("marks a dependency that several anomalous callers share as their common cause", () => {
    const signals = ["a", "b"]
      .map((s) => metric(s, "http.latency_p95", series(0.1, [0.1, 1, 1, 1, 1])))
      .concat(metric("db", "pg.cpu", series(10, [10, 30, 30, 30, 30])));
    const ranks = rankServices({
      signals,
      window,
      edges: [
        { from: "a", to: "db" },
        { from: "b", to: "db" },
      ],
    });
    expect(ranks[0]).toMatchObject({ service: "db", role: "shared" });
  });

  it("breaks a tie on evidence (more anomalous series), not on the name", () => {
    const shifted = () => series(10, [10, 30, 30, 30, 30]);
    const ranks = rankServices({
      signals: [metric("aaa", "cpu_usage", shifted()), metric("zzz", "cpu_usage", shifted()), metric("zzz", "memory_usage", shifted())],
      window,
    });
    expect(ranks.map((r) => r.service)).toEqual(["zzz", "aaa"]);
  });

  it("is deterministic and skips what it cannot score (no baseline, no service, not a metric)", () => {
    const signals = [
      metric("x", "cpu_usage", series(10, [10, 30, 30, 30, 30])),
      { ...flat("y", "cpu"), service: undefined },
      metric("z", "cpu", series(10, []).slice(0, 2)),
    ];
    expect(rankServices({ signals, window })).toEqual(rankServices({ signals, window }));
    expect(rankServices({ signals, window }).map((r) => r.service)).toEqual(["x"]);
  });
});

describe("metricKind", () => {
  it.each([
    ["http.error_rate", "errors", "up"],
    ["apm.sla", "success", "down"],
    ["carts_lat_90", "latency", "up"],
    ["pod.cpu_usage_rate", "cpu", "up"],
    ["catalogue_mem", "memory", "up"],
    ["pod.syscall_read", "io", "both"],
    ["pod.network_receive_bytes", "network", "both"],
    ["orders_lod", "traffic", "both"],
    ["redis.evictions_rate", "saturation", "up"],
    ["node.disk_usage", "disk", "up"],
    ["something", "other", "both"],
  ])("%s is %s, bad %s", (name, kind, bad) => {
    expect(metricKind(name)).toMatchObject({ kind, bad });
  });
});
