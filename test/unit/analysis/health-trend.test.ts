import { describe, expect, it } from "@jest/globals";
import { scanHealth, trend } from "../../../src/analysis/health.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import type { Signal } from "../../../src/signals/types.js";

const now = Date.parse("2026-11-24T06:00:00Z");
const window = { from: now - 6 * 3_600_000, to: now };
const points = (values: (i: number) => number) =>
  Array.from({ length: 72 }, (_, i) => [now - (71 - i) * 300_000, values(i)] as [number, number]);
// Quiet at 0.5% for four hours, then climbing to ~11.5%: a line fitted through it starts below zero.
const climbing = (i: number) => (i < 48 ? 0.005 : 0.005 + ((i - 47) / 24) * 0.11);

function scan(name: string, values: (i: number) => number, service = "web") {
  const signals: Signal[] = [
    {
      id: `m:${service}:${name}`,
      source: "m",
      adapter: "prometheus",
      kind: "metric",
      service,
      name,
      query: "q",
      series: [{ labels: {}, points: points(values) }],
    },
  ];
  return scanHealth({
    collection: {
      window,
      sources: [{ source: "m", adapter: "prometheus", provides: ["metrics"], status: "ok", signals, notes: [], elapsedMs: 1 }],
      signals,
      elapsedMs: 1,
    },
    config: repoConfigSchema.parse({ services: { web: { paths: ["web/**"] } } }),
    window,
  });
}

describe("health trends report what was observed, not the fitted line's ends", () => {
  it("the fitted line of a late climb starts below zero, the observed start does not", () => {
    const t = trend(points(climbing))!;
    expect(t.slopePerHour).toBeGreaterThan(0);
    expect(t.first).toBeCloseTo(0.005, 4);
    expect(t.last).toBeCloseTo(0.005 + (22 / 24) * 0.11, 4); // the median of the last five points
  });

  it("an error rate rising late in the window reads from its observed start, never a negative rate", () => {
    const rising = scan("http.error_rate", climbing).problems.find((p) => p.kind === "error-rate-rising")!;
    expect(rising).toBeDefined();
    expect(rising.text).not.toMatch(/-\d/);
    expect(rising.text).toMatch(/^error rate rising: 0\.50% → 10\.58% over the window/);
  });

  it("a steady memory growth reads from the median of its first and last points", () => {
    const growth = scan("process.memory_bytes", (i) => (200 + i * 2) * 1024 * 1024).problems.find((p) => p.kind === "memory-growth")!;
    expect(growth.text).toMatch(/^memory grows steadily: 204 MB → 338 MB \(\+66%, 24\.0 MB\/h, fit R² 1\.00\)/);
  });
});
