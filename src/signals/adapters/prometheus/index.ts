import { promSelector } from "../../safe-values.js";
import { replyOf } from "../../tool-output.js";
import { rulesAnswer } from "./schema.js";
import type { Series, CatalogSignal } from "../../types.js";
import { boundSeries, labelKey, lastValue, num, serviceForLabels, shortHash } from "../shared.js";
import type { Adapter, AdapterContext } from "../types.js";
import { FLAVOURS, type PromData, type PromQueries } from "./flavours.js";
import { SIGNAL, type SignalName } from "../../catalog.js";

const RED = [
  [SIGNAL.httpRequestRate, "requestRate", "req/s"],
  [SIGNAL.httpErrorRate, "errorRate", "ratio"],
  [SIGNAL.httpLatencyP95, "latencyP95", "s"],
  [SIGNAL.processMemoryBytes, "memory", "bytes"],
] as const;

/**
 * Resource series per service from cAdvisor (the kubelet's container metrics), by pod name prefix:
 * a service can be saturated (CPU, throttling, memory, IO, network) with no RED signal moving yet.
 * An empty answer (no cAdvisor) drops the signal.
 */
const RESOURCES = [
  [SIGNAL.containerCpuUsage, "sum(rate(container_cpu_usage_seconds_total{$pod}[5m]))", "cores"],
  [
    SIGNAL.containerCpuThrottled,
    "sum(rate(container_cpu_cfs_throttled_periods_total{$pod}[5m])) / sum(rate(container_cpu_cfs_periods_total{$pod}[5m]))",
    "ratio",
  ],
  [SIGNAL.containerMemoryWorkingSet, "sum(container_memory_working_set_bytes{$pod})", "bytes"],
  [SIGNAL.containerIoWriteBytes, "sum(rate(container_fs_writes_bytes_total{$pod}[5m]))", "bytes/s"],
  [SIGNAL.containerNetworkTransmitBytes, "sum(rate(container_network_transmit_bytes_total{$pod}[5m]))", "bytes/s"],
  [SIGNAL.containerNetworkReceiveBytes, "sum(rate(container_network_receive_bytes_total{$pod}[5m]))", "bytes/s"],
] as const;
/** The pods of a Deployment named like the service (`<service>-<hash>-<id>`); undefined for a name that is not a plain DNS label. */
const podSelector = (service: string) =>
  /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(service) ? `pod=~"${service.replaceAll(".", "\\\\.")}-.*"` : undefined;

const toSeries = (data: PromData): Series[] =>
  data.result.map((s) => ({
    labels: s.metric,
    points: (s.values ?? (s.value ? [s.value] : []))
      .map(([t, v]) => [Math.round(t * 1000), num(v)] as [number, number | undefined])
      .filter((p): p is [number, number] => p[1] !== undefined),
  }));

/** Metrics: RED per service from the repo's PromQL templates, firing alerts, targets down, rules. */
export const prometheusAdapter: Adapter = {
  id: "prometheus",
  provides: ["metrics"],
  flavours: FLAVOURS,
  async collect(ctx) {
    const { queries } = ctx.flavour as (typeof FLAVOURS)[number];
    const services = ctx.services.filter((s) => s.config.prometheus && Object.keys(s.config.prometheus.labels).length > 0);
    const red = await Promise.all(
      services.flatMap((svc) =>
        RED.map(([name, key, unit]) =>
          redSignal(ctx, queries, svc.name, promSelector(svc.config.prometheus!.labels), name, ctx.metrics[key], unit),
        ),
      ),
    );
    const resources = await Promise.all(
      services.flatMap((svc) => {
        const pod = podSelector(svc.name);
        return pod
          ? RESOURCES.map(([name, template, unit]) => redSignal(ctx, queries, svc.name, "", name, template.replaceAll("$pod", pod), unit))
          : [];
      }),
    );
    red.push(...resources);
    const exporters = await Promise.all(EXPORTER_SERIES.map(([name, query, unit]) => exporterSignal(ctx, queries, name, query, unit)));
    return [
      ...red.filter((s): s is CatalogSignal => !!s),
      ...exporters.filter((s): s is CatalogSignal => !!s),
      ...(await alerts(ctx, queries)),
      ...(await alertHistory(ctx, queries)),
      ...(await targetsDown(ctx, queries)),
      ...(await rules(ctx)),
    ];
  },
};

/**
 * Saturation series of the standard exporters, read when they are scraped (an empty answer just
 * means the exporter is not there): Redis evictions and memory, PostgreSQL connections.
 */
