import { incidentWindow } from "../analysis/incident-window.js";
import { localChangeHistory } from "../changes/local-history.js";
import { rcaPipeline } from "../pipeline/rca.js";
import type { Services } from "../pipeline/services.js";
import { renderRca } from "../render/rca.js";
import { localSetup, withLocalServices, type LocalResult } from "./local-run.js";
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
export async function runLocalRca(options: RcaOptions): Promise<LocalResult> {
  const started = Date.now();
  const setup = await localSetup({ ...options, root: options.repo ?? options.root ?? "." });
  if ("error" in setup) return setup;
  const { mcpServers, config, names } = setup;
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
  const repo = options.repo;
  return withLocalServices(mcpServers, options.onSource, async (services, log) => {
    const report = await rcaPipeline(services, {
      config,
      repo: undefined,
      services: names,
      span,
      history: repo
        ? async (window) => ({ changes: await localChangeHistory(repo, window, config), notes: [] })
        : async () => ({ changes: [], notes: ["no --repo: no change history"] }),
      noSourceNote: "no MCP servers configured",
      log,
    });
    const { result, impact } = report;
    return options.json
      ? JSON.stringify({ result, impact }, null, 2)
      : renderRca(result, {
          impact,
          windowNote: span.note,
          sources: report.sources,
          notes: report.notes,
          elapsedMs: Date.now() - started,
          syntax: "cli",
        });
  });
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
