import { describe, expect, it } from "@jest/globals";
import { buildBundle, buildWarningBundle, type BundleInput } from "../../../src/capsule/build.js";
import { bundleProblems } from "../../../src/capsule/schemas.js";

/**
 * Capsules leave the organisation. A secret is put into every input field — known shapes (a GitHub
 * token, a URL password, a bare AWS secret) and one no detector knows (a random key of a made-up
 * vendor) — and no piece of any of them may reach the bundle.
 */
const j = (...parts: string[]) => parts.join("");
const GHP = j("ghp", "_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx");
const AWS = j("lbqlNh3FW5/3AwnB", "oWsYIJam9w2Us4ZOH5Un8RyR");
const PW = "Hq7-Zt2-Lw9-Pv4";
const UNKNOWN = j("acmevault_", "h7Rk2Pq9Zx4Lm8Vn3Bw6Yt1Cs5Dg0Fj");
const SECRETS = [GHP, AWS, PW, UNKNOWN];
const laced = (label: string) => `${label} ${GHP} postgres://svc:${PW}@db/x ${AWS} ${UNKNOWN}`;

function leaks(bundle: unknown): string[] {
  const text = JSON.stringify(bundle);
  const out: string[] = [];
  for (const s of SECRETS) for (let i = 0; i + 8 <= s.length; i++) if (text.includes(s.slice(i, i + 8))) out.push(s.slice(i, i + 8));
  return out;
}

describe("capsules keep to an allowlist of fields and shapes", () => {
  it("no secret put into any input field of a fix reaches the bundle", () => {
    const input: BundleInput = {
      keywords: [laced("TypeError: cannot read id"), UNKNOWN, `HighErrorRate ${UNKNOWN}`, "http 5xx error rate rising"],
      hypothesis: { title: laced("title"), category: laced("code"), confidence: 0.9, confirm: laced("roll back and watch") },
      summary: laced("summary"),
      fix: {
        kind: "revert",
        approved: true,
        files: [
          {
            path: `services/api/${UNKNOWN}.ts`,
            additions: 2,
            deletions: 1,
            patch: `@@ -1,1 +1,2 @@\n-const a = 1;\n+const token = "${UNKNOWN}";\n+const url = "postgres://svc:${PW}@db/x";\n${laced("not a diff line")}`,
          },
          { path: `https://${GHP}@github.com/x`, additions: 1, deletions: 0, patch: `+${AWS}` },
        ],
      },
      forbiddenPaths: ["**/migrations/**", laced("glob")],
      privateNames: ["acme"],
    };
    const b = buildBundle(input);
    expect(leaks(b)).toEqual([]);
    expect(bundleProblems(b)).toEqual([]);
    expect(b.gene.signals_match).toEqual(["http 5xx error rate rising"]);
    expect(b.capsule.summary).toContain("of the unknown change");
    expect(b.gene.constraints.forbidden_paths).toEqual(["**/migrations/**"]);
    expect(b.capsule.diff).toContain("--- a/a-file");
  });

  it("no secret put into any input field of a warning reaches the bundle", () => {
    const b = buildWarningBundle({
      keyword: laced("memory growth"),
      kind: laced("memory-growth"),
      text: laced("memory grows 3%/h"),
      rule: `alert: MemoryGrowth\nexpr: rate(x[1h]) > 0 # ${laced("note")}`,
      confidence: 0.8,
    });
    expect(leaks(b)).toEqual([]);
    expect(bundleProblems(b)).toEqual([]);
    expect(b.capsule.content).toContain("alert: MemoryGrowth");
  });

  it("refuses a fix kind outside its list", () => {
    expect(() =>
      buildBundle({
        keywords: ["x regression"],
        hypothesis: { title: "t", category: "code", confidence: 0.9 },
        fix: { kind: "exec" as never, approved: true, files: [] },
      }),
    ).toThrow(/unknown fix kind/);
  });
});