const EXPORTER_SERIES = [
  [SIGNAL.redisEvictionsRate, "sum(rate(redis_evicted_keys_total[1m]))", "keys/s"],
  [SIGNAL.redisMemoryUsage, "max(redis_memory_used_bytes / (redis_memory_max_bytes > 0))", "ratio"],
  [SIGNAL.pgConnectionsUsage, "sum(pg_stat_activity_count) / max(pg_settings_max_connections)", "ratio"],
  // Redis runs commands on one thread: a core's worth of CPU is its ceiling.
  [SIGNAL.redisCpuUsage, "sum(rate(redis_cpu_sys_seconds_total[1m]) + rate(redis_cpu_user_seconds_total[1m]))", "cores"],
  // elasticsearch_exporter: requests rejected because a thread pool's queue was full (a counter, read as a rate).
  [SIGNAL.esThreadPoolRejected, "sum(rate(elasticsearch_thread_pool_rejected_count[5m]))", "req/s"],
] as const;

async function exporterSignal(
  ctx: AdapterContext,
  queries: PromQueries,
  name: SignalName,
  query: string,
  unit: string,
): Promise<CatalogSignal | undefined> {
  const step = Math.max(15, Math.ceil((ctx.window.to - ctx.window.from) / 1000 / ctx.limits.points));
  const data = await ctx.attempt(name, () => queries.range(ctx.client, query, ctx.window, step));
  if (!data || data.result.length === 0) return undefined;
  const series = boundSeries(toSeries(data), 1, ctx.limits.points, ctx.note, name);
  const users = name.startsWith("es.")
    ? []
    : ctx.services.filter((s) => (name.startsWith("redis") ? s.config.redis : s.config.postgres)).map((s) => s.name);
  return {
    id: `${ctx.source}:exporter:${name}`,
    source: ctx.source,
    adapter: "prometheus",
    kind: "metric",
    service: users.length === 1 ? users[0] : undefined,
    name,
    window: ctx.window,
    series,
    value: lastValue(series),
    unit,
    query,
  };
}

async function redSignal(
  ctx: AdapterContext,
  queries: PromQueries,
  service: string,
  selector: string,
  name: SignalName,
  template: string,
  unit: string,
): Promise<CatalogSignal | undefined> {
  const query = template.replaceAll("$selector", selector);
  const step = Math.max(15, Math.ceil((ctx.window.to - ctx.window.from) / 1000 / ctx.limits.points));
  const data = await ctx.attempt(`${service} ${name}`, () => queries.range(ctx.client, query, ctx.window, step));
  if (!data || data.result.length === 0) return undefined;
  const series = boundSeries(toSeries(data), ctx.limits.series, ctx.limits.points, ctx.note, `${service} ${name}`);
  const baseline =
    ctx.baseline && name !== SIGNAL.processMemoryBytes && !name.startsWith("container.")
      ? await metricBaseline(ctx, queries, query, `${service} ${name}`)
      : undefined;
  return {
    id: `${ctx.source}:${service}:${name}`,
    source: ctx.source,
    adapter: "prometheus",
    kind: "metric",
    service,
    name,
    window: ctx.window,
    series,
    value: lastValue(series),
    unit,
    query,
    ...(baseline ? { data: { baseline } } : {}),
  };
}

const DAY = 86_400_000;
/** How far a sample may sit from the same time of day and still count (a server that ignores the step). */
const SAME_HOUR_MS = 30 * 60_000;
/** The range starts a minute early so the server's clock, a little ahead of ours, still has day 7 in it. */
const SLACK_MS = 60_000;
const sameTimeOfDay = (a: number, b: number) => {
  const offset = (((a - b) % DAY) + DAY) % DAY;
  return Math.min(offset, DAY - offset) <= SAME_HOUR_MS && a - b >= DAY - SAME_HOUR_MS;
};

/**
 * The metric's normal, never its live value: the median of the same time of day over the previous
 * 7 days — one range query with a one-day step, so each sample is the query's value exactly 1…7
 * days before the window's end. Undefined when fewer than 3 days answered.
 */
export async function metricBaseline(
  ctx: AdapterContext,
  queries: PromQueries,
  query: string,
  label: string,
): Promise<{ value: number; basis: string; samples: number } | undefined> {
  const end = ctx.window.to;
  const data = await ctx.attempt(`${label} baseline`, () =>
    queries.range(ctx.client, query, { from: end - 7 * DAY - SLACK_MS, to: end - DAY + SLACK_MS }, DAY / 1000),
  );
  const values = (data?.result ?? [])
    .flatMap((s) => s.values ?? [])
    .map(([t, v]) => [t * 1000, num(v)] as const)
    .filter(([t, v]) => v !== undefined && Number.isFinite(v) && sameTimeOfDay(end, t))
    .map(([, v]) => v!)
    .sort((a, b) => a - b);
  if (values.length < 3) return undefined;
  const mid = Math.floor(values.length / 2);
  const value = values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  return { value, basis: `median of the same hour over the previous 7 days (${values.length} days)`, samples: values.length };
}

