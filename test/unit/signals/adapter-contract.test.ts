import { afterEach, describe, expect, it } from "@jest/globals";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { z } from "zod";
import { ADAPTER_KINDS, ADAPTERS, parseSources, registry } from "../../../src/signals/adapters/registry.js";
import { hasTools, type Adapter } from "../../../src/signals/adapters/types.js";
import { SIGNAL } from "../../../src/signals/catalog.js";
import { collectSignals } from "../../../src/signals/collect.js";
import { McpPool } from "../../../src/signals/mcp-pool.js";
import { replyOf } from "../../../src/signals/tool-output.js";
import { assessImpact } from "../../../src/analysis/assess-impact.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import { silent } from "../../helpers/collect.js";

/** A whole adapter in a few lines, as a new `signals/adapters/<id>/` folder would hold it. */
const gaugeReply = z.looseObject({ gauge: z.number(), unit: z.string().optional() });
const tinyAdapter: Adapter = {
  id: "tiny",
  provides: ["apm"],
  flavours: [{ id: "tiny-mcp", detect: (tools) => hasTools(tools, "read_gauge"), tools: ["read_gauge"], required: ["read_gauge"] }],
  async collect(ctx) {
    const reply = replyOf(await ctx.client.call("read_gauge", {}), "read_gauge", gaugeReply);
    return ctx.services.map((s) => ({
      id: `${ctx.source}:tiny:${s.name}`,
      source: ctx.source,
      adapter: "tiny",
      kind: "metric" as const,
      service: s.name,
      name: SIGNAL.apmSla,
      value: reply.gauge,
      unit: reply.unit,
      query: "read_gauge",
    }));
  },
};

/** A tiny MCP server answering `answer` to read_gauge. */
function tinyServer(answer: unknown) {
  return () => {
    const server = new McpServer({ name: "tiny", version: "1.0.0" });
    server.registerTool("read_gauge", { description: "gauge", annotations: { readOnlyHint: true } }, async () => ({
      content: [{ type: "text", text: JSON.stringify(answer) }],
    }));
    const [client, serverSide] = InMemoryTransport.createLinkedPair();
    void server.connect(serverSide);
    return client;
  };
}

const pools: McpPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

const config = repoConfigSchema.parse({ services: { api: { paths: ["api/**"] } } });
const window = { from: 0, to: 60_000 };

async function collectTiny(answer: unknown) {
  const adapters = registry([...ADAPTERS.values(), tinyAdapter]);
  const mcpServers = parseSources(
    { mcpServers: { gauges: { command: "tiny", insight: { adapter: "tiny", repositories: ["acme/*"] } } } },
    "test",
    adapters,
  );
  const pool = new McpPool(mcpServers, { log: silent, transport: tinyServer(answer) });
  pools.push(pool);
  return collectSignals({
    pool,
    servers: mcpServers,
    adapters,
    repo: "acme/api",
    services: [{ name: "api", config: config.services.api! }],
    window,
    log: silent,
  });
}

describe("the adapter contract: a new adapter is its folder and one registry line", () => {
  it("derives the known adapter ids from the registry", () => {
    expect([...ADAPTER_KINDS].sort()).toEqual(["elasticsearch", "kubernetes", "neo4j", "postgres", "prometheus", "redis", "skywalking"]);
    for (const adapter of ADAPTERS.values()) expect(adapter.provides.length).toBeGreaterThan(0);
  });

  it("refuses a server naming an adapter the registry does not have, saying which", () => {
    expect(() =>
      parseSources({ mcpServers: { g: { command: "x", insight: { adapter: "tiny", repositories: ["acme/*"] } } } }, "test"),
    ).toThrow(/mcpServers\.g\.insight\.adapter → no adapter "tiny" \(known: prometheus, postgres/);
  });

  it("collects through a registered tiny adapter, and analysis sees what it provides, not its name", async () => {
    const result = await collectTiny({ gauge: 0.97, unit: "ratio" });
    expect(result.sources).toEqual([
      expect.objectContaining({ source: "gauges", adapter: "tiny", flavour: "tiny-mcp", status: "ok", provides: ["apm"] }),
    ]);
    expect(result.signals.map((s) => [s.name, s.service, s.value])).toEqual([["apm.sla", "api", 0.97]]);
    const assessment = assessImpact({
      changes: {
        ref: "t",
        base: { ref: "main", sha: "a" },
        head: { ref: "x", sha: "b" },
        files: [{ path: "api/x.ts", status: "modified", additions: 1, deletions: 0 }],
        filesNotListed: 0,
        changedFiles: 1,
      },
      config,
      collection: result,
    });
    // The tiny adapter declares "apm": no "no APM" monitoring gap for api.
    expect(assessment.gaps.map((g) => g.gap).join("\n")).not.toMatch(/trace|APM/i);
  });

  it("reports a reply of the wrong shape as an unreadable source naming the field, without crashing", async () => {
    const result = await collectTiny({ gauge: "high" });
    expect(result.sources).toEqual([expect.objectContaining({ source: "gauges", status: "error" })]);
    expect(result.sources[0]!.error).toMatch(/read_gauge answered an unexpected shape: gauge → .*number/);
  });
});
