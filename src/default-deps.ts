import { signingKeys } from "./audit/signing-key.js";
import { createEvoMap } from "./capsule/setup.js";
import { createLlm } from "./llm/service.js";
import type { AppDeps } from "./app.js";
import type { OperatorEnv } from "./config/env.js";
import { HealthScheduler } from "./jobs/health-schedule.js";
import { parseDuration } from "./util/duration.js";
import { lazy } from "./util/lazy.js";
import type { InsightApp } from "./app.js";
import { ADAPTERS, loadSources } from "./signals/adapters/registry.js";
import { McpPool } from "./signals/mcp-pool.js";
import { createLogger } from "./security/logger.js";
import { openStores } from "./store/open-stores.js";

/**
 * The production wiring: shared state (PostgreSQL or files, see store/open-stores.ts), one MCP pool over the operator's servers (connected
 * lazily, closed on shutdown), and every processor and command handler this version ships.
 */
export async function defaultDeps(env: OperatorEnv): Promise<AppDeps> {
  const mcpServers = await loadSources(env.INSIGHT_MCP_CONFIG);
  const pool = Object.keys(mcpServers.mcpServers).length
    ? new McpPool(mcpServers, { log: createLogger({ level: env.LOG_LEVEL }) })
    : undefined;
  const keys = signingKeys(env);
  if (keys.source !== "INSIGHT_SIGNING_SECRET")
    createLogger({ level: env.LOG_LEVEL }).warn(
      { source: keys.source },
      "INSIGHT_SIGNING_SECRET is not set: fix states and audit checkpoints are signed with a key derived from another secret",
    );
  // Audit chain, fix state, outbox and dedupe: PostgreSQL with INSIGHT_DATABASE_URL, else files.
  const stores = await openStores(env, keys, { log: createLogger({ level: env.LOG_LEVEL }) });
  const audit = stores.audit;
  const remediation = { store: stores.fixStore, key: keys.fixState };
  const evomap = createEvoMap(env, audit, createLogger({ level: env.LOG_LEVEL }), stores.outbox);
  // The repository memory (incidents and changes): PostgreSQL with INSIGHT_DATABASE_URL, else a file per repository.
  const history = { store: stores.history };
  const services = { pool, mcpServers, adapters: ADAPTERS, evomap, llm: await createLlm(env), history };
  // Each job kind's and command's code loads on its first use (util/lazy.ts): start-up reads no analysis or renderer.
  const impact = lazy(async () => (await import("./jobs/processors/pr-impact.js")).createImpactProcessor(services));
  const intervalMs = env.INSIGHT_HEALTH_INTERVAL ? parseDuration(env.INSIGHT_HEALTH_INTERVAL) : undefined;
  let scheduler: HealthScheduler | undefined;
  const health = {
    ...services,
    windowMs: Math.min(intervalMs ?? 6 * 3_600_000, 24 * 3_600_000),
    nextScan: (id: number) => scheduler?.nextFor(id),
  };
  return {
    env,
    audit,
    stores,
    evomap,
    mcpServers,
    pool,
    healthScheduler: intervalMs
      ? (app) =>
          (scheduler = new HealthScheduler({
            intervalMs,
            jitter: env.INSIGHT_HEALTH_JITTER,
            queue: { enqueue: (job) => app.queue()!.enqueue(job) },
            targets: () => installationTargets(app),
            log: createLogger({ level: env.LOG_LEVEL }),
          }))
      : undefined,
    processors: {
      "pr-impact": impact,
      "ci-failure": lazy(async () => (await import("./jobs/processors/ci-failure.js")).ciFailureProcessor),
      health: lazy(async () => (await import("./jobs/processors/health.js")).createHealthProcessor(health)),
      "pr-merged": lazy(async () => (await import("./jobs/processors/pr-merged.js")).createPrMergedProcessor(remediation, evomap)),
      "fix-push": lazy(async () => (await import("./jobs/processors/fix-push.js")).revokeOnPush(remediation)),
      rca: lazy(async () => (await import("./jobs/processors/rca.js")).createRcaProcessor(services)),
      history: lazy(async () => (await import("./jobs/processors/history.js")).createHistoryProcessor(history)),
    },
    commands: {
      impact: lazy(async () => {
        const [c, ci] = await Promise.all([import("./commands/impact.js"), import("./jobs/processors/ci-failure.js")]);
        return c.impactCommand(impact, ci.refreshCiSection);
      }),
      rca: lazy(async () => (await import("./commands/rca.js")).rcaCommand(services)),
      postmortem: lazy(async () => (await import("./commands/postmortem.js")).postmortemCommand),
      fix: lazy(async () => (await import("./commands/fix.js")).fixCommand(services, remediation)),
      approve: lazy(async () => (await import("./commands/approve.js")).approveCommand(remediation)),
      reject: lazy(async () => (await import("./commands/reject.js")).rejectCommand(remediation)),
      rollback: lazy(async () => (await import("./commands/rollback.js")).rollbackCommand(services, remediation)),
      health: lazy(async () => (await import("./commands/health.js")).healthCommand(health)),
    },
  };
}

/** Every installation and the repositories it gives this App. */
async function installationTargets(app: InsightApp) {
  const octokit = await app.appAuth();
  const installations = await octokit.paginate(octokit.rest.apps.listInstallations, { per_page: 100 });
  const out = [];
  for (const i of installations) {
    const client = await app.auth(i.id);
    const repos = await client.paginate(client.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    out.push({ installationId: i.id, repos: repos.map((r) => ({ owner: r.owner.login, repo: r.name })) });
  }
  return out;
}
