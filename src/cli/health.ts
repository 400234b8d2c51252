import { basename } from "node:path";
import pino from "pino";
import { loadEnv } from "../config/env.js";
import { loadLocalRepoConfig } from "../config/local-repo-config.js";
import { healthPipeline } from "../pipeline/health.js";
import type { Services } from "../pipeline/services.js";
import { renderHealth } from "../render/health.js";
import { redact } from "../security/redact.js";
import { ADAPTERS, loadSources } from "../signals/adapters/registry.js";
import { McpPool } from "../signals/mcp-pool.js";
import { parseDuration } from "../util/duration.js";
import type { Cli } from "./output.js";

/** The app's scheduled scans look back at most this far; so does the CLI. */
const MAX_WINDOW_MS = 24 * 3_600_000;

export type HealthOptions = {
  since?: string;
  service?: string[];
  repo?: string;
  json?: boolean;
  config?: string;
  mcpConfig?: string;
  onSource?: Services["onSource"];
  /** The environment read for INSIGHT_MCP_CONFIG and the rest (the CLI run's; the process's by default). */
  env?: Record<string, string | undefined>;
  /** The scan's clock (tests fix it). */
  now?: () => number;
};

/** The health pipeline over the configured sources, as the health issue would say it (or the scan as JSON). */
export async function runLocalHealth(options: HealthOptions): Promise<{ text: string } | { error: string; noData?: true }> {
  const now = options.now ?? Date.now;
  const started = now();
  const env = loadEnv(options.env ?? process.env);
  const mcpServers = await loadSources(options.mcpConfig ?? env.INSIGHT_MCP_CONFIG);
  const { config } = await loadLocalRepoConfig(options.config, options.repo ?? ".");
  const known = Object.keys(config.services);
  const names = options.service?.flatMap((s) => s.split(",")).filter(Boolean) ?? known;
  const unknown = names.filter((n) => !config.services[n]);
  if (unknown.length) return { error: `no service ${unknown.join(", ")} in the repo config (known: ${known.join(", ") || "none"})` };
  if (names.length === 0)
    return { error: "no service to scan: the repo config maps none (give --config <file> or run it in a repository)" };
  let span: number;
  try {
    span = parseDuration(options.since ?? "6h");
  } catch (e) {
    return { error: `--since: ${(e as Error).message}` };
  }
  if (span > MAX_WINDOW_MS) return { error: `--since ${options.since} is longer than the 24h a health scan looks back` };
  // With nothing to read there is nothing to call healthy: say so, never "nothing needs attention".
  if (!Object.keys(mcpServers.mcpServers).length)
    return {
      noData: true,
      error:
        "no data: no source is configured — give an MCP servers file with --mcp-config <file> (or INSIGHT_MCP_CONFIG); `insight doctor` checks it",
    };
  const log = pino({ level: "silent" });
  const pool = new McpPool(mcpServers, { log });
  try {
    const report = await healthPipeline(
      { pool, mcpServers, adapters: ADAPTERS, onSource: options.onSource },
      {
        config,
        repo: undefined,
        services: names,
        window: { from: started - span, to: started },
        noSourceNote: "no MCP servers configured",
        log,
      },
    );
    return {
      text: redact(
        options.json
          ? JSON.stringify({ scan: report.scan, sources: report.sources, notes: report.notes }, null, 2)
          : renderHealth(report.scan, {
              repo: basename(options.repo ?? ".") || "local",
              previousKeys: undefined,
              sources: report.sources,
              notes: report.notes,
              elapsedMs: now() - started,
              syntax: "cli",
            }),
      ),
    };
  } finally {
    await pool.close();
  }
}

/** `insight health`: prints the health report of the configured services now. */
export async function health(options: HealthOptions, cli: Cli): Promise<number> {
  const result = await runLocalHealth({
    ...options,
    repo: cli.path(options.repo ?? "."),
    config: options.config && cli.path(options.config),
    mcpConfig: options.mcpConfig && cli.path(options.mcpConfig),
    env: cli.env,
  });
  if ("error" in result) {
    cli.err(`insight health: ${result.error}`);
    return result.noData ? 1 : 2;
  }
  cli.out(result.text);
  return 0;
}
