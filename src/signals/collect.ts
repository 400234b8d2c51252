import { sourceCollected } from "./observe.js";
import { setMaxListeners } from "node:events";
import type { Logger } from "probot";
import { sourcesForRepo, type McpServersConfig } from "../config/mcp-servers.js";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../config/repo-config.js";
import { DEFAULT_LIMITS, resolveTool, type Adapter, type AdapterContext, type Limits } from "./adapters/types.js";
import type { McpPool } from "./mcp-pool.js";
import { redact, redactDeep } from "../security/redact.js";
import { SourceClient } from "./source-client.js";
import type { ToolOutput } from "./tool-output.js";
import type { CollectionResult, ServiceTarget, Signal, SourceResult, Window } from "./types.js";
import { realTimers, type Timers } from "../core/timers.js";

export type CollectParams = {
  pool: McpPool;
  /** The operator's MCP servers file: one entry per source. */
  servers: McpServersConfig;
  adapters: ReadonlyMap<string, Adapter>;
  /** owner/repo: only the servers the operator allowed for it are read; undefined (the operator's own CLI) reads all. */
  repo: string | undefined;
  services: ServiceTarget[];
  window: Window;
  log: Logger;
  /** The repository's PromQL templates (defaults when it has no config). */
  metrics?: RepoConfig["metrics"];
  /** The budget's clock: real timers unless a test drives them. */
  timers?: Timers;
  /** Overall budget; defaults to the MCP servers file's `insight.budgetMs`. */
  budgetMs?: number;
  limits?: Partial<Limits>;
  /** Per-job cache of tool answers, shared by every collection of one job. */
  cache?: Map<string, Promise<ToolOutput>>;
  /** Only these sources (e.g. `insight signals --source`). */
  only?: string[];
  /** Told as each source settles (the CLI shows progress while servers start). */
  onSource?: (source: SourceResult) => void;
  /** Also read each RED metric's normal: the same time of day over the previous 7 days (PR impact's watch thresholds). */
  baseline?: boolean;
};

/**
 * Reads every allowed source in parallel. Each source gets the overall budget as its deadline
 * and each call its server's timeout, so a slow or dead source costs at most that and never
 * hides the others: it comes back as `error` with the reason, and the rest as they are.
 */
export async function collectSignals(params: CollectParams): Promise<CollectionResult> {
  const started = Date.now();
  const budgetMs = params.budgetMs ?? params.servers.insight.budgetMs;
  const limits = { ...DEFAULT_LIMITS, ...params.limits };
  const cache = params.cache ?? new Map();
  const allowed = params.repo === undefined ? Object.entries(params.servers.mcpServers) : sourcesForRepo(params.servers, params.repo);
  const sources = allowed.filter(([name]) => !params.only || params.only.includes(name));
  // What a source can provide comes from its adapter's declaration: analysis asks for "apm", never for an adapter by name.
  const withProvides = (r: Omit<SourceResult, "provides">): SourceResult => ({
    ...r,
    provides: params.adapters.get(r.adapter)?.provides ?? [],
  });
  const settled = await Promise.allSettled(
    sources.map(([name]) =>
      collectSource({ ...params, name, budgetMs, limits, cache }).then((r) => {
        const result = withProvides(r);
        params.onSource?.(result);
        return result;
      }),
    ),
  );
  const results = settled.map((s, i) =>
    s.status === "fulfilled"
      ? s.value
      : withProvides(failed(sources[i]![0], sources[i]![1].insight.adapter, String((s.reason as Error)?.message ?? s.reason), 0)),
  );
  for (const source of results) sourceCollected(source);
  return { window: params.window, sources: results, signals: results.flatMap((s) => s.signals), elapsedMs: Date.now() - started };
}

/** Source errors go into reports: one line, bounded. */
const oneLine = (message: string) => redact(message.replace(/\s+/g, " ").trim()).slice(0, 240);

function failed(
  source: string,
  adapter: SourceResult["adapter"],
  error: string,
  elapsedMs: number,
  flavour?: string,
): Omit<SourceResult, "provides"> {
  return { source, adapter, flavour, status: "error", signals: [], error: oneLine(error), notes: [], elapsedMs };
}

