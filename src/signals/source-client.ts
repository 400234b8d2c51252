import { canonicalJson } from "../util/canonical-json.js";
import { resolveTool, type Flavour } from "./adapters/types.js";
import type { McpPool, ToolInfo } from "./mcp-pool.js";
import { toToolOutput, ToolFailure, type ToolOutput } from "./tool-output.js";

/** A tool that is not on the adapter's read-only allowlist; never sent to the server. */
export class ToolRefusedError extends Error {
  constructor(source: string, tool: string, why: string) {
    super(`refused to call ${tool} on ${source}: ${why}`);
    this.name = "ToolRefusedError";
  }
}

/**
 * The only way an adapter reaches a server: each call must name a tool on the flavour's
 * read-only allowlist, a tool the server itself marks destructive is refused, every answer is
 * size-checked, and identical calls within a job are answered from the job's cache.
 */
export class SourceClient {
  constructor(
    private readonly params: {
      pool: McpPool;
      source: string;
      flavour: Flavour;
      tools: ToolInfo[];
      timeoutMs: number;
      maxBytes: number;
      signal: AbortSignal;
      cache: Map<string, Promise<ToolOutput>>;
    },
  ) {}

  async call(canonical: string, args: Record<string, unknown>): Promise<ToolOutput> {
    const { pool, source, flavour, tools, timeoutMs, maxBytes, signal, cache } = this.params;
    if (!flavour.tools.includes(canonical)) throw new ToolRefusedError(source, canonical, "not on the read-only allowlist");
    const name = resolveTool(
      tools.map((t) => t.name),
      canonical,
    );
    if (!name) throw new ToolFailure(`${source} has no tool ${canonical}`, canonical);
    const info = tools.find((t) => t.name === name)!;
    if (info.destructive === true) throw new ToolRefusedError(source, name, "the server marks it destructive");
    const key = `${source}|${name}|${canonicalJson(args)}`;
    let pending = cache.get(key);
    if (!pending) {
      pending = pool.callTool(source, name, args, { timeoutMs, signal }).then((raw) => toToolOutput(name, raw, maxBytes));
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return pending;
  }
}
