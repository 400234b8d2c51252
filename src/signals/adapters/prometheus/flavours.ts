import { hasTools, type Flavour } from "../types.js";
import { replyOf, ToolFailure, type ToolOutput } from "../../tool-output.js";
import { queryAnswer, type PromSample } from "./schema.js";
import type { SourceClient } from "../../source-client.js";
import type { Window } from "../../types.js";

export type { PromSample };
export type PromData = { resultType: string; result: PromSample[] };

/** How a flavour makes the two queries Insight needs from a Prometheus MCP server. */
export type PromQueries = {
  instant(client: SourceClient, query: string): Promise<PromData>;
  range(client: SourceClient, query: string, window: Window, stepSeconds: number): Promise<PromData>;
};

/** The three answer shapes: `{resultType,result}`, `{data:{…},status}`, and with `links`. */
function unwrap(output: ToolOutput, tool: string): PromData {
  const body = replyOf(output, tool, queryAnswer);
  if (body.status === "error")
    throw new ToolFailure(("error" in body && typeof body.error === "string" ? body.error : undefined) ?? `${tool} failed`, tool);
  const data =
    "data" in body && body.data && typeof body.data === "object" && "result" in body.data ? (body.data as PromData) : (body as PromData);
  if (!Array.isArray(data.result)) throw new ToolFailure(`${tool} answered without a result array`, tool);
  return { resultType: data.resultType ?? "vector", result: data.result };
}

const secs = (ms: number) => String(Math.floor(ms / 1000));

export const FLAVOURS: Array<Flavour & { queries: PromQueries }> = [
  {
    id: "prometheus-mcp",
    detect: (tools) => hasTools(tools, "prometheus_query", "prometheus_query_range"),
    tools: ["prometheus_query", "prometheus_query_range", "prometheus_list_targets"],
    required: ["prometheus_query"],
    queries: {
      instant: async (c, query) => unwrap(await c.call("prometheus_query", { query }), "prometheus_query"),
      range: async (c, query, w, step) =>
        unwrap(
          await c.call("prometheus_query_range", { query, start: secs(w.from), end: secs(w.to), step: `${step}s` }),
          "prometheus_query_range",
        ),
    },
  },
  {
    id: "mcp-prometheus",
    detect: (tools) => hasTools(tools, "queryRange", "getRules"),
    tools: ["query", "queryRange", "getRules", "getTargets"],
    required: ["query"],
    queries: {
      instant: async (c, promql) => unwrap(await c.call("query", { promql }), "query"),
      // This server only knows "the last <duration>": ask from the window's start until now and
      // keep the window's points.
      range: async (c, promql, w, step) => {
        const minutes = Math.max(1, Math.ceil((Date.now() - w.from) / 60_000));
        const data = unwrap(await c.call("queryRange", { promql, duration: `${minutes}m`, step: `${step}s` }), "queryRange");
        const inWindow = (t: number) => t * 1000 >= w.from && t * 1000 <= w.to;
        return { ...data, result: data.result.map((s) => ({ ...s, values: (s.values ?? []).filter(([t]) => inWindow(t)) })) };
      },
    },
  },
  {
    id: "prometheus-mcp-server",
    detect: (tools) => hasTools(tools, "execute_query"),
    tools: ["execute_query", "execute_range_query", "get_targets"],
    required: ["execute_query"],
    queries: {
      instant: async (c, query) => unwrap(await c.call("execute_query", { query }), "execute_query"),
      range: async (c, query, w, step) =>
        unwrap(
          await c.call("execute_range_query", { query, start: secs(w.from), end: secs(w.to), step: `${step}s` }),
          "execute_range_query",
        ),
    },
  },
];
