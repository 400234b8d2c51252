import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { ramp, type Scenario } from "../../../fixtures/mcp/scenario.js";
import { health } from "../../../src/cli/health.js";
import { bufferIo, insight } from "../../helpers/cli.js";
import { production, productionServices } from "../../helpers/scenario.js";

/**
 * `insight health` in-process, on a repository's config and an MCP servers file: a fixture
 * Prometheus over stdio where web's memory grows, and a source that dies at start.
 */
const SERVER = fileURLToPath(new URL("../../../fixtures/mcp/server.ts", import.meta.url));
const MB = 1024 * 1024;
const NOW = Date.parse(production.now!);

describe("insight health", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-health-cli-"));
    const scenario: Scenario = structuredClone(production);
    scenario.prometheus!.series!.push({
      contains: ['service="web"', "process_resident_memory_bytes"],
      points: ramp(-6 * 3600, 300, (t) => 200 * MB + ((t + 6 * 3600) / 3600) * 25 * MB + ((t / 300) % 3) * MB),
    });
    await writeFile(join(dir, "prometheus.json"), JSON.stringify(scenario));
    await mkdir(join(dir, ".github"));
    await writeFile(
      join(dir, ".github/insight.yml"),
      stringify({ services: { api: productionServices.api, web: productionServices.web } }),
    );
    await writeFile(
      join(dir, "mcp.json"),
      JSON.stringify({
        mcpServers: {
          metrics: {
            command: process.execPath,
            args: ["--import", "tsx", SERVER, "mcp-prometheus", join(dir, "prometheus.json")],
            insight: { adapter: "prometheus", repositories: ["*/*"], timeoutMs: 20_000 },
          },
          db: {
            command: process.execPath,
            args: ["-e", "process.exit(3)"],
            insight: { adapter: "postgres", repositories: ["*/*"], timeoutMs: 5_000 },
          },
        },
      }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("prints the health report of the repository's services, with the trend and the source it could not read", async () => {
    const cli = bufferIo({ cwd: dir });
    const code = await health({ mcpConfig: "mcp.json", now: () => NOW }, cli);
    const out = cli.printed.stdout;
    expect({ code, stderr: cli.printed.stderr }).toEqual({ code: 0, stderr: "" });
    expect(out).toMatch(/^## 🩺 Insight health report — insight-health-cli-/);
    expect(out).toContain("Scanned 2026-11-23 20:00Z over 2026-11-23 14:00Z → 2026-11-23 20:00Z · `insight health` scans now");
    expect(out).toMatch(/### Needs attention \(\d+\)/);
    expect(out).not.toContain("New since the last scan");
    expect(out).toMatch(/- 🔴 \*\*web\*\* — memory grows steadily: \d+ MB → \d+ MB/);
    expect(out).toMatch(/\| web \| 🔴 \|/);
    expect(out).toMatch(/\*\*Not seen in this scan:\*\*\n\n- db: not read \(.+\)/);
    expect(out).toMatch(/Sources: ✅ metrics .*· ❌ db/);
    expect(out).not.toContain("/insight health");
  }, 60_000);

  it("gives the scan as JSON for one service", async () => {
    const cli = bufferIo({ cwd: dir });
    expect(await health({ mcpConfig: "mcp.json", service: ["web"], json: true, now: () => NOW }, cli)).toBe(0);
    const report = JSON.parse(cli.printed.stdout);
    expect(report.scan.services.map((s: { service: string }) => s.service)).toEqual(["web"]);
    expect(report.scan.problems.map((p: { key: string }) => p.key)).toContain("memory-growth:web");
    expect(report.sources.map((s: { source: string; status: string }) => [s.source, s.status])).toEqual([
      ["metrics", "ok"],
      ["db", "error"],
    ]);
  }, 60_000);

  it("says there is no data without a source (exit 1), and names a bad service or window (exit 2)", async () => {
    const none = await insight(["health", "--repo", dir]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("insight health: no data: no source is configured");
    expect(none.stdout).not.toContain("Nothing needs attention");
    expect(await insight(["health", "--repo", dir, "--service", "billing", "--mcp-config", join(dir, "mcp.json")])).toMatchObject({
      code: 2,
      stderr: "insight health: no service billing in the repo config (known: api, web)\n",
    });
    expect(await insight(["health", "--repo", dir, "--since", "3d", "--mcp-config", join(dir, "mcp.json")])).toMatchObject({
      code: 2,
      stderr: "insight health: --since 3d is longer than the 24h a health scan looks back\n",
    });
  });
});
