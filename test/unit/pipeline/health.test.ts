import { afterAll, describe, expect, it } from "@jest/globals";
import { ramp, type Scenario } from "../../../fixtures/mcp/scenario.js";
import { parseMcpServers } from "../../../src/config/mcp-servers.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import { healthPipeline, type HealthInput } from "../../../src/pipeline/health.js";
import { ADAPTERS } from "../../../src/signals/adapters/registry.js";
import { McpPool } from "../../../src/signals/mcp-pool.js";
import { silent } from "../../helpers/collect.js";
import { fixtureTransport } from "../../helpers/fixture-pool.js";
import { production, productionServices } from "../../helpers/scenario.js";

/** The health pipeline called as the CLI and the processors call it: services and plain inputs, no GitHub, no job. */
const MB = 1024 * 1024;
const NOW = Date.parse(production.now!);
const scenario: Scenario = structuredClone(production);
scenario.prometheus!.series!.push({
  contains: ['service="web"', "process_resident_memory_bytes"],
  points: ramp(-6 * 3600, 300, (t) => 200 * MB + ((t + 6 * 3600) / 3600) * 25 * MB + ((t / 300) % 3) * MB),
});
// metrics and k8s answer; db names a flavour no fixture has, so it fails to start: a dead source.
const mcpServers = parseMcpServers({
  mcpServers: {
    metrics: { command: "fixture", insight: { adapter: "prometheus", repositories: ["acme/*"] } },
    k8s: { command: "fixture", insight: { adapter: "kubernetes", repositories: ["acme/*"] } },
    db: { command: "fixture", insight: { adapter: "postgres", repositories: ["acme/*"] } },
  },
});
const pool = new McpPool(mcpServers, {
  log: silent,
  transport: fixtureTransport({ metrics: "mcp-prometheus", k8s: "kubernetes-mcp-server", db: "no-such-flavour" }, scenario),
});
afterAll(() => pool.close());
const services = { pool, mcpServers, adapters: ADAPTERS };
const config = repoConfigSchema.parse({ services: { api: productionServices.api, web: productionServices.web } });
const input = (over: Partial<HealthInput> = {}): HealthInput => ({
  config,
  repo: "acme/shop",
  services: ["api", "web"],
  window: { from: NOW - 6 * 3_600_000, to: NOW },
  noSourceNote: "no MCP source is allowed for this repository",
  log: silent,
  ...over,
});

describe("healthPipeline", () => {
  it("reads the allowed sources over the window, finds the trend, and says which source could not be read", async () => {
    const report = await healthPipeline(services, input());
    expect(report.scan.window).toEqual({ from: NOW - 6 * 3_600_000, to: NOW });
    const growth = report.scan.problems.find((p) => p.key === "memory-growth:web");
    expect(growth).toMatchObject({ service: "web", severity: "critical" });
    expect(growth!.text).toMatch(/^memory grows steadily: \d+ MB → \d+ MB/);
    expect(report.scan.services.map((s) => s.service)).toEqual(["api", "web"]);
    expect(report.sources.map((s) => [s.source, s.status])).toEqual([
      ["metrics", "ok"],
      ["k8s", "ok"],
      ["db", "error"],
    ]);
    expect(report.notes).toEqual([expect.stringMatching(/^db: not read \(.+\)$/)]);
    expect(report.notes[0]).toContain("no fixture flavour for db");
  }, 30_000);

  it("reads nothing for a repository no source is allowed for, and says so in the report", async () => {
    const report = await healthPipeline(services, input({ repo: "someone-else/app" }));
    expect(report.collection.sources).toEqual([]);
    expect(report.notes).toEqual(["no MCP source is allowed for this repository"]);
    // With nothing read there are no trends, only the gaps of what could not be seen.
    expect(report.scan.problems.every((p) => p.kind === "monitoring-gap")).toBe(true);
  });

  it("scans only the services asked for, and names one the config does not have", async () => {
    const report = await healthPipeline(services, input({ services: ["web"] }));
    expect(report.scan.services.map((s) => s.service)).toEqual(["web"]);
    expect(report.scan.problems.some((p) => p.service === "api")).toBe(false);
    await expect(healthPipeline(services, input({ services: ["web", "billing"] }))).rejects.toThrow(
      "healthPipeline: billing is not a service of the repo config",
    );
    await expect(healthPipeline(services, input({ services: [] }))).rejects.toThrow("healthPipeline: no service to scan");
  }, 30_000);
});
