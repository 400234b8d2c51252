import { afterEach, describe, expect, it } from "@jest/globals";
import { findAnomalies } from "../../../src/analysis/find-anomalies.js";
import { collector, services } from "../../helpers/collect.js";
import { fixtureTransport } from "../../helpers/fixture-pool.js";
import { production, productionServices } from "../../helpers/scenario.js";

const NOW = Date.parse(production.now!);
const window = { from: NOW - 30 * 60_000, to: NOW };
const svc = services(productionServices);
let pools: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});

/** Collects from one fixture server of `flavour`, configured as adapter `adapter`. */
async function collectOne(adapter: string, flavour: string, scenario = production) {
  const c = collector({ src: { command: "fixture", insight: { adapter } } }, { transport: fixtureTransport({ src: flavour }, scenario) });
  pools.push(c.pool);
  const result = await c.collect(svc, 30, { window });
  const source = result.sources[0]!;
  const by = (name: string, service?: string) =>
    source.signals.find((s) => s.name === name && (service === undefined || s.service === service));
  return { source, by };
}

describe.each(["prometheus-mcp", "mcp-prometheus", "prometheus-mcp-server"])("Prometheus adapter on %s", (flavour) => {
  it("reads RED metrics per service, firing alerts and targets down", async () => {
    const { source, by } = await collectOne("prometheus", flavour);
    expect(source).toMatchObject({ status: "ok", flavour });
    const errors = by("http.error_rate", "api")!;
    expect(errors.value).toBeCloseTo(0.12);
    expect(errors.series![0]!.points.length).toBeGreaterThan(20);
    expect(errors.query).toBe(
      'sum(rate(http_requests_total{service="api",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="api"}[5m]))',
    );
    expect(by("http.request_rate", "web")!.value).toBe(40);
    expect(by("alert.firing")).toMatchObject({ service: "api", data: { alertname: "HighErrorRate", severity: "critical" } });
    expect(by("target.down")).toMatchObject({ data: { job: "payments", instance: "10.0.0.9:9100" } });
  });

  it("reads the window's alert history: an alert that fired and resolved inside it, and one still firing", async () => {
    const history = [
      { labels: { alertname: "ReplicaLagHigh", service: "api", severity: "warning" }, from: -1500, to: -900 },
      { labels: { alertname: "HighErrorRate", service: "api", severity: "critical" }, from: -600 },
    ];
    const scenario = { ...production, prometheus: { ...production.prometheus, alerts: [], alertHistory: history } };
    const { source } = await collectOne("prometheus", flavour, scenario);
    const fired = source.signals
      .filter((s) => s.name === "alert.history")
      .map((s) => [s.data!.alertname, s.service, s.data!.firedAt, s.data!.resolvedBy, s.data!.firings]);
    expect(fired).toEqual([
      ["ReplicaLagHigh", "api", NOW - 1500_000, NOW - 900_000 + 60_000, 1],
      ["HighErrorRate", "api", NOW - 600_000, undefined, 1],
    ]);
    const alerts = findAnomalies(source.signals, window)
      .filter((a) => a.kind === "alert")
      .map((a) => [a.detail, a.at]);
    expect(alerts).toEqual([
      [
        `ReplicaLagHigh fired at ${new Date(NOW - 1500_000).toISOString().slice(11, 16)} and resolved by ${new Date(NOW - 840_000).toISOString().slice(11, 16)}`,
        NOW - 1500_000,
      ],
      [`HighErrorRate fired at ${new Date(NOW - 600_000).toISOString().slice(11, 16)}, still firing`, NOW - 600_000],
    ]);
  });

  it(flavour === "mcp-prometheus" ? "reads alert rules" : "says alert rules are not visible", async () => {
    const { source, by } = await collectOne("prometheus", flavour);
    if (flavour === "mcp-prometheus") expect(by("alert.rules")!.data!.rules).toEqual([expect.objectContaining({ name: "HighErrorRate" })]);
    else expect(source.notes).toContain(`alert rules are not visible through ${flavour}; monitoring gaps use firing alerts only`);
  });
});

