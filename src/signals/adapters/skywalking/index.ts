import { safe } from "../../safe-values.js";
import { replyOf, ToolFailure } from "../../tool-output.js";
import { alarmsAnswer, mqeAnswer, servicesAnswer, topologyAnswer, tracesAnswer } from "./schema.js";
import type { Series, ServiceTarget, CatalogSignal } from "../../types.js";
import { lastValue, num } from "../shared.js";
import { hasTools, type Adapter, type AdapterContext } from "../types.js";
import { SIGNAL } from "../../catalog.js";

/** MQE expressions per service; names only, the service is passed as an entity field. */
const MQE = [
  [SIGNAL.apmLatencyAvg, "service_resp_time", "ms"],
  [SIGNAL.apmLatencyP95, "service_percentile{p='95'}", "ms"],
  [SIGNAL.apmSla, "service_sla/100", "%"],
  [SIGNAL.apmThroughput, "service_cpm", "calls/min"],
] as const;

/** SkyWalking ids of time buckets: epoch ms, or `yyyyMMddHHmm`. */
export function bucketTime(id: string | undefined, index: number, from: number, step: number): number {
  if (id && /^\d{13}$/.test(id)) return Number(id);
  const m = id && /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(id);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  return from + index * step;
}

/**
 * Apache SkyWalking (`apache/skywalking-mcp`): latency, SLA and throughput through MQE, error traces
 * (view summary), the service topology (who depends on whom) and alarms. "No traces found" is an
 * empty answer, not a failure.
 */
export const skywalkingAdapter: Adapter = {
  id: "skywalking",
  provides: ["apm"],
  flavours: [
    {
      id: "skywalking-mcp",
      detect: (tools) => hasTools(tools, "execute_mqe_expression"),
      tools: ["execute_mqe_expression", "list_services", "query_traces", "query_services_topology", "query_alarms"],
      required: ["execute_mqe_expression"],
    },
  ],
  async collect(ctx) {
    const start = `-${Math.max(1, Math.ceil((Date.now() - ctx.window.from) / 60_000))}m`;
    const endAgo = Math.floor((Date.now() - ctx.window.to) / 60_000);
    const range = { start, ...(endAgo > 0 ? { end: `-${endAgo}m` } : {}) };
    const targets = ctx.services.filter((s) => s.config.skywalking);
    const ids = targets.length ? await ctx.attempt("services", () => serviceIds(ctx)) : undefined;
    const perService = await Promise.all(targets.map((svc) => collectService(ctx, svc, range, ids)));
    return [...perService.flat(), ...(await topology(ctx, range)), ...(await alarms(ctx, range))];
  },
};

/**
 * Points one MQE series may ask for: two days of minutes, so an incident window with its baseline
 * keeps minute resolution, and `since=999999d` (1.44 billion minutes) becomes hours or days.
 * SkyWalking has no step between MINUTE and HOUR, hence a cap of its own beside the Prometheus one.
 */
export const MQE_MAX_POINTS = 2_880;

/** The finest SkyWalking step (MINUTE, HOUR, DAY) at which the window asks at most `points` per series. */
export function mqeStep(window: { from: number; to: number }, points: number): { step: number; unit: "MINUTE" | "HOUR" | "DAY" } {
  const span = window.to - window.from;
  if (span / 60_000 <= points) return { step: 60_000, unit: "MINUTE" };
  if (span / 3_600_000 <= points) return { step: 3_600_000, unit: "HOUR" };
  return { step: 86_400_000, unit: "DAY" };
}

async function serviceIds(ctx: AdapterContext): Promise<Map<string, string>> {
  const answer = replyOf(await ctx.client.call("list_services", { layer: "GENERAL" }), "list_services", servicesAnswer);
  const list = Array.isArray(answer) ? answer : (answer.services ?? []);
  return new Map(list.map((s) => [s.name, s.id]));
}

