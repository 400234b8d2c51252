import { afterEach, describe, expect, it } from "@jest/globals";
import type { Scenario } from "../../../fixtures/mcp/scenario.js";
import { services as toServices, collector } from "../../helpers/collect.js";
import { fixtureTransport } from "../../helpers/fixture-pool.js";
import { production, productionServices } from "../../helpers/scenario.js";
import { promSelector, safe } from "../../../src/signals/safe-values.js";
import { SourceClient, ToolRefusedError } from "../../../src/signals/source-client.js";
import { McpPool, type TransportFactory } from "../../../src/signals/mcp-pool.js";
import { parseMcpServers } from "../../../src/config/mcp-servers.js";
import { silent } from "../../helpers/collect.js";
import { ManualTimers } from "../../helpers/manual-timers.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";

const NOW = Date.parse(production.now!);
const window = { from: NOW - 30 * 60_000, to: NOW };
const svc = toServices(productionServices);
let pools: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});

/**
 * Seven sources, one of which (db) misbehaves as `faults` says. Only db has a short call timeout:
 * a hang always ends at it, and the healthy six have time enough on a loaded machine, so the
 * outcome never depends on how fast the machine is.
 */
function sevenSources(faulty: Scenario["faults"], budgetMs = 120_000, timeoutMs = 60_000, dbTimeoutMs = 1_000) {
  const flavours = {
    metrics: "prometheus-mcp",
    db: "dbhub",
    cache: "redis-mcp-server",
    k8s: "kubernetes-mcp-server",
    logs: "elasticsearch-0.3",
    apm: "skywalking-mcp",
    graph: "mcp-neo4j-cypher",
  };
  const adapters = {
    metrics: "prometheus",
    db: "postgres",
    cache: "redis",
    k8s: "kubernetes",
    logs: "elasticsearch",
    apm: "skywalking",
    graph: "neo4j",
  };
  const counters = { starts: 0 };
  const bad: Scenario = { ...production, faults: faulty };
  const healthy = fixtureTransport(flavours, production, counters);
  const broken = fixtureTransport(flavours, bad, counters);
  const transport: TransportFactory = (name, server) => (name === "db" ? broken : healthy)(name, server);
  const c = collector(
    Object.fromEntries(
      Object.entries(adapters).map(([n, a]) => [
        n,
        { command: "fixture", insight: { adapter: a, timeoutMs: n === "db" ? dbTimeoutMs : timeoutMs } },
      ]),
    ),
    { transport, budgetMs },
  );
  pools.push(c.pool);
  return { ...c, counters, run: () => c.collect(svc, 30, { window }) };
}