async function alerts(ctx: AdapterContext, queries: PromQueries): Promise<CatalogSignal[]> {
  const query = 'ALERTS{alertstate="firing"}';
  const data = await ctx.attempt("firing alerts", () => queries.instant(ctx.client, query));
  return (data?.result ?? []).slice(0, ctx.limits.rows).map((s) => {
    const { __name__: _n, alertstate: _a, ...labels } = s.metric;
    return {
      id: `${ctx.source}:alert:${labels.alertname ?? "unnamed"}:${shortHash(labelKey(labels))}`,
      source: ctx.source,
      adapter: "prometheus",
      kind: "event",
      service: serviceForLabels(ctx.services, labels),
      name: SIGNAL.alertFiring,
      data: { alertname: labels.alertname, severity: labels.severity, labels },
      query,
    };
  });
}

/**
 * Alerts that fired in the window, including those resolved before it ended: `ALERTS` over the range
 * (`max_over_time` at the step, so an alert shorter than a step still shows). Each becomes one signal
 * with when it first fired, when it last fired, and how many times it fired.
 */
async function alertHistory(ctx: AdapterContext, queries: PromQueries): Promise<CatalogSignal[]> {
  const step = Math.max(60, Math.ceil((ctx.window.to - ctx.window.from) / 1000 / ctx.limits.points));
  const query = `max_over_time(ALERTS{alertstate="firing"}[${step}s])`;
  const data = await ctx.attempt("alert history", () => queries.range(ctx.client, query, ctx.window, step));
  const series = data?.result ?? [];
  if (series.length > ctx.limits.rows) ctx.note(`alert history: kept ${ctx.limits.rows} of ${series.length} alerts`);
  return series.slice(0, ctx.limits.rows).flatMap((s) => {
    const { __name__: _n, alertstate: _a, ...labels } = s.metric;
    const times = (s.values ?? [])
      .filter(([, v]) => Number(v) > 0)
      .map(([t]) => Math.round(t * 1000))
      .sort((a, b) => a - b);
    if (!times.length) return [];
    // A gap of more than two steps between points ends one firing and starts the next.
    const firings = 1 + times.slice(1).filter((t, i) => t - times[i]! > 2 * step * 1000).length;
    const last = times.at(-1)!;
    const resolved = last < ctx.window.to - 2 * step * 1000;
    return [
      {
        id: `${ctx.source}:alert-history:${labels.alertname ?? "unnamed"}:${shortHash(labelKey(labels))}`,
        source: ctx.source,
        adapter: "prometheus" as const,
        kind: "event" as const,
        service: serviceForLabels(ctx.services, labels),
        name: SIGNAL.alertHistory,
        window: ctx.window,
        value: firings,
        data: {
          alertname: labels.alertname,
          severity: labels.severity,
          labels,
          firedAt: times[0],
          lastFiringAt: last,
          ...(resolved ? { resolvedBy: last + step * 1000 } : {}),
          firings,
        },
        query,
      },
    ];
  });
}

async function targetsDown(ctx: AdapterContext, queries: PromQueries): Promise<CatalogSignal[]> {
  const query = "up == 0";
  const data = await ctx.attempt("targets down", () => queries.instant(ctx.client, query));
  return (data?.result ?? []).slice(0, ctx.limits.rows).map((s) => ({
    id: `${ctx.source}:target-down:${s.metric.job ?? "job"}:${s.metric.instance ?? "instance"}`,
    source: ctx.source,
    adapter: "prometheus",
    kind: "event",
    service: serviceForLabels(ctx.services, s.metric),
    name: SIGNAL.targetDown,
    data: { job: s.metric.job, instance: s.metric.instance },
    query,
  }));
}

/** Alert rules, to find services nobody is alerted about; only mcp-prometheus exposes them. */
async function rules(ctx: AdapterContext): Promise<CatalogSignal[]> {
  if (!ctx.flavour.tools.includes("getRules")) {
    ctx.note(`alert rules are not visible through ${ctx.flavour.id}; monitoring gaps use firing alerts only`);
    return [];
  }
  const answer = await ctx.attempt("alert rules", async () =>
    replyOf(await ctx.client.call("getRules", { type: "alert" }), "getRules", rulesAnswer),
  );
  if (!answer) return [];
  const list = (answer.data?.groups ?? []).flatMap((g) =>
    g.rules.map((r) => ({ group: g.name, name: r.name, query: r.query, labels: r.labels ?? {}, state: r.state })),
  );
  return [
    {
      id: `${ctx.source}:alert-rules`,
      source: ctx.source,
      adapter: "prometheus",
      kind: "state",
      name: SIGNAL.alertRules,
      value: list.length,
      data: { rules: list.slice(0, ctx.limits.rows) },
      query: "getRules type=alert",
    },
  ];
}
