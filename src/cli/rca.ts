import pino from "pino";
import { incidentWindow } from "../analysis/incident-window.js";
import { assessIncidentImpact } from "../analysis/incident-severity.js";
import { topology } from "../analysis/profile.js";
import { analyseIncident } from "../analysis/rca.js";
import { localChangeHistory } from "../changes/local-history.js";
import { loadEnv } from "../config/env.js";
import { loadLocalRepoConfig } from "../config/local-repo-config.js";
import { loadMcpServers } from "../config/mcp-servers.js";
import { renderRca } from "../render/rca.js";
import { redact } from "../security/redact.js";
import { ADAPTERS } from "../signals/adapters/registry.js";
import { collectSignals, type CollectParams } from "../signals/collect.js";
import { McpPool } from "../signals/mcp-pool.js";
import { err, out } from "./output.js";

export type RcaOptions = { since?: string; until?: string; service?: string[]; repo?: string; json?: boolean; config?: string; mcpConfig?: string; onSource?: CollectParams["onSource"] };

/** The RCA engine over the configured sources and a local git history: the thread's markdown (or the result as JSON). */
export async function runLocalRca(options: RcaOptions): Promise<{ text: string } | { error: string; noData?: true }> {
  const started = Date.now();
  const env = loadEnv(process.env);
  const mcpServers = await loadMcpServers(options.mcpConfig ?? env.INSIGHT_MCP_CONFIG);
  const { config } = await loadLocalRepoConfig(options.config, options.repo ?? ".");
  const names = options.service?.flatMap((s) => s.split(",")) ?? Object.keys(config.services);
  const unknown = names.filter((n) => !config.services[n]);
  if (unknown.length) return { error: `no service ${unknown.join(", ")} in the repo config (known: ${Object.keys(config.services).join(", ") || "none"})` };
  const args = Object.fromEntries(Object.entries({ since: options.since ?? config.incident.window, until: options.until }).filter(([, v]) => v)) as Record<string, string>;
  const span = incidentWindow({ args, text: "", createdAt: Date.now(), now: Date.now(), zone: config.incident.timezone, window: config.incident.window, baseline: config.incident.baseline });
  // With nothing to read there is nothing to call normal or abnormal: say so, never "SEV4, nothing abnormal".
  if (!Object.keys(mcpServers.mcpServers).length) return { noData: true, error: "no data: no source is configured — give an MCP servers file with --mcp-config <file> (or INSIGHT_MCP_CONFIG); `insight doctor` checks it" };
  const log = pino({ level: "silent" });
  const pool = new McpPool(mcpServers, { log });
  try {
    const collection = await collectSignals({ pool, config: mcpServers, adapters: ADAPTERS, repo: undefined, log, metrics: config.metrics, services: names.map((name) => ({ name, config: config.services[name]! })), window: { from: span.baseline.from, to: span.window.to }, onSource: options.onSource });
    const changes = options.repo ? await localChangeHistory(options.repo, span.window, config) : [];
    const edges = topology(collection, config).edges;
    const result = analyseIncident({ signals: collection?.signals ?? [], window: span.window, changes, edges, coverage: { sources: collection?.sources ?? [], services: names, history: !!options.repo } });
    const impact = assessIncidentImpact(result, collection?.signals ?? [], config, edges);
    const notes = [...(options.repo ? [] : ["no --repo: no change history"]), ...collection.sources.flatMap((s) => s.notes.map((n) => `${s.source}: ${n}`))];
    return { text: redact(options.json ? JSON.stringify({ result, impact }, null, 2) : renderRca(result, { impact, windowNote: span.note, sources: collection.sources, notes, elapsedMs: Date.now() - started, syntax: "cli" })) };
  } finally {
    await pool.close();
  }
}

/** `insight rca`: prints the thread. */
export async function rca(options: RcaOptions): Promise<number> {
  const result = await runLocalRca(options);
  if ("error" in result) {
    err(`insight rca: ${result.error}`);
    return result.noData ? 1 : 2;
  }
  out(result.text);
  return 0;
}
