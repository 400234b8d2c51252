import pino from "pino";
import { parseMcpServers } from "../../src/config/mcp-servers.js";
import { repoConfigSchema } from "../../src/config/repo-config.js";
import { ADAPTERS } from "../../src/signals/adapters/registry.js";
import { collectSignals } from "../../src/signals/collect.js";
import { McpPool, type TransportFactory } from "../../src/signals/mcp-pool.js";
import type { ServiceTarget } from "../../src/signals/types.js";

export const silent = pino({ level: "silent" });

/** Services as a repo config would declare them. */
export function services(raw: Record<string, unknown>): ServiceTarget[] {
  const config = repoConfigSchema.parse({ services: raw });
  return Object.entries(config.services).map(([name, c]) => ({ name, config: c }));
}

/** A pool and a collect() over an mcpServers document; every server allowed for acme/*. */
export function collector(
  servers: Record<string, Record<string, unknown>>,
  options: { transport?: TransportFactory; budgetMs?: number } = {},
) {
  const config = parseMcpServers({
    mcpServers: Object.fromEntries(
      Object.entries(servers).map(([name, s]) => [
        name,
        { ...s, insight: { repositories: ["acme/*"], timeoutMs: 10_000, ...(s.insight as object) } },
      ]),
    ),
    insight: { budgetMs: options.budgetMs ?? 30_000 },
  });
  const pool = new McpPool(config, { log: silent, transport: options.transport });
  const collect = (svc: ServiceTarget[], windowMinutes = 30, extra: Partial<Parameters<typeof collectSignals>[0]> = {}) =>
    collectSignals({
      pool,
      servers: config,
      adapters: ADAPTERS,
      repo: "acme/api",
      services: svc,
      window: { from: Date.now() - windowMinutes * 60_000, to: Date.now() },
      log: silent,
      ...extra,
    });
  return { pool, config, collect };
}
