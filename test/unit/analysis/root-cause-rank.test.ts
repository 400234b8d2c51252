import { describe, expect, it } from "@jest/globals";
import { rankRootCauses } from "../../../src/analysis/root-cause-rank.js";
import { surpriseScorer } from "../../../src/analysis/ranking/surprise.js";

// web → api → orders → db; api → cache; web → search
const edges = [
  { from: "web", to: "api" },
  { from: "api", to: "orders" },
  { from: "orders", to: "db" },
  { from: "api", to: "cache" },
  { from: "web", to: "search" },
];
const rank = (scores: Record<string, number>, target = "web") =>
  rankRootCauses({ edges, scores: new Map(Object.entries(scores)), target, threshold: 5 });

describe("rankRootCauses", () => {
  it("ends each chain of anomalous services at the one whose callees are healthy", () => {
    expect(rank({ web: 9, api: 8, orders: 7, cache: 1 })).toEqual([{ node: "orders", score: 24, path: ["web", "api", "orders"] }]);
  });

  it("ranks a deep cause that explains a chain above a loud bystander next to the target", () => {
    const r = rank({ web: 6, api: 6, orders: 6, db: 6, search: 15 });
    expect(r.map((c) => c.node)).toEqual(["db", "search"]);
    expect(r[0]!.path).toEqual(["web", "api", "orders", "db"]);
  });

  it("ignores anomalous services the target cannot reach through anomalous ones", () => {
    // orders is anomalous, but api (between web and orders) is healthy.
    expect(rank({ web: 9, orders: 30 }).map((c) => c.node)).toEqual(["web"]);
  });

  it("finds nothing when the target itself is healthy, and survives a cycle", () => {
    expect(rank({ api: 9, orders: 9 })).toEqual([]);
    const cyclic = rankRootCauses({
      edges: [...edges, { from: "orders", to: "api" }],
      scores: new Map([
        ["web", 9],
        ["api", 9],
        ["orders", 9],
      ]),
      target: "web",
      threshold: 5,
    });
    expect(cyclic.map((c) => c.node)).toEqual(["orders"]);
  });

  it("with order evidence, ranks by the cause's own score first and the chain second; ties never go to a name", () => {
    const scores = (o: Record<string, number>) => new Map(Object.entries(o));
    const byEvidence = rankRootCauses({
      edges,
      scores: scores({ web: 6, api: 6, orders: 6, db: 6, search: 15 }),
      target: "web",
      threshold: 5,
      order: "evidence",
    });
    expect(byEvidence.map((c) => c.node)).toEqual(["search", "db"]);
    // Equal own scores: the longer chain first, whatever the names.
    const tied = rankRootCauses({
      edges,
      scores: scores({ web: 6, api: 6, orders: 6, db: 7, search: 7 }),
      target: "web",
      threshold: 5,
      order: "evidence",
    });
    expect(tied.map((c) => c.node)).toEqual(["db", "search"]);
  });
});

describe("surpriseScorer", () => {
  it("is −log of how often normal operation scored at least as high, finite for a score it never saw", () => {
    const s = surpriseScorer([0, 0, 0, 0, 0, 0, 0, 0, 1, Infinity]);
    expect(s(0)).toBeCloseTo(0);
    expect(s(1)).toBeCloseTo(-Math.log(3 / 11));
    expect(s(Infinity)).toBeCloseTo(-Math.log(2 / 11));
    expect(s(5)).toBeCloseTo(-Math.log(2 / 11));
    expect(surpriseScorer([1, 2, 3])(10)).toBeCloseTo(Math.log(4));
  });
});
