import { describe, expect, it } from "@jest/globals";
import { assessImpact } from "../../../src/analysis/assess-impact.js";
import { scanHealth } from "../../../src/analysis/health.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import { renderHealth } from "../../../src/render/health.js";
import { renderImpactComment } from "../../../src/render/impact.js";
import type { CollectionResult, Signal } from "../../../src/signals/types.js";

/**
 * An error-rate query that answers with something other than a ratio (a request count, a
 * percentage) must never print as "4000% errors": the report names the query as looking wrong.
 */
const NOW = Date.parse("2026-11-24T06:00:00Z");
const window = { from: NOW - 6 * 3_600_000, to: NOW };
const QUERY = 'sum(rate(http_requests_total{service="web"}[5m]))';
const config = repoConfigSchema.parse({
  services: { web: { paths: ["web/**"], tier: "high", prometheus: { labels: { service: "web" } } } },
});

function production(errorRate: (i: number) => number): CollectionResult {
  const points = Array.from({ length: 72 }, (_, i) => [NOW - (71 - i) * 300_000, errorRate(i)] as [number, number]);
  const signals: Signal[] = [
    {
      id: "metrics:web:http.error_rate",
      source: "metrics",
      adapter: "prometheus",
      kind: "metric",
      service: "web",
      name: "http.error_rate",
      query: QUERY,
      unit: "ratio",
      series: [{ labels: {}, points }],
      value: points.at(-1)![1],
    },
  ];
  return {
    window,
    elapsedMs: 5,
    signals,
    sources: [{ source: "metrics", adapter: "prometheus", provides: ["metrics"], status: "ok", notes: [], elapsedMs: 5, signals }],
  };
}

const impact = (collection: CollectionResult) =>
  renderImpactComment(
    assessImpact({
      changes: {
        ref: "acme/shop#7",
        base: { ref: "main", sha: "0".repeat(40) },
        head: { ref: "f", sha: "abcdef1".padEnd(40, "0") },
        changedFiles: 1,
        filesNotListed: 0,
        files: [{ path: "web/app.ts", status: "modified", additions: 1, deletions: 0, patch: "@@ -1 +1 @@\n+x" }],
      },
      config,
      collection,
    }),
    { elapsedMs: 10, config },
  );

const health = (collection: CollectionResult) =>
  renderHealth(scanHealth({ collection, config, window }), { repo: "acme/shop", previousKeys: undefined, sources: [], elapsedMs: 1 });

const overHundred = /\b\d{3,}(\.\d+)?%/;

describe("an error-rate query that does not answer a ratio", () => {
  // web's request count (40 req/s, climbing) where its error ratio should be.
  const wrong = production((i) => 40 + i);

  it("the health report names the query instead of printing a rate above 100%", () => {
    const md = health(wrong);
    expect(md).not.toMatch(overHundred);
    expect(md).toMatch(/\| web \| [^|]+ \| [^|]+ \| ⚠️ query looks wrong \|/);
    expect(md).toContain(
      `**web**: the error-rate query returned 111, not a ratio between 0 and 1; no error rate is shown. Check \`metrics.errorRate\` in \`.github/insight.yml\`: \`${QUERY}\``,
    );
    expect(md).not.toContain("error rate rising");
  });

  it("the PR impact comment names the query instead of printing a rate above 100%", () => {
    const md = impact(wrong);
    expect(md).not.toMatch(overHundred);
    expect(md).toMatch(/\| \*\*web\*\* \| high \| [^|]+ \| ⚠️ query looks wrong \s*\|/);
    expect(md).toContain(`the error-rate query returned 111, not a ratio between 0 and 1`);
    expect(md).toContain(QUERY);
  });

  it("a real ratio still prints as a percentage", () => {
    const fine = production(() => 0.004);
    expect(health(fine)).toMatch(/\| web \| [^|]+ \| [^|]+ \| 0\.40% \|/);
    expect(impact(fine)).toMatch(/\| \*\*web\*\* \| high \| [^|]+ \| 0\.40% /);
    expect(health(fine)).not.toContain("query looks wrong");
  });
});
