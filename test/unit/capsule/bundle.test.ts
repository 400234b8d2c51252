import { describe, expect, it } from "@jest/globals";
import { buildBundle, type BundleInput } from "../../../src/capsule/build.js";
import { assetId, assetIdMatches, signBundle } from "../../../src/capsule/hashing.js";
import { bundleProblems } from "../../../src/capsule/schemas.js";

export const FIX_INPUT: BundleInput = {
  keywords: ["TypeError: cannot read properties of undefined reading id", "http 5xx error rate rising"],
  hypothesis: {
    title: 'Change #41 "Faster order totals"',
    category: "code",
    confidence: 0.86,
    confirm: "roll back #41; the error rate should return to its level before the onset",
  },
  summary: "Most likely: Change #41",
  fix: {
    kind: "revert",
    approved: true,
    files: [
      {
        path: "services/api/src/orders.ts",
        additions: 1,
        deletions: 1,
        patch: "@@ -3,1 +3,1 @@\n-  for (const i of items) sum += i.price;\n+  for (const i of items) sum += i.price * i.qty;",
      },
    ],
  },
};

describe("asset ids and the bundle signature", () => {
  it("match the protocol's test vector and a known HMAC", () => {
    expect(assetId({ type: "Gene", id: "test_gene" })).toBe("sha256:98663a152e7107d4f41e795d1c5429be20d8acc2627a66763fd7160ea49193db");
    // The asset's own id and undefined keys never enter the hash; key order does not matter.
    expect(assetId({ id: "test_gene", asset_id: "sha256:whatever", type: "Gene", note: undefined })).toBe(
      assetId({ type: "Gene", id: "test_gene" }),
    );
    expect(signBundle("f".repeat(64), "sha256:bbb", "sha256:aaa")).toBe("4aeff9188ff2e0bd9144841a0c9a436756c434ed029786a227b1a89b5f500fb7");
  });
});

describe("buildBundle", () => {
  it("builds a Gene, a Capsule and an EvolutionEvent that pass the hub's gates, with ids that match their content", () => {
    const b = buildBundle(FIX_INPUT);
    expect(bundleProblems(b)).toEqual([]);
    for (const a of [b.gene, b.capsule, b.event!]) expect(assetIdMatches(a)).toBe(true);
    expect(b.capsule).toMatchObject({
      gene: b.gene.asset_id,
      trigger: FIX_INPUT.keywords,
      confidence: 0.86,
      blast_radius: { files: 1, lines: 2 },
      outcome: { status: "success", score: 0.86 },
    });
    expect(b.event).toMatchObject({ capsule_id: b.capsule.id, genes_used: [b.gene.asset_id], intent: "repair" });
    expect(b.gene.strategy.length).toBeGreaterThanOrEqual(2);
    expect(buildBundle(FIX_INPUT)).toEqual(b); // deterministic
    expect(JSON.stringify(b)).not.toMatch(/#41|Faster order totals/); // PR numbers and titles stay home
    const named = buildBundle({
      ...FIX_INPUT,
      privateNames: ["orders", "acme"],
      hypothesis: { ...FIX_INPUT.hypothesis, confirm: "check acme/api orders at 10.0.3.7" },
    });
    expect(JSON.stringify(named)).not.toMatch(/orders|acme|10\.0\.3\.7/);
  });

  it("redacts secrets in the diff and cuts it under 8,000 characters at a line", () => {
    const big = Array.from({ length: 600 }, (_, i) => `+const line${i} = "some ordinary code here";`).join("\n");
    const b = buildBundle({
      ...FIX_INPUT,
      fix: {
        ...FIX_INPUT.fix,
        files: [{ path: "a.ts", additions: 600, deletions: 0, patch: `+const key = "AKIAIOSFODNN7EXAMPLE";\n${big}` }],
      },
    });
    expect(b.capsule.diff!.length).toBeLessThanOrEqual(8000);
    expect(b.capsule.diff).toMatch(/… \(diff cut to 8,000 characters\)$/);
    expect(b.capsule.diff).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(bundleProblems(b)).toEqual([]);
  });
});

describe("the hub's gates", () => {
  it("name each field that fails", () => {
    const b = buildBundle(FIX_INPUT);
    const problems = bundleProblems({
      gene: { ...b.gene, summary: "short", strategy: ["too short", "Revert the change behind an approval gate"], signals_match: ["ok"] },
      capsule: {
        ...b.capsule,
        summary: "too short",
        outcome: { status: "success", score: 0.9, note: "extra" },
        env_fingerprint: { platform: "linux" },
        diff: "x".repeat(8001),
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "gene.signals_match.0 → a keyword of at least 3 characters",
        "gene.summary → at least 10 characters",
        "gene.strategy.0 → each step at least 15 characters",
        "capsule.summary → at least 20 characters",
        "capsule.diff → at most 8,000 characters",
      ]),
    );
    expect(problems.some((p) => p.startsWith("capsule.outcome"))).toBe(true);
    expect(problems.some((p) => p.startsWith("capsule.env_fingerprint"))).toBe(true);
    expect(bundleProblems({ gene: { ...b.gene, strategy: ["Revert the change behind an approval gate"] }, capsule: b.capsule })).toEqual([
      "gene.strategy → at least two steps",
    ]);
  });
});