describe.each(["dbhub", "server-postgres", "crystaldba"])("PostgreSQL adapter on %s", (flavour) => {
  it("reads saturation, the lock chain, top statements and table sizes", async () => {
    const { source, by } = await collectOne("postgres", flavour);
    expect(source.status).toBe("ok");
    expect(by("pg.connections")).toMatchObject({ value: 95, data: { max_connections: 100, usage: 0.95, idle_in_transaction: 12 } });
    expect(by("pg.blocked_queries")!.data!.chains).toEqual([
      {
        pid: 4242,
        waiting_s: 61.5,
        query: "UPDATE orders SET status = 'paid' WHERE id = 1",
        blockedBy: [{ pid: 777, state: "idle in transaction", query: "UPDATE orders SET total = total + 1 WHERE id = 1", xact_age_s: 300 }],
      },
    ]);
    expect(by("pg.database")).toMatchObject({ value: 2, data: { cacheHitRatio: 0.99 } });
    expect(by("pg.top_statements")!.data!.statements).toHaveLength(1);
    expect(by("pg.tables")!.data!.tables).toEqual([expect.objectContaining({ table: "orders", rows: 48_000_000 })]);
  });
});

describe("Redis adapter", () => {
  it("reads memory against maxmemory, evictions and hit ratio from the official server", async () => {
    const { source, by } = await collectOne("redis", "redis-mcp-server");
    expect(source.status).toBe("ok");
    expect(by("redis.memory_used")).toMatchObject({ value: 950_000_000, data: { usage: 0.95, policy: "allkeys-lru" } });
    expect(by("redis.evicted_keys")!.value).toBe(48213);
    expect(by("redis.hit_ratio")!.value).toBeCloseTo(0.9);
  });

  it("disables the archived npm server and says why", async () => {
    const { source } = await collectOne("redis", "server-redis-archived");
    expect(source).toMatchObject({ status: "disabled", error: expect.stringContaining("no monitoring tool (info)") });
  });
});

describe.each(["kubernetes-mcp-server", "mcp-server-kubernetes"])("Kubernetes adapter on %s", (flavour) => {
  it("finds CrashLoopBackOff, OOMKilled, restarts, warning events and the failing pod's log", async () => {
    const { source, by } = await collectOne("kubernetes", flavour);
    expect(source.status).toBe("ok");
    const pods = by("k8s.pods", "api")!;
    expect(pods).toMatchObject({
      value: 7,
      data: { total: 2, failing: 1, terminations: [{ pod: "api-5f6b-xyz12", reason: "OOMKilled" }] },
    });
    expect((pods.data!.pods as Array<{ lastRestartAgo?: string }>)[0]!.lastRestartAgo).toBe("11m");
    expect(by("k8s.pod.CrashLoopBackOff", "api")!.data).toEqual({ reason: "CrashLoopBackOff", pods: ["api-5f6b-xyz12"] });
    expect(by("k8s.pod.OOMKilled", "api")).toBeDefined();
    const backoff = source.signals.find((s) => s.id.endsWith("k8s:event:BackOff"))!;
    expect(backoff.value).toBe(flavour === "mcp-server-kubernetes" ? 42 : 1);
    expect(by("k8s.pod_log", "api")!.data!.lines).toContain("2026-11-23T19:59:54Z FATAL out of memory");
    expect(by("k8s.pods", "web")).toMatchObject({ value: 0, data: { failing: 0 } });
    expect(by("k8s.rollout", "api")).toMatchObject({
      value: 1,
      data: { name: "api", ready: 1, desired: 2, upToDate: 2, images: "registry/api:1.43.0", progressing: true },
    });
  });
});

describe.each(["elasticsearch-0.3", "elasticsearch-0.4", "kibana-agent-builder"])("Elasticsearch adapter on %s", (flavour) => {
  it("counts error lines per service in buckets and keeps samples for mining", async () => {
    const { source, by } = await collectOne("elasticsearch", flavour);
    expect(source.status).toBe("ok");
    expect(by("logs.error_count", "api")!.value).toBe(31);
    const samples = by("logs.samples", "api")!.data!.lines as Array<{ message: string; level: string }>;
    expect(samples[0]).toMatchObject({ level: "ERROR", message: expect.stringContaining("connection timeout to payments:5432") });
    expect(by("logs.error_count", "web")!.value).toBe(1);
  });

  it("samples both ends of the window, so a template that started early keeps its first-seen time", async () => {
    const docs = [
      ...Array.from({ length: 10 }, (_, i) => ({
        at: -1700 + i * 10,
        level: "ERROR",
        message: `x509: certificate has expired (call ${i})`,
        service: "api",
      })),
      ...Array.from({ length: 140 }, (_, i) => ({
        at: -1500 + i * 10,
        level: "ERROR",
        message: `request failed: connection timeout to payments:5432 after ${1000 + i} ms`,
        service: "api",
      })),
    ];
    const { source, by } = await collectOne("elasticsearch", flavour, { ...production, elasticsearch: { index: "logs-app", docs } });
    const lines = by("logs.samples", "api")!.data!.lines as Array<{ time: string; message: string }>;
    expect(lines).toHaveLength(100);
    expect(new Set(lines.map((l) => l.time + l.message)).size).toBe(100);
    expect(lines.filter((l) => l.message.startsWith("x509")).map((l) => Date.parse(l.time))).toContain(NOW - 1700 * 1000);
    expect(lines.map((l) => Date.parse(l.time))).toEqual([...lines.map((l) => Date.parse(l.time))].sort((a, b) => b - a));
    expect(source.notes.join()).toContain("oldest and newest halves");
  });
});

