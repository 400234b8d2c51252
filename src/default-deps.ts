import pino from "pino";
import { FileAuditLog } from "./audit/file-audit-log.js";
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
import { loadMcpServers } from "./config/mcp-servers.js";
import { createImpactProcessor } from "./jobs/processors/pr-impact.js";
import { ciFailureProcessor } from "./jobs/processors/ci-failure.js";
import { createPrMergedProcessor } from "./jobs/processors/pr-merged.js";
import { createRcaProcessor, rcaCommand } from "./jobs/processors/rca.js";
import { ADAPTERS } from "./signals/adapters/registry.js";
import { McpPool } from "./signals/mcp-pool.js";

/**
 * The production wiring: audit log on disk, one MCP pool over the operator's servers (connected
 * lazily, closed on shutdown), and every processor and command handler this version ships.
 */
export async function defaultDeps(env: OperatorEnv): Promise<AppDeps> {
  const mcpServers = await loadMcpServers(env.INSIGHT_MCP_CONFIG);
  const pool = Object.keys(mcpServers.mcpServers).length ? new McpPool(mcpServers, { log: pino({ level: env.LOG_LEVEL }) }) : undefined;
  const audit = new FileAuditLog(env.auditPath);
  const evomap = createEvoMap(env, audit, pino({ level: env.LOG_LEVEL }));
  const services = { pool, mcpServers, adapters: ADAPTERS, evomap, llm: createLlm(env) };
  const impact = createImpactProcessor(services);
  return {
    env,
    audit,
    evomap,
    mcpServers,
    pool,
    processors: { "pr-impact": impact, "ci-failure": ciFailureProcessor, "pr-merged": createPrMergedProcessor(evomap), rca: createRcaProcessor(services) },
    commands: { impact: impactCommand(impact), rca: rcaCommand(services), postmortem: postmortemCommand, fix: fixCommand(services), approve: approveCommand, reject: rejectCommand, rollback: rollbackCommand(services) },
  };
}
