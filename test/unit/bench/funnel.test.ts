import { describe, expect, it } from "@jest/globals";
import { factIn, funnel, STAGES, type Stage } from "../../../bench/funnel.js";

describe("fact funnel", () => {
  const texts = (t: Partial<Record<Stage, string>>) =>
    Object.fromEntries(STAGES.map((s) => [s, (t[s] ?? "").toLowerCase()])) as Record<Stage, string>;

  it("needs every substring of a fact, in any case, and reads raw needles only where the servers' answers are", () => {
    const f = { fact: "ledger's error rate rose", all: ["ledger", "error"], raw: ["ledger", "5.."] };
    expect(factIn(f, 'service="ledger",code=~"5.."', "shown")).toBe(true);
    expect(factIn(f, 'service="ledger",code=~"5.."', "read")).toBe(false);
    expect(factIn(f, "http.error_rate of ledger", "read")).toBe(true);
    expect(factIn("NodeNotReady", "reason: nodenotready", "read")).toBe(true);
  });

  it("counts each stage apart and says where a fact that misses the top hypothesis was first lost", () => {
    const facts = ["#42", { fact: "lock on orders", all: ["lock", "orders"] }, "evicted"];
    const r = funnel(
      facts,
      texts({ shown: "#42 lock orders evicted", read: "#42 Lock orders", finding: "lock orders", top3: "#42 lock on orders", top1: "#42" }),
    );
    expect(STAGES.map((s) => r[s])).toEqual([3, 2, 1, 2, 1]);
    expect(r.lost).toEqual([
      { fact: "lock on orders", at: "top1" },
      { fact: "evicted", at: "read" },
    ]);
  });
});