async function collectService(
  ctx: AdapterContext,
  svc: ServiceTarget,
  range: Record<string, string>,
  ids?: Map<string, string>,
): Promise<CatalogSignal[]> {
  const name = safe(svc.config.skywalking!.service, "SkyWalking service name");
  const base = { source: ctx.source, adapter: "skywalking" as const, service: svc.name, window: ctx.window };
  const { step, unit: stepUnit } = mqeStep(ctx.window, Math.max(ctx.limits.points, MQE_MAX_POINTS));
  const metrics = await Promise.all(
    MQE.map(async ([signalName, expression, unit]) => {
      const args = { expression, service_name: name, ...range, step: stepUnit };
      const answer = await ctx.attempt(`${svc.name} ${signalName}`, async () =>
        replyOf(await ctx.client.call("execute_mqe_expression", args), "execute_mqe_expression", mqeAnswer),
      );
      const exec = answer?.execExpression;
      if (!exec) return undefined;
      if (exec.error) {
        ctx.note(`${svc.name} ${signalName}: ${exec.error}`);
        return undefined;
      }
      const series: Series[] = (exec.results ?? []).map((r) => ({
        labels: Object.fromEntries((r.metric?.labels ?? []).map((l) => [l.key, l.value])),
        points: (r.values ?? [])
          .map((v, i) => [bucketTime(v.id, i, ctx.window.from, step), num(v.value)] as [number, number | undefined])
          .filter((p): p is [number, number] => p[1] !== undefined),
      }));
      if (!series.some((s) => s.points.length)) return undefined;
      return {
        ...base,
        id: `${ctx.source}:${svc.name}:${signalName}`,
        kind: "metric" as const,
        name: signalName,
        series,
        value: lastValue(series),
        unit,
        query: `execute_mqe_expression ${expression} service_name=${name}`,
      };
    }),
  );
  const signals: CatalogSignal[] = metrics.filter((m): m is NonNullable<typeof m> => !!m);
  const serviceId = ids?.get(name);
  if (ids && !serviceId) ctx.note(`${svc.name}: SkyWalking knows no service named ${name}`);
  if (serviceId) {
    const traces = await ctx.attempt(`${svc.name} error traces`, async () => {
      try {
        return replyOf(
          await ctx.client.call("query_traces", { service_id: serviceId, ...range, trace_state: "error", view: "summary" }),
          "query_traces",
          tracesAnswer,
        );
      } catch (err) {
        if (err instanceof ToolFailure && /no traces found/i.test(err.message))
          return { total_traces: 0, error_count: 0, error_traces: [] };
        throw err;
      }
    });
    if (traces) {
      signals.push({
        ...base,
        id: `${ctx.source}:${svc.name}:apm:error-traces`,
        kind: "trace",
        name: SIGNAL.apmErrorTraces,
        value: traces.error_count ?? 0,
        query: `query_traces service_id=${serviceId} trace_state=error view=summary`,
        data: { total: traces.total_traces, traces: (traces.error_traces ?? []).slice(0, 20) },
      });
    }
  }
  return signals;
}

async function topology(ctx: AdapterContext, range: Record<string, string>): Promise<CatalogSignal[]> {
  const answer = await ctx.attempt("topology", async () =>
    replyOf(await ctx.client.call("query_services_topology", range), "query_services_topology", topologyAnswer),
  );
  if (!answer) return [];
  const names = new Map((answer.nodes ?? []).map((n) => [n.id, n.name]));
  const edges = (answer.calls ?? []).map((c) => ({ from: names.get(c.source) ?? c.source, to: names.get(c.target) ?? c.target }));
  return [
    {
      id: `${ctx.source}:topology`,
      source: ctx.source,
      adapter: "skywalking",
      kind: "topology",
      name: SIGNAL.apmTopology,
      value: edges.length,
      query: "query_services_topology",
      data: { nodes: (answer.nodes ?? []).map((n) => ({ name: n.name, type: n.type, real: n.isReal })), edges },
    },
  ];
}

async function alarms(ctx: AdapterContext, range: Record<string, string>): Promise<CatalogSignal[]> {
  const answer = await ctx.attempt("alarms", async () =>
    replyOf(await ctx.client.call("query_alarms", range), "query_alarms", alarmsAnswer),
  );
  if (!answer) return [];
  const list = Array.isArray(answer) ? answer : (answer.msgs ?? answer.items ?? []);
  return list.slice(0, ctx.limits.rows).map((a, i) => {
    const service = ctx.services.find((s) => s.config.skywalking && String(a.message ?? "").includes(s.config.skywalking.service))?.name;
    return {
      id: `${ctx.source}:alarm:${String(a.id ?? i)}`,
      source: ctx.source,
      adapter: "skywalking",
      kind: "event",
      service,
      name: SIGNAL.apmAlarm,
      query: "query_alarms",
      data: { message: a.message, scope: a.scope, startTime: a.startTime },
    };
  });
}
