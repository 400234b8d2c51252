import { describe, expect, it } from "@jest/globals";
import { assessImpact } from "../../../src/analysis/assess-impact.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import { renderImpactCheck, renderImpactComment } from "../../../src/render/impact.js";
import { sparkline } from "../../../src/render/sparkline.js";
import type { CollectionResult, Signal } from "../../../src/signals/types.js";

const config = repoConfigSchema.parse({
  services: {
    api: { paths: ["api/**"], tier: "high", prometheus: { labels: { service: "api" } } },
    web: { paths: ["web/**"], dependsOn: ["api"] },
  },
});
const sig = (s: Partial<Signal> & Pick<Signal, "id" | "name">): Signal => ({
  source: "metrics",
  adapter: "prometheus",
  kind: "metric",
  query: "q",
  ...s,
});
const collection: CollectionResult = {
  window: { from: 0, to: 3_600_000 },
  elapsedMs: 10,
  signals: [],
  sources: [
    {
      source: "metrics",
      adapter: "prometheus",
      provides: ["metrics"],
      flavour: "prometheus-mcp",
      status: "ok",
      notes: [],
      elapsedMs: 10,
      signals: [
        sig({ id: "metrics:api:http.request_rate", name: "http.request_rate", service: "api", value: 42 }),
        sig({
          id: "metrics:api:http.error_rate",
          name: "http.error_rate",
          service: "api",
          value: 0.02,
          series: [
            {
              labels: {},
              points: [
                [0, 0.001],
                [1, 0.001],
                [2, 0.02],
              ],
            },
          ],
        }),
        sig({ id: "metrics:alert-rules", name: "alert.rules", kind: "state", data: { rules: [] } }),
      ],
    },
    {
      source: "db",
      adapter: "postgres",
      provides: ["db"],
      status: "error",
      error: "did not answer within the 45000 ms budget",
      signals: [],
      notes: [],
      elapsedMs: 45000,
    },
  ],
};
collection.signals = collection.sources.flatMap((s) => s.signals);
const changes = {
  ref: "acme/api#1",
  base: { ref: "main", sha: "0".repeat(40) },
  head: { ref: "f", sha: "1234567".padEnd(40, "f") },
  changedFiles: 2,
  filesNotListed: 0,
  files: [
    {
      path: "api/src/auth/login.ts",
      status: "modified" as const,
      additions: 30,
      deletions: 4,
      patch: "@@ -3,2 +3,3 @@\n ctx\n+app.post('/login/otp', otp)",
    },
    {
      path: "api/package.json",
      status: "modified" as const,
      additions: 1,
      deletions: 1,
      patch: '@@ -1 +1 @@\n-    "jsonwebtoken": "8.5.1",\n+    "jsonwebtoken": "9.0.2",',
    },
  ],
};

describe("impact rendering", () => {
  const a = assessImpact({ changes, config, collection });

  it("renders the comment header, the explained factors and the sources footer", () => {
    const body = renderImpactComment(a, { elapsedMs: 1500, config });
    expect(body.split("\n").slice(0, 14).join("\n")).toMatchInlineSnapshot(`
"## 🟠 Blast radius: **high** (51/100)
<sub>DevOps Insight · covers \`1234567\`</sub>

**Why:** api is high-tier and serves 42 req/s; major version bump: jsonwebtoken 8.5.1 → 9.0.2.

| factor | points | why | evidence |
| --- | ---: | --- | --- |
| Production exposure | +16 | api is high-tier and serves 42 req/s | \`metrics:api:http.request_rate\` |
| Dependencies | +10 | major version bump: jsonwebtoken 8.5.1 → 9.0.2 | 1 file |
| Sensitive code path | +10 | auth code: api/src/auth/login.ts | 1 file |
| Error budget | +6 | api is already burning its budget: error rate 2.0% | \`metrics:api:http.error_rate\` |
| No tests changed | +5 | 1 code file changed and no test | change |
| Dependents | +4 | web calls the touched service (dependsOn in .github/insight.yml) | change |
"
`);
    expect(body.split("\n").at(-1)).toMatchInlineSnapshot(
      `"<sub>Sources: ✅ metrics (prometheus-mcp) · ❌ db: did not answer within the 45000 ms budget · 1.5 s · re-run with \`/insight impact\`</sub>"`,
    );
  });

  it("suggests the missing alert rule as YAML", () => {
    const body = renderImpactComment(a, { elapsedMs: 1500, config });
    expect(body).toContain("- alert: ApiHighErrorRate");
    expect(body).toContain(
      '  expr: sum(rate(http_requests_total{service="api",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="api"}[5m])) > 0.05',
    );
  });

  it("renders the check run with a failure only at the configured level", () => {
    expect(renderImpactCheck(a, config).conclusion).toBe("neutral");
    const strict = repoConfigSchema.parse({ ...config, impact: { failCheckAt: "medium" } });
    expect(renderImpactCheck(a, strict).conclusion).toBe(a.level === "low" ? "neutral" : "failure");
    expect(renderImpactCheck(a, config).output.annotations).toContainEqual(
      expect.objectContaining({ path: "api/src/auth/login.ts", start_line: 4 }),
    );
  });

  it("draws sparklines, flat when the series is flat", () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([0.35, 0.35, 0.35, 0.35])).toBe("▁▁▁▁");
    expect(sparkline([1])).toBe("");
  });
});