describe("Elasticsearch cluster health (list_indices and get_shards of elasticsearch-mcp 0.3, as the real server answers)", () => {
  it("a red index and an unassigned primary make the cluster red, with the index named", async () => {
    const es = {
      ...production.elasticsearch!,
      indices: [
        { index: "logs-app", health: "green" },
        { index: "orders-2026.11", health: "red" },
      ],
      shards: [
        { index: "orders-2026.11", shard: "0", prirep: "p", state: "UNASSIGNED", node: null },
        { index: "orders-2026.11", shard: "0", prirep: "r", state: "UNASSIGNED", node: null },
        { index: "logs-app", shard: "0", prirep: "p", state: "STARTED", node: "es-1" },
      ],
    };
    const { by } = await collectOne("elasticsearch", "elasticsearch-0.3", { ...production, elasticsearch: es });
    expect(by("es.cluster_health")).toMatchObject({
      value: 2,
      data: { status: "red", unassignedShards: 2, unassignedPrimaries: 1, indices: [{ index: "orders-2026.11", health: "red" }] },
    });
    const [finding] = findAnomalies([by("es.cluster_health")!], window);
    expect(finding).toMatchObject({
      kind: "datastore",
      severity: 0.85,
      detail: "Elasticsearch cluster red: 2 unassigned shards (orders-2026.11 missing a primary)",
    });
  });

  it("a one-node cluster's yellow is stated, too weak to rank as a cause", async () => {
    const { by } = await collectOne("elasticsearch", "elasticsearch-0.3");
    expect(by("es.cluster_health")!.data).toMatchObject({ status: "yellow", unassignedShards: 0 });
    expect(findAnomalies([by("es.cluster_health")!], window)[0]!.severity).toBeLessThan(0.3);
  });
});

describe("SkyWalking adapter", () => {
  it("reads latency and SLA through MQE, error traces, topology and alarms", async () => {
    const { source, by } = await collectOne("skywalking", "skywalking-mcp");
    expect(source.status).toBe("ok");
    expect(by("apm.latency_avg", "api")!.value).toBe(900);
    expect(by("apm.sla", "api")!.series![0]!.points.at(-1)![1]).toBe(88);
    expect(by("apm.error_traces", "api")).toMatchObject({ value: 1 });
    expect(by("apm.topology")!.data!.edges).toEqual([
      { from: "web", to: "api" },
      { from: "api", to: "payments" },
    ]);
    expect(by("apm.alarm")).toMatchObject({ service: "api" });
  });

  it("treats 'no traces found' as none, not as a failure", async () => {
    const { source, by } = await collectOne("skywalking", "skywalking-mcp", {
      ...production,
      skywalking: { ...production.skywalking!, errorTraces: {} },
    });
    expect(by("apm.error_traces", "api")).toMatchObject({ value: 0 });
    expect(source.notes.join()).not.toMatch(/no traces/);
  });
});

describe.each(["mcp-neo4j-cypher", "neo4j-mcp"])("Neo4j adapter on %s", (flavour) => {
  it("reads database status and long transactions", async () => {
    const { source, by } = await collectOne("neo4j", flavour);
    expect(source.status).toBe("ok");
    expect(by("neo4j.databases")).toMatchObject({ value: 0 });
    expect(by("neo4j.long_transactions")).toMatchObject({
      value: 1,
      data: { transactions: [expect.objectContaining({ elapsedMs: 45000 })] },
    });
  });
});
