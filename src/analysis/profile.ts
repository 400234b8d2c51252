import type { RepoConfig } from "../config/repo-config.js";
import type { CollectionResult, Signal } from "../signals/types.js";
import { SIGNAL } from "../signals/catalog.js";

/** A metric's normal, read apart from its live value; `basis` says which window it is (see `metricBaseline`). */
export type Baseline = { value: number; basis: string };
export type Value = { value: number; id: string; baseline?: Baseline };

/** What a service does in production now, from the signals; undefined fields were not seen. */
export type ServiceProfile = {
  service: string;
  tier: RepoConfig["services"][string]["tier"];
  requestRate?: Value;
  errorRate?: Value & { rising: boolean; series?: number[] };
  /**
   * The error-rate query answered something that is not a ratio (a value outside 0..1: a request
   * count, a percentage): the query is wrong, so there is no `errorRate` and reports name the query.
   */
  badErrorRate?: { id: string; query: string; value: number };
  latencyP95?: Value & { series?: number[] };
  sla?: Value;
  alerts: Array<{ name: string; severity?: string; id: string }>;
  /** Total restarts, failing pods, and restarts whose last one was within the hour. */
  restarts?: Value & { failing: number; recent: number };
  errorLogs?: Value;
  errorTraces?: Value;
  /** Who calls this service (topology and `dependsOn`). */
  dependents: string[];
  dependencies: string[];
  topologyId?: string;
  /** undefined: could not tell (no source shows alert rules). */
  hasAlertRule?: boolean;
  hasTraces: boolean;
  hasErrorMetric: boolean;
};

export type TableProfile = { table: string; rows?: number; bytes?: number; writes?: number; id: string };

/** `45s`, `11m`, `2h`, `3d` (kubectl's "ago") in minutes. */
export function agoMinutes(ago?: string): number | undefined {
  const m = /^(\d+)([smhd])/.exec(ago ?? "");
  return m ? Number(m[1]) * { s: 1 / 60, m: 1, h: 60, d: 1440 }[m[2] as "s" | "m" | "h" | "d"] : undefined;
}

const points = (s?: Signal) => s?.series?.[0]?.points.map((p) => p[1]) ?? [];

/** The first value of a ratio signal (its value, then its series) outside 0..1; undefined when it is a ratio. */
export function notARatio(s: Signal): number | undefined {
  return [s.value, ...(s.series ?? []).flatMap((x) => x.points.map((p) => p[1]))].find((v) => v !== undefined && !(v >= 0 && v <= 1));
}

/** True when the last quarter of a series averages over twice its first half (and is not tiny). */
export function rising(values: number[], floor = 0.005): boolean {
  if (values.length < 8) return false;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const early = mean(values.slice(0, Math.floor(values.length / 2)));
  const late = mean(values.slice(Math.floor((values.length * 3) / 4)));
  return late > floor && late > 2 * early;
}

/** Services that call `service`: topology edges into it and services that declare `dependsOn` it. */
export function topology(collection: CollectionResult | undefined, config: RepoConfig) {
  const topo = collection?.signals.find((s) => s.kind === "topology");
  const edges = [
    ...((topo?.data?.edges as Array<{ from: string; to: string }> | undefined) ?? []),
    ...Object.entries(config.services).flatMap(([name, s]) => s.dependsOn.map((to) => ({ from: name, to }))),
  ];
  const unique = [...new Map(edges.filter((e) => e.from !== e.to).map((e) => [`${e.from}>${e.to}`, e])).values()];
  return { edges: unique, id: topo?.id };
}

