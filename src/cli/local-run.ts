import pino from "pino";
import type { McpServersConfig } from "../config/mcp-servers.js";
import { loadEnv } from "../config/env.js";
import { loadLocalRepoConfig } from "../config/local-repo-config.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { Services } from "../pipeline/services.js";
import { redact } from "../security/redact.js";
import { ADAPTERS, loadSources } from "../signals/adapters/registry.js";
import { McpPool } from "../signals/mcp-pool.js";

/** What `insight rca` and `insight health` print, or why they could not (exit 1 for no data, 2 for a bad argument). */
export type LocalResult = { text: string } | { error: string; noData?: true };

/** The operator's own run: the MCP servers file, the repository config, and the services asked for (all, by default), checked. */
export async function localSetup(o: {
  env?: Record<string, string | undefined>;
  mcpConfig?: string;
  config?: string;
  /** Where `.github/insight.yml` is looked for when no --config is given. */
  root: string;
  service?: string[];
}): Promise<{ mcpServers: McpServersConfig; config: RepoConfig; names: string[] } | { error: string }> {
  const env = loadEnv(o.env ?? process.env);
  const mcpServers = await loadSources(o.mcpConfig ?? env.INSIGHT_MCP_CONFIG);
  const { config } = await loadLocalRepoConfig(o.config, o.root);
  const known = Object.keys(config.services);
  const names = o.service?.flatMap((s) => s.split(",")).filter(Boolean) ?? known;
  const unknown = names.filter((n) => !config.services[n]);
  if (unknown.length) return { error: `no service ${unknown.join(", ")} in the repo config (known: ${known.join(", ") || "none"})` };
  return { mcpServers, config, names };
}

/**
 * Runs a pipeline with the services of a local run — one MCP pool over every configured server,
 * closed afterwards — and redacts what it prints. With no source configured there is nothing to
 * call healthy or abnormal: the answer is "no data", never a clean report.
 */
export async function withLocalServices(
  mcpServers: McpServersConfig,
  onSource: Services["onSource"],
  run: (s: Services, log: pino.Logger) => Promise<string>,
): Promise<LocalResult> {
  if (!Object.keys(mcpServers.mcpServers).length)
    return {
      noData: true,
      error:
        "no data: no source is configured — give an MCP servers file with --mcp-config <file> (or INSIGHT_MCP_CONFIG); `insight doctor` checks it",
    };
  const log = pino({ level: "silent" });
  const pool = new McpPool(mcpServers, { log });
  try {
    return { text: redact(await run({ pool, mcpServers, adapters: ADAPTERS, onSource }, log)) };
  } finally {
    await pool.close();
  }
}
