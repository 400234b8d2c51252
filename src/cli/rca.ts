import pino from "pino";
import { incidentWindow } from "../analysis/incident-window.js";
import { localChangeHistory } from "../changes/local-history.js";
import { loadEnv } from "../config/env.js";
import { loadLocalRepoConfig } from "../config/local-repo-config.js";
import { rcaPipeline } from "../pipeline/rca.js";
import type { Services } from "../pipeline/services.js";
import { renderRca } from "../render/rca.js";
import { redact } from "../security/redact.js";
import { ADAPTERS, loadSources } from "../signals/adapters/registry.js";
import { McpPool } from "../signals/mcp-pool.js";
import type { Cli } from "./output.js";

export type RcaOptions = {
  since?: string;
  until?: string;
  service?: string[];
  repo?: string;
  /** Where `.github/insight.yml` is looked for without `repo` (the CLI run's cwd; the process's by default). */
  root?: string;
  json?: boolean;
  config?: string;
  mcpConfig?: string;
  onSource?: Services["onSource"];
  /** The environment read for INSIGHT_MCP_CONFIG and the rest (the CLI run's; the process's by default). */
  env?: Record<string, string | undefined>;
};

/** The RCA engine over the configured sources and a local git history: the thread's markdown (or the result as JSON). */
export async function runLocalRca(options: RcaOptions): Promise<{ text: string } | { error: string; noData?: true }> {
  const started = Date.now();
  const env = loadEnv(options.env ?? process.env);
  const mcpServers = await loadSources(options.mcpConfig ?? env.INSIGHT_MCP_CONFIG);
  const { config } = await loadLocalRepoConfig(options.config, options.repo ?? options.root ?? ".");
  const names = options.service?.flatMap((s) => s.split(",")) ?? Object.keys(config.services);
  const unknown = names.filter((n) => !config.services[n]);
  if (unknown.length)
    return { error: `no service ${unknown.join(", ")} in the repo config (known: ${Object.keys(config.services).join(", ") || "none"})` };
  const args = Object.fromEntries(
    Object.entries({ since: options.since ?? config.incident.window, until: options.until }).filter(([, v]) => v),
  ) as Record<string, string>;
  const span = incidentWindow({
    args,
    text: "",
    createdAt: Date.now(),
    now: Date.now(),
    zone: config.incident.timezone,
    window: config.incident.window,
    baseline: config.incident.baseline,
  });
  // With nothing to read there is nothing to call normal or abnormal: say so, never "SEV4, nothing abnormal".
  if (!Object.keys(mcpServers.mcpServers).length)
    return {
      noData: true,
      error:
        "no data: no source is configured — give an MCP servers file with --mcp-config <file> (or INSIGHT_MCP_CONFIG); `insight doctor` checks it",
    };
  const log = pino({ level: "silent" });
  const pool = new McpPool(mcpServers, { log });
  try {
    const repo = options.repo;
    const report = await rcaPipeline(
      { pool, mcpServers, adapters: ADAPTERS, onSource: options.onSource },
      {
        config,
        repo: undefined,
        services: names,
        span,
        history: repo
          ? async (window) => ({ changes: await localChangeHistory(repo, window, config), notes: [] })
          : async () => ({ changes: [], notes: ["no --repo: no change history"] }),
        noSourceNote: "no MCP servers configured",
        log,
      },
    );
    const { result, impact } = report;
    return {
      text: redact(
        options.json
          ? JSON.stringify({ result, impact }, null, 2)
          : renderRca(result, {
              impact,
              windowNote: span.note,
              sources: report.sources,
              notes: report.notes,
              elapsedMs: Date.now() - started,
              syntax: "cli",
            }),
      ),
    };
  } finally {
    await pool.close();
  }
}

/** `insight rca`: prints the thread. */
export async function rca(options: RcaOptions, cli: Cli): Promise<number> {
  const result = await runLocalRca({
    ...options,
    repo: options.repo && cli.path(options.repo),
    root: cli.cwd,
    config: options.config && cli.path(options.config),
    mcpConfig: options.mcpConfig && cli.path(options.mcpConfig),
    env: cli.env,
  });
  if ("error" in result) {
    cli.err(`insight rca: ${result.error}`);
    return result.noData ? 1 : 2;
  }
  cli.out(result.text);
  return 0;
}
