import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { repoConfigSchema } from "../../src/config/repo-config.js";
import { collector, services } from "../helpers/collect.js";

/** Started by scripts/services.sh: Prometheus scraping the postgres and redis exporters and a dead target. */
const PROMETHEUS = "http://127.0.0.1:19090";
const HTTP_PORT = 19391;

async function promQuery(q: string) {
  const res = await fetch(`${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(q)}`);
  return ((await res.json()) as { data: { result: unknown[] } }).data.result;
}

async function until(check: () => Promise<boolean>, what: string, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("Prometheus through real MCP servers", () => {
  let httpServer: ChildProcess;
  let c: ReturnType<typeof collector>;
  // Redis as a service, with the repository's own PromQL templates over the exporter's metrics.
  const svc = services({ cache: { prometheus: { labels: { job: "redis" } } } });
  const metrics = repoConfigSchema.parse({
    metrics: {
      requestRate: "sum(rate(redis_commands_processed_total{$selector}[1m]))",
      errorRate: "sum(rate(redis_rejected_connections_total{$selector}[1m]))",
      latencyP95: "max(redis_memory_used_bytes{$selector})",
    },
  }).metrics;

  beforeAll(async () => {
    await until(
      async () => (await promQuery('ALERTS{alertname="TargetDown",alertstate="firing"}')).length > 0,
      "the TargetDown alert to fire",
    );
    await until(async () => (await promQuery('rate(redis_commands_processed_total{job="redis"}[1m])')).length > 0, "redis rates");
    httpServer = spawn(
      join(process.cwd(), "node_modules/mcp-prometheus-linux-amd64/bin/mcp-prometheus-linux-amd64"),
      ["--port", String(HTTP_PORT), "--url", PROMETHEUS],
      { stdio: "ignore" },
    );
    await until(
      async () => await fetch(`http://127.0.0.1:${HTTP_PORT}/mcp`, { method: "GET" }).then(() => true),
      "mcp-prometheus over HTTP",
    );
    c = collector({
      stdio: {
        command: join(process.cwd(), "node_modules/.bin/prometheus-mcp"),
        args: ["stdio"],
        env: { PROMETHEUS_URL: PROMETHEUS },
        insight: { adapter: "prometheus" },
      },
      http: { url: `http://127.0.0.1:${HTTP_PORT}/mcp`, insight: { adapter: "prometheus" } },
    });
  }, 60_000);

  afterAll(async () => {
    await c?.pool.close();
    httpServer?.kill();
  });

  it("reads the repository's PromQL, the firing alert and the dead target through both servers", async () => {
    const result = await c.collect(svc, 5, { metrics });
    for (const [source, flavour] of [
      ["stdio", "prometheus-mcp"],
      ["http", "mcp-prometheus"],
    ] as const) {
      const r = result.sources.find((s) => s.source === source)!;
      expect(r).toMatchObject({ status: "ok", flavour });
      const by = (name: string) => r.signals.find((s) => s.name === name);
      expect(by("http.request_rate")).toMatchObject({
        service: "cache",
        query: 'sum(rate(redis_commands_processed_total{job="redis"}[1m]))',
      });
      expect(by("http.request_rate")!.series![0]!.points.length).toBeGreaterThan(1);
      expect(by("http.latency_p95")!.value).toBeGreaterThan(100_000);
      expect(r.signals.find((s) => s.name === "alert.firing" && s.data!.alertname === "TargetDown")).toMatchObject({
        data: { severity: "critical" },
      });
      expect(by("target.down")).toMatchObject({ data: { job: "dead-target", instance: "127.0.0.1:9" } });
    }
    const rules = result.sources.find((s) => s.source === "http")!.signals.find((s) => s.name === "alert.rules")!;
    expect((rules.data!.rules as Array<{ name: string }>).map((r) => r.name)).toEqual(["TargetDown", "RedisEvicting"]);
  }, 60_000);

  it("reports a PromQL error from the server as that source's failure, with its message", async () => {
    const bad = repoConfigSchema.parse({ metrics: { requestRate: "sum(rate(($selector" } }).metrics;
    const result = await c.collect(svc, 5, { metrics: bad, only: ["stdio"] });
    const r = result.sources[0]!;
    expect(r.status).toBe("ok");
    expect(r.notes).toContain("cache http.request_rate: http 400: Bad Request");
  }, 60_000);
});
