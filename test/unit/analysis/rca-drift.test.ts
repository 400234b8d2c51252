import { describe, expect, it } from "@jest/globals";
import { analyseIncident } from "../../../src/analysis/rca.js";
import type { Signal } from "../../../src/signals/types.js";

const MIN = 60_000;
const window = { from: 60 * MIN, to: 70 * MIN };
const series = (level: number, after: (i: number) => number): Array<[number, number]> => [
  ...Array.from({ length: 60 }, (_, i): [number, number] => [i * MIN, level * (1 + (((i * 7919) % 13) - 6) / 100)]),
  ...Array.from({ length: 10 }, (_, i): [number, number] => [window.from + i * MIN, after(i)]),
];
const latency: Signal = {
  id: "t:web:http.latency_p95",
  source: "t",
  adapter: "prometheus",
  kind: "metric",
  service: "web",
  name: "http.latency_p95",
  series: [{ labels: {}, points: series(0.2, (i) => (i >= 1 ? 1.5 : 0.2)) }],
  query: "q",
};
const redis = (policy: string): Signal => ({
  id: "r:redis.memory_used",
  source: "r",
  adapter: "redis",
  kind: "state",
  name: "redis.memory_used",
  value: 1,
  data: { policy, maxmemory: 1e9 },
  query: "INFO memory",
});

describe("state drift as a chain root (issue #13)", () => {
  it("roots a chain on a setting that moved with no change in the history moving it", () => {
    const r = analyseIncident({
      signals: [latency, redis("allkeys-lru")],
      before: [redis("volatile-lru")],
      window,
      changes: [],
      edges: [],
    });
    const drift = r.hypotheses.find((h) => h.title.startsWith("Setting changed outside the change history"));
    expect(drift?.chain[0]).toMatchObject({
      role: "root",
      text: "maxmemory_policy volatile-lru → allkeys-lru (no change in the history)",
      evidence: ["r:redis.memory_used"],
    });
  });

  it("cites the drift in the root of the change that moves it, instead of a rival row", () => {
    const change = {
      id: "#7",
      kind: "pr" as const,
      title: "infra: let Redis evict any key",
      at: window.from - 10 * MIN,
      services: [],
      files: ["infra/redis.conf"],
      changeKinds: ["config" as const],
      touches: [{ kind: "cache" as const, detail: "maxmemory-policy volatile-lru → allkeys-lru" }],
    };
    const r = analyseIncident({
      signals: [latency, redis("allkeys-lru")],
      before: [redis("volatile-lru")],
      window,
      changes: [change],
      edges: [],
    });
    expect(r.hypotheses.some((h) => h.title.startsWith("Setting changed outside"))).toBe(false);
    const root = r.hypotheses.find((h) => h.suspect?.id === "#7")!.chain[0]!;
    expect(root.text).toMatch(/in force now: maxmemory_policy volatile-lru → allkeys-lru/);
    expect(root.evidence).toContain("r:redis.memory_used");
  });
});
