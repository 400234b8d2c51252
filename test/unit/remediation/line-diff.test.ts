import { describe, expect, it } from "@jest/globals";
import { applyHunks, diffLines, diffSummary, joinLines, mergeLines, splitLines } from "../../../src/remediation/line-diff.js";

const L = (s: string) => (s === "" ? [] : s.split(""));

describe("diffLines", () => {
  it("finds the shortest edit and applies back to the target", () => {
    const cases: Array<[string, string]> = [
      ["abcabba", "cbabac"],
      ["", "abc"],
      ["abc", ""],
      ["abc", "abc"],
      ["abcdef", "abXdef"],
      ["a", "b"],
      ["xabc", "abcx"],
    ];
    for (const [a, b] of cases) {
      const hunks = diffLines(L(a), L(b));
      expect(applyHunks(L(a), hunks).join("")).toBe(b);
    }
    // Myers' classic example: 5 edits (2 insertions... 3 deletions and 2 insertions).
    const h = diffLines(L("abcabba"), L("cbabac"));
    expect(h.reduce((n, x) => n + x.lines.length + x.end - x.start, 0)).toBe(5);
    expect(diffLines(L("abc"), L("abc"))).toEqual([]);
  });

  it("agrees with a brute-force LCS on random inputs", () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const lcs = (a: string[], b: string[]) => {
      const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
      for (let i = a.length - 1; i >= 0; i--)
        for (let j = b.length - 1; j >= 0; j--) t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
      return t[0]![0]!;
    };
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: Math.floor(rand() * 12) }, () => "abc"[Math.floor(rand() * 3)]!);
      const b = Array.from({ length: Math.floor(rand() * 12) }, () => "abc"[Math.floor(rand() * 3)]!);
      const hunks = diffLines(a, b);
      expect(applyHunks(a, hunks)).toEqual(b);
      const edits = hunks.reduce((n, x) => n + x.lines.length + x.end - x.start, 0);
      expect(edits).toBe(a.length + b.length - 2 * lcs(a, b));
    }
  });
});

describe("mergeLines", () => {
  const base = ["import x", "function total() {", "  return a + b;", "}", "", "function tax() {", "  return 0.2;", "}"];

  it("carries both sides' changes when they touch different lines", () => {
    const ours = base.map((l) => (l === "  return 0.2;" ? "  return 0.21;" : l)); // a later commit
    const theirs = base.map((l) => (l === "  return a + b;" ? "  return a + b + c;" : l)); // the revert
    const r = mergeLines(base, ours, theirs);
    expect(r).toEqual({
      ok: true,
      lines: base.map((l) => (l === "  return 0.2;" ? "  return 0.21;" : l === "  return a + b;" ? "  return a + b + c;" : l)),
    });
  });

  it("refuses when both sides change the same or adjacent lines", () => {
    const ours = base.map((l) => (l === "  return a + b;" ? "  return sum(a, b);" : l));
    const theirs = base.map((l) => (l === "  return a + b;" ? "  return a + b + c;" : l));
    const r = mergeLines(base, ours, theirs);
    expect(r.ok).toBe(false);
    const adjacent = mergeLines(
      base,
      base.map((l, i) => (i === 1 ? "function total(a, b) {" : l)),
      theirs,
    );
    expect(adjacent.ok).toBe(false);
  });
});

describe("text helpers", () => {
  it("keep the final newline and summarise a diff", () => {
    expect(joinLines(splitLines("a\nb\n").lines, splitLines("a\nb\n").finalNewline)).toBe("a\nb\n");
    expect(joinLines(splitLines("a\nb").lines, splitLines("a\nb").finalNewline)).toBe("a\nb");
    expect(diffSummary(["a", "b", "c"], ["a", "B", "c", "d"])).toEqual({
      additions: 2,
      deletions: 1,
      patch: "@@ -2,1 +2,1 @@\n-b\n+B\n@@ -3,0 +4,1 @@\n+d",
    });
  });
});
