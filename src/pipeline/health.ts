import { sourceSummaries, type SourceSummary } from "../analysis/assess-impact.js";
import { scanHealth, type HealthScan } from "../analysis/health.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { CollectParams } from "../signals/collect.js";
import type { CollectionResult, Window } from "../signals/types.js";
import { allowedSources, collectAllowed } from "./collect.js";
import type { Services } from "./services.js";

export type HealthInput = {
  config: RepoConfig;
  /** `owner/repo`, which decides the MCP servers it may read; undefined for the operator's CLI (every configured server). */
  repo: string | undefined;
  /** The services to scan (already checked against the config; at least one). */
  services: string[];
  /** The span the trends are fitted over; its end is the time of the scan. */
  window: Window;
  /** Why nothing was read when no source is allowed (the app and the CLI say it differently). */
  noSourceNote: string;
  log: CollectParams["log"];
};

/** What a health scan found, and what made it thinner. */
export type HealthReport = {
  scan: HealthScan;
  collection: CollectionResult;
  sources: SourceSummary[];
  /** What could not be read: no allowed source, a source that failed or said why it had less; one line each. */
  notes: string[];
};

/**
 * A health scan, one step after the other: read the services' signals over the window from the
 * sources this repository may read, then find the trends, states and monitoring gaps (pure
 * `scanHealth`). The same for the scheduled scan, `/insight health` and `insight health`.
 */
export async function healthPipeline(s: Services, input: HealthInput): Promise<HealthReport> {
  const { window, log } = input;
  if (input.services.length === 0) throw new Error("healthPipeline: no service to scan");
  const unknown = input.services.filter((n) => !input.config.services[n]);
  if (unknown.length) throw new Error(`healthPipeline: ${unknown.join(", ")} is not a service of the repo config`);
  // The scan's table lists exactly the services asked for.
  const config: RepoConfig = {
    ...input.config,
    services: Object.fromEntries(input.services.map((n) => [n, input.config.services[n]!])),
  };
  const allowed = allowedSources(s, input.repo);
  const collection: CollectionResult = (await collectAllowed(s, { repo: input.repo, services: input.services, config, window, log })) ?? {
    window,
    sources: [],
    signals: [],
    elapsedMs: 0,
  };
  const scan = scanHealth({ collection, config, window });
  const notes = allowed.length
    ? collection.sources.flatMap((x) => [
        ...(x.status === "error" ? [`${x.source}: not read (${x.error ?? "error"})`] : []),
        ...x.notes.map((n) => `${x.source}: ${n}`),
      ])
    : [input.noSourceNote];
  return { scan, collection, sources: sourceSummaries(collection.sources), notes };
}
