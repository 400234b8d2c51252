import { loadMcpServers, parseMcpServers, type McpServersConfig } from "../../config/mcp-servers.js";
import { elasticsearchAdapter } from "./elasticsearch/index.js";
import { kubernetesAdapter } from "./kubernetes/index.js";
import { neo4jAdapter } from "./neo4j/index.js";
import { postgresAdapter } from "./postgres/index.js";
import { prometheusAdapter } from "./prometheus/index.js";
import { redisAdapter } from "./redis/index.js";
import { skywalkingAdapter } from "./skywalking/index.js";
import type { Adapter } from "./types.js";

/** Every adapter by id; the operator's file names the adapter of each server. A new adapter is its folder and one line here. */
export const ADAPTERS: ReadonlyMap<string, Adapter> = registry([
  prometheusAdapter,
  postgresAdapter,
  redisAdapter,
  kubernetesAdapter,
  elasticsearchAdapter,
  skywalkingAdapter,
  neo4jAdapter,
]);

/** The adapter ids a server may name, derived from the registry. */
export const ADAPTER_KINDS: readonly string[] = [...ADAPTERS.keys()];

/** A registry from a list of adapters; an id used twice is a programming error, caught at start. */
export function registry(adapters: readonly Adapter[]): ReadonlyMap<string, Adapter> {
  const map = new Map<string, Adapter>();
  for (const a of adapters) {
    if (map.has(a.id)) throw new Error(`two adapters have the id ${a.id}`);
    map.set(a.id, a);
  }
  return map;
}

/** The MCP servers file, each server's adapter checked against the registry. */
export function loadSources(path: string | undefined, adapters: ReadonlyMap<string, Adapter> = ADAPTERS): Promise<McpServersConfig> {
  return loadMcpServers(path, [...adapters.keys()]);
}

/** An MCP servers document, each server's adapter checked against the registry. */
export function parseSources(value: unknown, source?: string, adapters: ReadonlyMap<string, Adapter> = ADAPTERS): McpServersConfig {
  return parseMcpServers(value, source, [...adapters.keys()]);
}
