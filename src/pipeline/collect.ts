import type { RepoConfig } from "../config/repo-config.js";
import { sourcesForRepo } from "../config/mcp-servers.js";
import { collectSignals, type CollectParams } from "../signals/collect.js";
import type { CollectionResult, Window } from "../signals/types.js";
import type { Services } from "./services.js";

/** The MCP servers a repository's analysis may read (all of them for the operator's own CLI, `repo` undefined). */
export function allowedSources(s: Services, repo: string | undefined): string[] {
  if (!s.pool) return [];
  return repo ? sourcesForRepo(s.mcpServers, repo).map(([n]) => n) : Object.keys(s.mcpServers.mcpServers);
}

/**
 * Reads the named services over the window from the sources this repository may read: the one
 * collection step of the impact, RCA and health pipelines. Undefined when there is no pool or no
 * allowed source (the pipeline says why in its own words).
 */
export async function collectAllowed(
  s: Services,
  p: { repo: string | undefined; services: string[]; config: RepoConfig; window: Window; log: CollectParams["log"]; baseline?: boolean },
): Promise<CollectionResult | undefined> {
  if (!s.pool || allowedSources(s, p.repo).length === 0) return undefined;
  return collectSignals({
    pool: s.pool,
    servers: s.mcpServers,
    adapters: s.adapters,
    repo: p.repo,
    services: p.services.map((name) => ({ name, config: p.config.services[name]! })),
    window: p.window,
    metrics: p.config.metrics,
    log: p.log,
    ...(p.baseline ? { baseline: true } : {}),
    onSource: s.onSource,
  });
}
