import { basename } from "node:path";
import { healthPipeline } from "../pipeline/health.js";
import type { Services } from "../pipeline/services.js";
import { renderHealth } from "../render/health.js";
import { parseDuration } from "../util/duration.js";
import { localSetup, withLocalServices, type LocalResult } from "./local-run.js";
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
export async function runLocalHealth(options: HealthOptions): Promise<LocalResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const setup = await localSetup({ ...options, root: options.repo ?? "." });
  if ("error" in setup) return setup;
  const { mcpServers, config, names } = setup;
  if (names.length === 0)
    return { error: "no service to scan: the repo config maps none (give --config <file> or run it in a repository)" };
  let span: number;
  try {
    span = parseDuration(options.since ?? "6h");
  } catch (e) {
    return { error: `--since: ${(e as Error).message}` };
  }
  if (span > MAX_WINDOW_MS) return { error: `--since ${options.since} is longer than the 24h a health scan looks back` };
  return withLocalServices(mcpServers, options.onSource, async (services, log) => {
    const report = await healthPipeline(services, {
      config,
      repo: undefined,
      services: names,
      window: { from: started - span, to: started },
      noSourceNote: "no MCP servers configured",
      log,
    });
    return options.json
      ? JSON.stringify({ scan: report.scan, sources: report.sources, notes: report.notes }, null, 2)
      : renderHealth(report.scan, {
          repo: basename(options.repo ?? ".") || "local",
          previousKeys: undefined,
          sources: report.sources,
          notes: report.notes,
          elapsedMs: now() - started,
          syntax: "cli",
        });
  });
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
