import { FileAuditLog } from "./audit/file-audit-log.js";
import type { AppDeps } from "./app.js";
import type { OperatorEnv } from "./config/env.js";
import { loadMcpServers } from "./config/mcp-servers.js";

/**
 * The production wiring: audit log on disk, the operator's MCP servers, and every processor and
 * command handler this version ships. Analysis processors are registered here as they land.
 */
export async function defaultDeps(env: OperatorEnv): Promise<AppDeps> {
  return {
    env,
    audit: new FileAuditLog(env.auditPath),
    mcpServers: await loadMcpServers(env.INSIGHT_MCP_CONFIG),
    processors: {},
    commands: {},
  };
}
