import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Scenario } from "../fixtures/mcp/scenario.js";
import { parseMcpServers, type McpServersConfig } from "../src/config/mcp-servers.js";

/** Seven fixture sources, one per monitoring system, each with its latency per tool call (ms). */
export const SEVEN_SOURCES = [
  ["metrics", "prometheus-mcp", "prometheus", 40],
  ["db", "dbhub", "postgres", 60],
  ["cache", "redis-mcp-server", "redis", 20],
  ["k8s", "kubernetes-mcp-server", "kubernetes", 80],
  ["logs", "elasticsearch-0.3", "elasticsearch", 120],
  ["apm", "skywalking-mcp", "skywalking", 100],
  ["graph", "mcp-neo4j-cypher", "neo4j", 150],
] as const;

/**
 * Writes one scenario file per source (with its latency, or the extra faults) and returns the
 * mcpServers config that starts each as a fixture MCP server over stdio.
 */
export async function fixtureSourcesConfig(
  dir: string,
  scenario: Scenario,
  extra: Record<string, { flavour: string; adapter: string; scenario: Scenario }> = {},
): Promise<McpServersConfig> {
  const servers: Record<string, unknown> = {};
  const add = async (name: string, flavour: string, adapter: string, s: Scenario) => {
    const file = join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(s));
    servers[name] = {
      command: process.execPath,
      args: ["--import", "tsx", "fixtures/mcp/server.ts", flavour, file],
      insight: { adapter, repositories: ["*/*"], timeoutMs: 10_000, concurrency: 4 },
    };
  };
  for (const [name, flavour, adapter, latencyMs] of SEVEN_SOURCES) await add(name, flavour, adapter, { ...scenario, latencyMs });
  for (const [name, e] of Object.entries(extra)) await add(name, e.flavour, e.adapter, e.scenario);
  return parseMcpServers({ mcpServers: servers, insight: { budgetMs: 30_000 } });
}