async function collectSource(
  p: CollectParams & { name: string; budgetMs: number; limits: Limits; cache: Map<string, Promise<ToolOutput>> },
): Promise<Omit<SourceResult, "provides">> {
  const started = Date.now();
  const server = p.servers.mcpServers[p.name]!;
  const kind = server.insight.adapter;
  const adapter = p.adapters.get(kind);
  if (!adapter)
    return { source: p.name, adapter: kind, status: "disabled", signals: [], error: `no adapter for ${kind}`, notes: [], elapsedMs: 0 };
  const controller = new AbortController();
  // Every call in flight listens on this one signal; an adapter may run dozens at once.
  setMaxListeners(256, controller.signal);
  const timers = p.timers ?? realTimers;
  let deadline: unknown;
  const expired = new Promise<never>((_, reject) => {
    deadline = timers.setTimeout(() => {
      const reason = new Error(`did not answer within the ${p.budgetMs} ms budget`);
      controller.abort(reason);
      reject(reason);
    }, p.budgetMs);
  });
  let flavourId: string | undefined;
  try {
    return await Promise.race([
      expired,
      (async (): Promise<Omit<SourceResult, "provides">> => {
        const connection = await p.pool.connection(p.name);
        const toolNames = connection.tools.map((t) => t.name);
        const flavour = adapter.flavours.find((f) => f.detect(toolNames, connection.server));
        if (!flavour) {
          const why = adapter.unsupported?.(toolNames) ?? `no known ${kind} server recognised (tools: ${toolNames.slice(0, 8).join(", ")})`;
          return { source: p.name, adapter: kind, status: "disabled", signals: [], error: why, notes: [], elapsedMs: Date.now() - started };
        }
        flavourId = flavour.id;
        const missing = flavour.required.filter((t) => !resolveTool(toolNames, t));
        if (missing.length) return failed(p.name, kind, `server lacks ${missing.join(", ")}`, Date.now() - started, flavour.id);
        const notes: string[] = [];
        let attempts = 0;
        const failures: string[] = [];
        const client = new SourceClient({
          pool: p.pool,
          source: p.name,
          flavour,
          tools: connection.tools,
          timeoutMs: server.insight.timeoutMs,
          maxBytes: p.limits.answerBytes,
          signal: controller.signal,
          cache: p.cache,
        });
        const ctx: AdapterContext = {
          client,
          flavour,
          source: p.name,
          services: p.services,
          window: p.window,
          limits: p.limits,
          metrics: p.metrics ?? DEFAULT_REPO_CONFIG.metrics,
          baseline: p.baseline,
          note: (text) => void notes.push(text),
          attempt: async (label, read) => {
            attempts++;
            try {
              return await read();
            } catch (err) {
              const message = oneLine(`${label}: ${(err as Error).message}`);
              failures.push(message);
              notes.push(message);
              return undefined;
            }
          },
        };
        const signals: Signal[] = await adapter.collect(ctx);
        const elapsedMs = Date.now() - started;
        if (attempts > 0 && failures.length === attempts) {
          return { ...failed(p.name, kind, failures[0]!, elapsedMs, flavour.id), notes: notes.slice(1) };
        }
        // Redacted here, as collected, before any analysis masks, templates or cuts the text (issue 15: redact first).
        const clean = signals.map((x) => (x.data ? { ...x, data: redactDeep(x.data) } : x));
        return {
          source: p.name,
          adapter: kind,
          flavour: flavour.id,
          status: signals.length ? "ok" : "no_data",
          signals: clean,
          notes: notes.map((n) => redact(n)),
          elapsedMs,
        };
      })(),
    ]);
  } catch (err) {
    p.log.warn({ source: p.name, err: redact((err as Error).message) }, "Signal source unavailable");
    return failed(p.name, kind, (err as Error).message, Date.now() - started, flavourId);
  } finally {
    timers.clearTimeout(deadline);
  }
}
