import type { McpServerConfig } from "../config/mcp-servers.js";
import type { Adapter } from "./adapters/types.js";
import { resolveTool } from "./adapters/types.js";
import type { McpPool } from "./mcp-pool.js";

export type SourceInspection = {
  source: string;
  adapter: string;
  reachable: boolean;
  server?: string;
  flavour?: string;
  /** Tools the adapter would call, and which of them the server lacks. */
  toolsUsed: string[];
  missing: string[];
  /** Tools the server offers that write or destroy; Insight never calls them. */
  writeTools: string[];
  problem?: string;
  warnings: string[];
};

const WRITE_NAME =
  /(^|[_.-])(delete|create|apply|patch|scale|exec|write|set|drop|run|rollout|install|upgrade|uninstall|cleanup|cordon|drain)/i;

/** What `insight doctor` says about one source: reachable, flavour, tools, read-only mode. */
export async function inspectSource(
  pool: McpPool,
  name: string,
  server: McpServerConfig,
  adapters: ReadonlyMap<string, Adapter>,
): Promise<SourceInspection> {
  const adapter = adapters.get(server.insight.adapter)!;
  const base = { source: name, adapter: server.insight.adapter, toolsUsed: [], missing: [], writeTools: [], warnings: [] };
  let connection;
  try {
    connection = await pool.connection(name);
  } catch (err) {
    return { ...base, reachable: false, problem: (err as Error).message.replace(/\s+/g, " ").slice(0, 200) };
  }
  const names = connection.tools.map((t) => t.name);
  const writeTools = connection.tools
    .filter((t) => t.destructive === true || t.readOnly === false || (t.readOnly === undefined && WRITE_NAME.test(t.name)))
    .map((t) => t.name);
  const server_ = [connection.server.name, connection.server.version].filter(Boolean).join(" ");
  const flavour = adapter.flavours.find((f) => f.detect(names, connection.server));
  if (!flavour) {
    return {
      ...base,
      reachable: true,
      server: server_,
      writeTools,
      problem: adapter.unsupported?.(names) ?? `no known ${adapter.id} server recognised`,
    };
  }
  const toolsUsed = flavour.tools.map((t) => resolveTool(names, t) ?? t);
  const missing = flavour.tools.filter((t) => !resolveTool(names, t));
  const warnings: string[] = [];
  if (writeTools.length)
    warnings.push(
      `offers write tools (${writeTools.slice(0, 5).join(", ")}${writeTools.length > 5 ? ", …" : ""}): start it read-only; Insight never calls them`,
    );
  if (flavour.id === "server-postgres")
    warnings.push("its read-only transaction can be escaped: connect it with a read-only database role");
  const requiredMissing = flavour.required.filter((t) => missing.includes(t));
  return {
    ...base,
    reachable: true,
    server: server_,
    flavour: flavour.id,
    toolsUsed,
    missing,
    writeTools,
    warnings,
    ...(requiredMissing.length ? { problem: `lacks ${requiredMissing.join(", ")}` } : {}),
  };
}
