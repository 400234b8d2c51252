import pino from "pino";
import { loadEnv } from "../config/env.js";
import { loadLocalRepoConfig } from "../config/local-repo-config.js";
import { renderCollectionText } from "../render/signals-text.js";
import { redact } from "../security/redact.js";
import { ADAPTERS, loadSources } from "../signals/adapters/registry.js";
import { collectSignals } from "../signals/collect.js";
import { McpPool } from "../signals/mcp-pool.js";
import { parseDuration } from "../util/duration.js";
import type { Cli } from "./output.js";

export type SignalsOptions = { service?: string[]; since?: string; json?: boolean; config?: string; mcpConfig?: string; source?: string[] };

/** `insight signals`: what Insight sees of the configured sources for some services, now. */
export async function signals(options: SignalsOptions, cli: Cli): Promise<number> {
  const env = loadEnv(cli.env);
  const mcp = await loadSources(options.mcpConfig ? cli.path(options.mcpConfig) : env.INSIGHT_MCP_CONFIG);
  const { config } = await loadLocalRepoConfig(options.config && cli.path(options.config), cli.cwd);
  const known = Object.keys(config.services);
  const wanted = options.service?.flatMap((s) => s.split(",")) ?? known;
  const unknown = wanted.filter((s) => !known.includes(s));
  if (unknown.length) {
    cli.err(`insight signals: no service ${unknown.join(", ")} in the repo config (known: ${known.join(", ") || "none"})`);
    return 2;
  }
  const span = parseDuration(options.since ?? "1h");
  const pool = new McpPool(mcp, { log: pino({ level: "silent" }) });
  try {
    const result = await collectSignals({
      pool,
      servers: mcp,
      adapters: ADAPTERS,
      repo: undefined,
      services: wanted.map((name) => ({ name, config: config.services[name]! })),
      window: { from: Date.now() - span, to: Date.now() },
      metrics: config.metrics,
      log: pino({ level: "silent" }),
      only: options.source,
    });
    cli.out(redact(options.json ? JSON.stringify(result, null, 2) : renderCollectionText(result)));
    return result.sources.some((s) => s.status === "error") ? 1 : 0;
  } finally {
    await pool.close();
  }
}