describe("a misbehaving source makes the report thinner, never absent", () => {
  // Seven fixture servers per test, one answering 10 MB.
  useE2eTimeout();
  it.each([
    ["hangs", { execute_sql: { hang: true } }, /timed out|budget/i],
    ["crashes mid-call", { execute_sql: { crash: true } }, /closed|connection/i],
    ["answers malformed output", { execute_sql: { garbage: true } }, /Invalid tools\/call result: \[ \{ "expected": "array"/],
    ["answers 10 MB", { execute_sql: { bytes: 10 * 1024 * 1024 } }, /10\.0 MB, over the 2\.0 MB cap/],
    ["throws -32603", { execute_sql: { throw: "database is on fire" } }, /database is on fire/],
  ])("when the database server %s", async (_what, faults, reason) => {
    const { run } = sevenSources(faults);
    const result = await run();
    const db = result.sources.find((s) => s.source === "db")!;
    expect(db.status).toBe("error");
    expect(db.error).toMatch(reason);
    expect(result.sources.filter((s) => s.source !== "db").map((s) => s.status)).toEqual(Array(6).fill("ok"));
  });

  it("gives up on a source at the collection budget, on the budget's clock (no wall-clock wait)", async () => {
    const timers = new ManualTimers();
    const { collect } = sevenSources({ execute_sql: { hang: true } }, 3_000, 60_000, 60_000);
    const pending = collect(svc, 30, { window, only: ["db"], timers });
    // The budget's timer is armed as the collection starts; firing it ends the hanging read.
    timers.advance(3_000);
    const result = await pending;
    expect(result.sources.map((s) => [s.source, s.status, s.error])).toEqual([["db", "error", "did not answer within the 3000 ms budget"]]);
    expect(timers.size).toBe(0);
  });

  it("starts a crashed server again on the next job", async () => {
    const { run, counters, pool } = sevenSources({ execute_sql: { crash: true } });
    await run();
    const before = counters.starts;
    const connection = await pool.connection("db");
    expect(connection.tools.map((t) => t.name)).toContain("execute_sql");
    expect(counters.starts).toBe(before + 1);
  });

  it("reuses a healthy server across jobs", async () => {
    const { run, counters } = sevenSources({});
    await run();
    await run();
    expect(counters.starts).toBe(7);
  });
});

describe("read-only enforcement", () => {
  it("refuses a write tool even where the server offers it", async () => {
    const config = parseMcpServers({ mcpServers: { k8s: { command: "x", insight: { adapter: "kubernetes", repositories: ["*/*"] } } } });
    const pool = new McpPool(config, { log: silent, transport: fixtureTransport({ k8s: "mcp-server-kubernetes-rw" }, production) });
    pools.push(pool);
    const { kubernetesAdapter } = await import("../../../src/signals/adapters/kubernetes/index.js");
    const connection = await pool.connection("k8s");
    expect(connection.tools.map((t) => t.name)).toContain("kubectl_delete");
    const flavour = kubernetesAdapter.flavours.find((f) => f.id === "mcp-server-kubernetes")!;
    const client = new SourceClient({
      pool,
      source: "k8s",
      flavour,
      tools: connection.tools,
      timeoutMs: 1000,
      maxBytes: 1e6,
      signal: new AbortController().signal,
      cache: new Map(),
    });
    await expect(client.call("kubectl_delete", { resourceType: "pod", name: "api" })).rejects.toBeInstanceOf(ToolRefusedError);
    await expect(client.call("exec_in_pod", { name: "api", command: ["sh"] })).rejects.toThrow(/not on the read-only allowlist/);
  });

  it("refuses a tool the server itself marks destructive, even when its name is allowlisted", async () => {
    const config = parseMcpServers({ mcpServers: { g: { command: "x", insight: { adapter: "neo4j", repositories: ["*/*"] } } } });
    const pool = new McpPool(config, { log: silent, transport: fixtureTransport({ g: "mcp-neo4j-cypher" }, production) });
    pools.push(pool);
    const connection = await pool.connection("g");
    const flavour = { id: "x", detect: () => true, tools: ["write_neo4j_cypher"], required: [] };
    const client = new SourceClient({
      pool,
      source: "g",
      flavour,
      tools: connection.tools,
      timeoutMs: 1000,
      maxBytes: 1e6,
      signal: new AbortController().signal,
      cache: new Map(),
    });
    await expect(client.call("write_neo4j_cypher", { query: "MATCH (n) DETACH DELETE n" })).rejects.toThrow(/marks it destructive/);
  });

  it.each([
    ["an SQL quote", "orders'; DROP TABLE users; --"],
    ["a PromQL matcher break-out", 'api"} or vector(1) or up{x="'],
    ["a Cypher break-out", 'x" }) DETACH DELETE n //'],
    ["an ES|QL pipe", "api | DROP"],
    ["white space", "api web"],
  ])("rejects %s before any query is built", (_what, value) => {
    expect(() => safe(value, "value")).toThrow(/refused unsafe value/);
    expect(() => promSelector({ service: value })).toThrow(/refused unsafe label value/);
  });

  it("never reaches a server a repository was not allowed to read", async () => {
    const c = collector(
      { db: { command: "x", insight: { adapter: "postgres", repositories: ["other/*"] } } },
      { transport: fixtureTransport({ db: "dbhub" }, production) },
    );
    pools.push(c.pool);
    const result = await c.collect(svc, 30, { window });
    expect(result.sources).toEqual([]);
  });
});