export function profileServices(names: string[], collection: CollectionResult | undefined, config: RepoConfig): ServiceProfile[] {
  const signals = collection?.signals ?? [];
  const { edges, id: topologyId } = topology(collection, config);
  const apmSources = new Set((collection?.sources ?? []).filter((s) => s.provides.includes("apm")).map((s) => s.source));
  const rules = signals.find((s) => s.name === SIGNAL.alertRules);
  return names.map((service) => {
    const mine = signals.filter((s) => s.service === service);
    const find = (name: string) => mine.find((s) => s.name === name);
    const baselineOf = (s?: Signal): { baseline?: Baseline } => {
      const b = s?.data?.baseline as Baseline | undefined;
      return b && typeof b.value === "number" && Number.isFinite(b.value) && typeof b.basis === "string"
        ? { baseline: { value: b.value, basis: b.basis } }
        : {};
    };
    const val = (s?: Signal): Value | undefined =>
      s && s.value !== undefined ? { value: s.value, id: s.id, ...baselineOf(s) } : undefined;
    const cfg = config.services[service];
    const readErrors = find(SIGNAL.httpErrorRate);
    const impossible = readErrors && notARatio(readErrors);
    const errors = impossible === undefined ? readErrors : undefined;
    const latency = find(SIGNAL.httpLatencyP95) ?? find(SIGNAL.apmLatencyP95);
    const pods = find(SIGNAL.k8sPods);
    const selector = Object.values(cfg?.prometheus?.labels ?? {});
    const ruleList = (rules?.data?.rules as Array<{ query: string; labels?: Record<string, string> }> | undefined) ?? undefined;
    return {
      service,
      tier: cfg?.tier ?? "medium",
      requestRate: val(find(SIGNAL.httpRequestRate)),
      errorRate:
        errors && errors.value !== undefined
          ? { value: errors.value, id: errors.id, ...baselineOf(errors), rising: rising(points(errors)), series: points(errors) }
          : undefined,
      latencyP95:
        latency && latency.value !== undefined
          ? { value: latency.value, id: latency.id, ...baselineOf(latency), series: points(latency) }
          : undefined,
      ...(readErrors && impossible !== undefined
        ? { badErrorRate: { id: readErrors.id, query: readErrors.query, value: impossible } }
        : {}),
      sla: val(find(SIGNAL.apmSla)),
      alerts: mine
        .filter((s) => s.name === SIGNAL.alertFiring || s.name === SIGNAL.apmAlarm)
        .map((s) => ({
          name: String(s.data?.alertname ?? s.data?.message ?? s.name),
          severity: s.data?.severity as string | undefined,
          id: s.id,
        })),
      restarts:
        pods && pods.value !== undefined
          ? {
              value: pods.value,
              id: pods.id,
              failing: Number(pods.data?.failing ?? 0),
              recent: ((pods.data?.pods as Array<{ restarts: number; lastRestartAgo?: string }> | undefined) ?? [])
                .filter((p) => p.restarts > 0 && (agoMinutes(p.lastRestartAgo) ?? Infinity) <= 60)
                .reduce((n, p) => n + p.restarts, 0),
            }
          : undefined,
      errorLogs: val(find(SIGNAL.logsErrorCount)),
      errorTraces: val(find(SIGNAL.apmErrorTraces)),
      dependents: edges.filter((e) => e.to === service).map((e) => e.from),
      dependencies: edges.filter((e) => e.from === service).map((e) => e.to),
      topologyId,
      hasAlertRule:
        ruleList && selector.length
          ? ruleList.some((r) => selector.some((v) => r.query.includes(`"${v}"`) || Object.values(r.labels ?? {}).includes(v)))
          : undefined,
      hasTraces: mine.some((s) => apmSources.has(s.source) && s.kind !== "event"),
      hasErrorMetric: !!readErrors,
    };
  });
}

/** Sizes and write rates of the tables a change touches, from PostgreSQL's statistics. */
export function profileTables(tables: string[], collection: CollectionResult | undefined): TableProfile[] {
  const signal = collection?.signals.find((s) => s.name === SIGNAL.pgTables);
  const rows = (signal?.data?.tables as Array<Record<string, unknown>> | undefined) ?? [];
  return tables.flatMap((t) => {
    const hit = rows.find((r) => {
      const name = String(r.table).toLowerCase();
      return name === t || name === `${t}s` || name.endsWith(`_${t}`) || name.endsWith(`_${t}s`);
    });
    return hit && signal ? [{ table: t, rows: Number(hit.rows), bytes: Number(hit.bytes), writes: Number(hit.writes), id: signal.id }] : [];
  });
}
