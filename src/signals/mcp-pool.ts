import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import pLimit, { type LimitFunction } from "p-limit";
import type { Logger } from "probot";
import type { McpServerConfig, McpServersConfig } from "../config/mcp-servers.js";
import { realTimers, type Timers, timeoutSignal } from "../core/timers.js";

export type ToolInfo = {
  name: string;
  readOnly?: boolean;
  destructive?: boolean;
  description?: string;
  inputSchema?: { properties?: Record<string, unknown>; required?: string[] };
};
export type ServerInfo = { name?: string; version?: string };
export type Connection = { client: Client; tools: ToolInfo[]; server: ServerInfo };

/** Builds a transport for a server; tests pass one that returns in-memory transports. */
/** Builds the transport to one server (may load the SDK's transport module first, so it may be async). */
export type TransportFactory = (name: string, server: McpServerConfig) => Transport | Promise<Transport>;

/**
 * A server URL's `user:password@` moved into a Basic Authorization header: fetch refuses a URL with
 * credentials, and its error names the whole URL, password included, which then reached the log.
 * An Authorization header the operator set wins.
 */
export function credentialsToHeader(url: string, headers: Record<string, string> = {}): { url: URL; headers: Record<string, string> } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url: u, headers };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64");
  u.username = "";
  u.password = "";
  const set = Object.keys(headers).some((k) => k.toLowerCase() === "authorization");
  return { url: u, headers: set ? headers : { ...headers, Authorization: `Basic ${basic}` } };
}

/** The SDK's transports; loaded on the first connection, so a process that never reads a source does not load them at start. */
export const defaultTransport: TransportFactory = async (_name, server) => {
  if ("url" in server) {
    const { url, headers } = credentialsToHeader(server.url, server.headers);
    const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
    return new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  }
  const { getDefaultEnvironment, StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
  // The SDK passes only a few variables to the child; the server's own env is added explicitly.
  return new StdioClientTransport({
    command: server.command,
    args: server.args,
    env: { ...getDefaultEnvironment(), ...server.env },
    cwd: server.cwd,
    stderr: "ignore",
  });
};

/**
 * MCP clients for the operator's servers: started lazily, reused across jobs, started again after
 * one dies, closed on shutdown. Every call is bounded by a timeout and the caller's AbortSignal,
 * and at most `concurrency` calls are in flight per server.
 */
export class McpPool {
  readonly #config: McpServersConfig;
  readonly #log: Logger;
  readonly #transport: TransportFactory;
  readonly #connectTimeoutMs: number;
  readonly #timers: Timers;
  readonly #connections = new Map<string, Promise<Connection>>();
  readonly #limits = new Map<string, LimitFunction>();
  /** The last transport error per server, to explain a "Connection closed". */
  readonly #lastError = new Map<string, string>();

  constructor(
    config: McpServersConfig,
    options: { log: Logger; transport?: TransportFactory; connectTimeoutMs?: number; timers?: Timers },
  ) {
    this.#config = config;
    this.#log = options.log;
    this.#transport = options.transport ?? defaultTransport;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.#timers = options.timers ?? realTimers;
  }

  server(name: string): McpServerConfig {
    const server = this.#config.mcpServers[name];
    if (!server) throw new Error(`no MCP server named ${name}`);
    return server;
  }

  /** The live connection to `name`, connecting (or reconnecting) as needed. */
  connection(name: string): Promise<Connection> {
    let pending = this.#connections.get(name);
    if (!pending) {
      pending = this.#connect(name);
      this.#connections.set(name, pending);
      // A failed connect is forgotten so that the next job tries again.
      pending.catch(() => this.#connections.delete(name));
    }
    return pending;
  }

  async callTool(
    name: string,
    tool: string,
    args: Record<string, unknown>,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<unknown> {
    const server = this.server(name);
    let limit = this.#limits.get(name);
    if (!limit) this.#limits.set(name, (limit = pLimit(server.insight.concurrency)));
    return limit(async () => {
      options.signal?.throwIfAborted();
      const { client } = await this.connection(name);
      try {
        return await client.callTool({ name: tool, arguments: args }, undefined, { timeout: options.timeoutMs, signal: options.signal });
      } catch (err) {
        const cause = this.#lastError.get(name);
        if (cause && /connection closed/i.test((err as Error).message)) throw new Error(`${(err as Error).message}: ${cause}`);
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    const all = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.allSettled(all.map(async (p) => (await p).client.close()));
  }

  async #connect(name: string): Promise<Connection> {
    const server = this.server(name);
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    const client = new Client({ name: "devops-insight", version: "0.1.0" });
    const transport = await this.#transport(name, server);
    this.#lastError.delete(name);
    client.onerror = (err) => void this.#lastError.set(name, err.message);
    client.onclose = () => {
      // The server went away (crash, exit): drop it so the next call starts it again.
      this.#connections.delete(name);
      this.#log.debug({ server: name }, "MCP server connection closed");
    };
    try {
      const deadline = timeoutSignal(this.#connectTimeoutMs, this.#timers);
      await client.connect(transport, { signal: deadline }).catch((err: unknown) => {
        throw deadline.aborted ? new Error(`connecting to ${name} timed out after ${this.#connectTimeoutMs} ms`) : err;
      });
      const listed = await client.listTools(undefined, { timeout: this.#connectTimeoutMs });
      const tools = listed.tools.map((t) => ({
        name: t.name,
        readOnly: t.annotations?.readOnlyHint,
        destructive: t.annotations?.destructiveHint,
        description: t.description,
        inputSchema: { properties: t.inputSchema.properties as Record<string, unknown> | undefined, required: t.inputSchema.required },
      }));
      const version = client.getServerVersion();
      this.#log.debug({ server: name, tools: tools.length }, "MCP server connected");
      return { client, tools, server: { name: version?.name, version: version?.version } };
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
  }
}
