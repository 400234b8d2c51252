import type { EvoMapServices } from "../capsule/services.js";
import type { McpServersConfig } from "../config/mcp-servers.js";
import type { HistoryServices } from "../history/service.js";
import type { LlmServices } from "../llm/service.js";
import type { Adapter } from "../signals/adapters/types.js";
import type { CollectParams } from "../signals/collect.js";
import type { McpPool } from "../signals/mcp-pool.js";

/**
 * The outside services a pipeline may use, built once at start (`createApp`, the CLI): the MCP
 * pool and what it may read, and the optional EvoMap and model services. Absent means "not
 * configured": the pipeline says so in its report instead of failing.
 */
export type Services = {
  pool?: McpPool;
  mcpServers: McpServersConfig;
  adapters: ReadonlyMap<string, Adapter>;
  evomap?: EvoMapServices;
  llm?: LlmServices;
  /** Hears each source as it answers (the CLI's progress lines). */
  onSource?: CollectParams["onSource"];
  /** The repository's change and incident record (history/), when the operator keeps one. */
  history?: HistoryServices;
};
