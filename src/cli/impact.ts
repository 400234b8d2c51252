import pino from "pino";
import type { RiskAssessment } from "../analysis/assess-impact.js";
import { localChanges } from "../changes/local-git.js";
import { loadEnv } from "../config/env.js";
import { inferLocalServices } from "../changes/infer-from-repo.js";
import { withInferredServices } from "../config/infer-services.js";
import { loadLocalRepoConfig } from "../config/local-repo-config.js";
import { impactPipeline } from "../pipeline/impact.js";
import type { Services } from "../pipeline/services.js";
import { renderImpactComment } from "../render/impact.js";
import { redact } from "../security/redact.js";
import { ADAPTERS, loadSources } from "../signals/adapters/registry.js";
import { McpPool } from "../signals/mcp-pool.js";
import type { Cli } from "./output.js";

export type ImpactOptions = {
  repo: string;
  base: string;
  head?: string;
  json?: boolean;
  config?: string;
  mcpConfig?: string;
  onSource?: Services["onSource"];
  /** The environment read for INSIGHT_MCP_CONFIG and the rest (the CLI run's; the process's by default). */
  env?: Record<string, string | undefined>;
};

/** The PR-impact pipeline on a local repository: the same classification, signals, score and comment. */
export async function runLocalImpact(options: ImpactOptions): Promise<{ assessment: RiskAssessment; markdown: string }> {
  const started = Date.now();
  const env = loadEnv(options.env ?? process.env);
  const mcpServers = await loadSources(options.mcpConfig ?? env.INSIGHT_MCP_CONFIG);
  const local = await loadLocalRepoConfig(options.config, options.repo);
  const changes = await localChanges(options.repo, options.base, options.head);
  // No config file: the services come from the repository's layout at the head of the change.
  const inferred = local.file ? undefined : await inferLocalServices(options.repo, changes.head.sha);
  const config = inferred ? withInferredServices(local.config, inferred) : local.config;
  const log = pino({ level: "silent" });
  const pool = Object.keys(mcpServers.mcpServers).length ? new McpPool(mcpServers, { log }) : undefined;
  try {
    const { assessment } = await impactPipeline(
      { pool, mcpServers, adapters: ADAPTERS, onSource: options.onSource },
      { changes, config, inferred, repo: undefined, log, now: Date.now() },
    );
    const rerun = `insight impact --repo ${options.repo} --base ${options.base}${options.head ? ` --head ${options.head}` : ""}`;
    return { assessment, markdown: renderImpactComment(assessment, { elapsedMs: Date.now() - started, config, local: { rerun } }) };
  } finally {
    await pool?.close();
  }
}

/** `insight impact --repo <path> --base <ref> [--head <ref>] [--json]`: prints the comment (or the assessment). */
export async function impact(options: ImpactOptions, cli: Cli): Promise<number> {
  const { assessment, markdown } = await runLocalImpact({
    ...options,
    repo: cli.path(options.repo),
    config: options.config && cli.path(options.config),
    mcpConfig: options.mcpConfig && cli.path(options.mcpConfig),
    env: cli.env,
  });
  cli.out(redact(options.json ? JSON.stringify(assessment, null, 2) : markdown));
  return 0;
}
