import { SAFE_VALUE } from "../config/repo-config.js";
import { sourcesForRepo, type McpServersConfig } from "../config/mcp-servers.js";
import { resolveTool, type Adapter } from "../signals/adapters/types.js";
import type { McpPool } from "../signals/mcp-pool.js";
import { SourceClient } from "../signals/source-client.js";
import type { ToolOutput } from "../signals/tool-output.js";
import type { AgentTool } from "./agent.js";
import { checkScope, hasPolicy, type IncidentScope } from "./tool-scope.js";

/**
 * Tools that take a query language (SQL, PromQL, Cypher, ES|QL, MQE, search DSL): the model never
 * writes queries. It reads the signals Insight already collected (`get_evidence`) and the list,
 * log and status tools below, whose arguments are plain names.
 */
const QUERY_TOOLS = new Set([
  "execute_sql",
  "query",
  "queryRange",
  "prometheus_query",
  "prometheus_query_range",
  "execute_query",
  "execute_range_query",
  "execute_mqe_expression",
  "read_neo4j_cypher",
  "read-cypher",
  "esql",
  "platform.core.execute_esql",
  "search",
]);

const ANSWER_BYTES = 256 * 1024;

/** Arguments the model may pass: names and numbers only; anything else is refused before the server sees it. */
export function checkArguments(input: unknown): Record<string, string | number | boolean> {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input)) throw new Error("arguments must be an object");
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(input)) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(k)) throw new Error(`refused argument name ${JSON.stringify(k.slice(0, 40))}`);
    if (typeof v === "number" && Number.isFinite(v) && Math.abs(v) <= 1e6) out[k] = v;
    else if (typeof v === "boolean") out[k] = v;
    else if (typeof v === "string" && SAFE_VALUE.test(v)) out[k] = v;
    else throw new Error(`refused argument ${k}: only names of letters, digits and _ . : / - and plain numbers are allowed`);
  }
  return out;
}

/**
 * The read-only MCP tools the model may call for a repository: each allowed server's allowlisted
 * tools that have a scope policy (tool-scope.ts; never the query-language ones), named
 * `<source>__<tool>`. Every call is checked against the incident's scope (namespaces, services,
 * kinds) before the server sees it, then goes through the same SourceClient as the adapters
 * (allowlist, destructive-annotation refusal, timeout, size cap).
 */
export async function mcpAgentTools(params: {
  pool: McpPool;
  mcpServers: McpServersConfig;
  adapters: ReadonlyMap<string, Adapter>;
  repo: string;
  scope: IncidentScope;
  signal: AbortSignal;
}): Promise<AgentTool[]> {
  const out: AgentTool[] = [];
  const cache = new Map<string, Promise<ToolOutput>>();
  for (const [source, server] of sourcesForRepo(params.mcpServers, params.repo)) {
    const adapter = params.adapters.get(server.insight.adapter);
    let connection;
    try {
      connection = await params.pool.connection(source);
    } catch {
      continue; // an unreachable source offers no tools; the report already says it failed
    }
    const names = connection.tools.map((t) => t.name);
    const flavour = adapter?.flavours.find((f) => f.detect(names, connection.server));
    if (!flavour) continue;
    const client = new SourceClient({
      pool: params.pool,
      source,
      flavour,
      tools: connection.tools,
      timeoutMs: server.insight.timeoutMs,
      maxBytes: ANSWER_BYTES,
      signal: params.signal,
      cache,
    });
    for (const canonical of flavour.tools.filter((t) => !QUERY_TOOLS.has(t) && hasPolicy(t))) {
      const real = resolveTool(names, canonical);
      const info = connection.tools.find((t) => t.name === real);
      if (!info || info.destructive === true) continue;
      out.push({
        name: `${source}__${canonical}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64),
        description: `${server.insight.adapter} (${flavour.id}), read-only: ${(info.description ?? canonical).slice(0, 300)}`,
        inputSchema: {
          properties: (info.inputSchema?.properties as Record<string, unknown> | undefined) ?? {},
          ...(info.inputSchema?.required ? { required: info.inputSchema.required } : {}),
        },
        run: async (input) => {
          const args = checkArguments(input);
          checkScope(canonical, args, params.scope);
          const result = await client.call(canonical, args);
          return result.structured !== undefined && result.texts.length === 0 ? JSON.stringify(result.structured) : result.texts.join("\n");
        },
      });
    }
  }
  return out;
}

/** Hosts of the repository's HTTP sources: links into them may stay in the model's text. */
export function sourceLinkHosts(mcpServers: McpServersConfig, repo: string): string[] {
  return sourcesForRepo(mcpServers, repo).flatMap(([, server]) => ("url" in server ? [new URL(server.url).hostname.toLowerCase()] : []));
}
