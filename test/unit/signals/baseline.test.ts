import { describe, expect, it } from "@jest/globals";
import { demoScenario } from "../../../fixtures/demo/scenario.js";
import { assessImpact } from "../../../src/analysis/assess-impact.js";
import { parseMcpServers } from "../../../src/config/mcp-servers.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import { renderImpactComment } from "../../../src/render/impact.js";
import { ADAPTERS } from "../../../src/signals/adapters/registry.js";
import { collectSignals } from "../../../src/signals/collect.js";
import { McpPool } from "../../../src/signals/mcp-pool.js";
import { silent } from "../../helpers/collect.js";
import { fixtureTransport } from "../../helpers/fixture-pool.js";

const NOW = Date.parse("2026-11-24T10:00:00Z");
const config = repoConfigSchema.parse({ services: { api: { paths: ["api/**"], prometheus: { labels: { service: "api" } } } } });

async function collect(flavour: string, baseline: boolean) {
  const mcpServers = parseMcpServers({
    mcpServers: { metrics: { command: "fixture", insight: { adapter: "prometheus", repositories: ["*/*"] } } },
  });
  // The demo plays production relative to the wall clock; here the fixture and the window share one pinned now.
  const scenario = { ...structuredClone(demoScenario), now: new Date(NOW).toISOString() };
  const pool = new McpPool(mcpServers, { log: silent, transport: fixtureTransport({ metrics: flavour }, scenario) });
  try {
    const now = NOW;
    return await collectSignals({
      pool,
      servers: mcpServers,
      adapters: ADAPTERS,
      repo: undefined,
      services: [{ name: "api", config: config.services.api! }],
      window: { from: now - 3_600_000, to: now },
      metrics: config.metrics,
      log: silent,
      baseline,
    });
  } finally {
    await pool.close();
  }
}

describe("watch thresholds from the same hour over the previous 7 days", () => {
  for (const flavour of ["mcp-prometheus", "prometheus-mcp", "prometheus-mcp-server"]) {
    it(`reads the baseline of normal through ${flavour}, apart from the live value`, async () => {
      const c = await collect(flavour, true);
      const errors = c.signals.find((s) => s.name === "http.error_rate")!;
      // previousWeek: 0.003 + (d % 3) / 1000 for d = 7…1 → 0.004 0.003 0.005 0.004 0.003 0.005 0.004; median 0.004.
      expect(errors.data?.baseline).toEqual({
        value: 0.004,
        basis: "median of the same hour over the previous 7 days (7 days)",
        samples: 7,
      });
      const md = renderImpactComment(
        assessImpact({
          changes: {
            ref: "r",
            base: { ref: "main", sha: "0".repeat(40) },
            head: { ref: "f", sha: "1".repeat(40) },
            changedFiles: 1,
            filesNotListed: 0,
            files: [{ path: "api/x.ts", status: "modified", additions: 1, deletions: 0 }],
          },
          config,
          collection: c,
        }),
        { elapsedMs: 1, config },
      );
      expect(md).toMatch(
        /\| api \| error rate \| `[^`]+` \| 0\.004 \| > 0\.014<br>`[^`]+ > 0\.014` \| median of the same hour over the previous 7 days \(7 days\) \|/,
      );
      expect(md).toMatch(/\| api \| traffic drop \| `[^`]+` \| 216 \| < 108/);
    });
  }

  it("does not read it unless asked (the RCA has its own baseline window)", async () => {
    const c = await collect("mcp-prometheus", false);
    expect(c.signals.find((s) => s.name === "http.error_rate")!.data?.baseline).toBeUndefined();
  });
});
