import { promSelector } from "../../safe-values.js";
import { jsonOf } from "../../tool-output.js";
import type { Series, Signal } from "../../types.js";
import { boundSeries, labelKey, lastValue, num, serviceForLabels, shortHash } from "../shared.js";
import type { Adapter, AdapterContext } from "../types.js";
import { FLAVOURS, type PromData, type PromDialect } from "./dialects.js";

const RED = [
  ["http.request_rate", "requestRate", "req/s"],
  ["http.error_rate", "errorRate", "ratio"],
  ["http.latency_p95", "latencyP95", "s"],
  ["process.memory_bytes", "memory", "bytes"],
] as const;

const toSeries = (data: PromData): Series[] =>
  data.result.map((s) => ({
    labels: s.metric,
    points: (s.values ?? (s.value ? [s.value] : []))
      .map(([t, v]) => [Math.round(t * 1000), num(v)] as [number, number | undefined])
      .filter((p): p is [number, number] => p[1] !== undefined),
  }));

/** Metrics: RED per service from the repo's PromQL templates, firing alerts, targets down, rules. */
export const prometheusAdapter: Adapter = {
  kind: "prometheus",
  flavours: FLAVOURS,
  async collect(ctx) {
    const { dialect } = ctx.flavour as (typeof FLAVOURS)[number];
    const services = ctx.services.filter((s) => s.config.prometheus && Object.keys(s.config.prometheus.labels).length > 0);
    const red = await Promise.all(services.flatMap((svc) => RED.map(([name, key, unit]) => redSignal(ctx, dialect, svc.name, promSelector(svc.config.prometheus!.labels), name, ctx.metrics[key], unit))));
    const exporters = await Promise.all(EXPORTER_SERIES.map(([name, query, unit]) => exporterSignal(ctx, dialect, name, query, unit)));
    return [...red.filter((s): s is Signal => !!s), ...exporters.filter((s): s is Signal => !!s), ...(await alerts(ctx, dialect)), ...(await targetsDown(ctx, dialect)), ...(await rules(ctx))];
  },
};

/**
 * Saturation series of the standard exporters, read when they are scraped (an empty answer just
 * means the exporter is not there): Redis evictions and memory, PostgreSQL connections.
 */
const EXPORTER_SERIES = [
  ["redis.evictions_rate", "sum(rate(redis_evicted_keys_total[1m]))", "keys/s"],
  ["redis.memory_usage", "max(redis_memory_used_bytes / (redis_memory_max_bytes > 0))", "ratio"],
  ["pg.connections_usage", "sum(pg_stat_activity_count) / max(pg_settings_max_connections)", "ratio"],
] as const;

async function exporterSignal(ctx: AdapterContext, dialect: PromDialect, name: string, query: string, unit: string): Promise<Signal | undefined> {
  const step = Math.max(15, Math.ceil((ctx.window.to - ctx.window.from) / 1000 / ctx.limits.points));
  const data = await ctx.attempt(name, () => dialect.range(ctx.client, query, ctx.window, step));
  if (!data || data.result.length === 0) return undefined;
  const series = boundSeries(toSeries(data), 1, ctx.limits.points, ctx.note, name);
  const users = ctx.services.filter((s) => (name.startsWith("redis") ? s.config.redis : s.config.postgres)).map((s) => s.name);
  return { id: `${ctx.source}:exporter:${name}`, source: ctx.source, adapter: "prometheus", kind: "metric", service: users.length === 1 ? users[0] : undefined, name, window: ctx.window, series, value: lastValue(series), unit, query };
}

async function redSignal(ctx: AdapterContext, dialect: PromDialect, service: string, selector: string, name: string, template: string, unit: string): Promise<Signal | undefined> {
  const query = template.replaceAll("$selector", selector);
  const step = Math.max(15, Math.ceil((ctx.window.to - ctx.window.from) / 1000 / ctx.limits.points));
  const data = await ctx.attempt(`${service} ${name}`, () => dialect.range(ctx.client, query, ctx.window, step));
  if (!data || data.result.length === 0) return undefined;
  const series = boundSeries(toSeries(data), ctx.limits.series, ctx.limits.points, ctx.note, `${service} ${name}`);
  return { id: `${ctx.source}:${service}:${name}`, source: ctx.source, adapter: "prometheus", kind: "metric", service, name, window: ctx.window, series, value: lastValue(series), unit, query };
}

async function alerts(ctx: AdapterContext, dialect: PromDialect): Promise<Signal[]> {
  const query = 'ALERTS{alertstate="firing"}';
  const data = await ctx.attempt("firing alerts", () => dialect.instant(ctx.client, query));
  return (data?.result ?? []).slice(0, ctx.limits.rows).map((s) => {
    const { __name__: _n, alertstate: _a, ...labels } = s.metric;
    return {
      id: `${ctx.source}:alert:${labels.alertname ?? "unnamed"}:${shortHash(labelKey(labels))}`,
      source: ctx.source,
      adapter: "prometheus",
      kind: "event",
      service: serviceForLabels(ctx.services, labels),
      name: "alert.firing",
      data: { alertname: labels.alertname, severity: labels.severity, labels },
      query,
    };
  });
}

async function targetsDown(ctx: AdapterContext, dialect: PromDialect): Promise<Signal[]> {
  const query = "up == 0";
  const data = await ctx.attempt("targets down", () => dialect.instant(ctx.client, query));
  return (data?.result ?? []).slice(0, ctx.limits.rows).map((s) => ({
    id: `${ctx.source}:target-down:${s.metric.job ?? "job"}:${s.metric.instance ?? "instance"}`,
    source: ctx.source,
    adapter: "prometheus",
    kind: "event",
    service: serviceForLabels(ctx.services, s.metric),
    name: "target.down",
    data: { job: s.metric.job, instance: s.metric.instance },
    query,
  }));
}

type RulesAnswer = { data?: { groups?: Array<{ name: string; rules: Array<{ name: string; query: string; type?: string; labels?: Record<string, string>; state?: string }> }> } };

/** Alert rules, to find services nobody is alerted about; only mcp-prometheus exposes them. */
async function rules(ctx: AdapterContext): Promise<Signal[]> {
  if (!ctx.flavour.tools.includes("getRules")) {
    ctx.note(`alert rules are not visible through ${ctx.flavour.id}; monitoring gaps use firing alerts only`);
    return [];
  }
  const answer = await ctx.attempt("alert rules", async () => jsonOf<RulesAnswer>(await ctx.client.call("getRules", { type: "alert" }), "getRules"));
  if (!answer) return [];
  const list = (answer.data?.groups ?? []).flatMap((g) => g.rules.map((r) => ({ group: g.name, name: r.name, query: r.query, labels: r.labels ?? {}, state: r.state })));
  return [{ id: `${ctx.source}:alert-rules`, source: ctx.source, adapter: "prometheus", kind: "state", name: "alert.rules", value: list.length, data: { rules: list.slice(0, ctx.limits.rows) }, query: "getRules type=alert" }];
}
