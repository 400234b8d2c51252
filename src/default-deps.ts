import { signingKeys } from "./audit/signing-key.js";
import { createEvoMap } from "./capsule/setup.js";
import { createLlm } from "./llm/service.js";
import type { AppDeps } from "./app.js";
import { impactCommand } from "./commands/impact.js";
import { approveCommand } from "./commands/approve.js";
import { fixCommand } from "./commands/fix.js";
import { postmortemCommand } from "./commands/postmortem.js";
import { rejectCommand } from "./commands/reject.js";
import { rollbackCommand } from "./commands/rollback.js";
import type { OperatorEnv } from "./config/env.js";
import { createImpactProcessor } from "./jobs/processors/pr-impact.js";
import { ciFailureProcessor, refreshCiSection } from "./jobs/processors/ci-failure.js";
import { healthCommand } from "./commands/health.js";
import { createHealthProcessor } from "./jobs/processors/health.js";
import { HealthScheduler } from "./jobs/health-schedule.js";
import { parseDuration } from "./util/duration.js";
import type { InsightApp } from "./app.js";
import { createPrMergedProcessor } from "./jobs/processors/pr-merged.js";
import { rcaCommand } from "./commands/rca.js";
import { createRcaProcessor } from "./jobs/processors/rca.js";
import { revokeOnPush } from "./jobs/processors/fix-push.js";
import { ADAPTERS, loadSources } from "./signals/adapters/registry.js";
import { McpPool } from "./signals/mcp-pool.js";
import { createLogger } from "./security/logger.js";
import { openStores } from "./store/open-stores.js";
import { createHistoryProcessor } from "./jobs/processors/history.js";

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
  const impact = createImpactProcessor(services);
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
      "ci-failure": ciFailureProcessor,
      health: createHealthProcessor(health),
      "pr-merged": createPrMergedProcessor(remediation, evomap),
      "fix-push": revokeOnPush(remediation),
      rca: createRcaProcessor(services),
      history: createHistoryProcessor(history),
    },
    commands: {
      impact: impactCommand(impact, refreshCiSection),
      rca: rcaCommand(services),
      postmortem: postmortemCommand,
      fix: fixCommand(services, remediation),
      approve: approveCommand(remediation),
      reject: rejectCommand(remediation),
      rollback: rollbackCommand(services, remediation),
      health: healthCommand(health),
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
