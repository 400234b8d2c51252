import type { RepoConfig } from "../config/repo-config.js";
import { promSelector } from "../signals/safe-values.js";
import type { ClassifiedFile } from "./classify-change.js";
import type { Baseline, ServiceProfile, TableProfile } from "./profile.js";

/**
 * One thing to watch after the deploy: a query runnable as written in its source's own language,
 * the normal it is compared with (and which window that normal comes from), and when to worry.
 * Thresholds never come from the live value: during an incident "twice today" is twice the fire.
 */
export type WatchItem = {
  service: string;
  what: string;
  /** The query to run, in the language of `source`: PromQL, a `swctl`/`kubectl` command, SQL, an Elasticsearch request. */
  query: string;
  source: "promql" | "mqe" | "kubernetes" | "sql" | "logs";
  /** The normal value the threshold comes from; undefined when no baseline was read. */
  baseline?: number;
  /** Where `baseline` (or, without one, the threshold) comes from. */
  basis: string;
  /** When to worry, e.g. `> 0.024`, `< 60`, `> 1.5× the same time last week`. */
  threshold: string;
  /** The alert condition, runnable as written (PromQL comparing with the baseline or with last week). */
  alert?: string;
  unit?: string;
};

const round = (v: number) => (Math.abs(v) >= 100 ? Math.round(v) : Number(v.toPrecision(3)));
/** An availability that is not 100 never reads as 100: cut, not rounded, to two decimals. */
export const availability = (v: number) => (v >= 100 ? "100" : (Math.floor(v * 100) / 100).toFixed(2));

const NO_BASELINE = "no baseline of normal was read: compared with the same time last week by the query itself";

type Rule = {
  what: string;
  template: string;
  unit: string;
  value?: Baseline;
  above: boolean;
  from: (b: number) => number;
  relative: number;
  fallback?: { threshold: number; basis: string };
};

function promItem(service: string, sel: string, r: Rule): WatchItem {
  const query = r.template.replaceAll("$selector", sel);
  const op = r.above ? ">" : "<";
  if (r.value) {
    const t = round(r.from(r.value.value));
    return {
      service,
      what: r.what,
      query,
      source: "promql",
      baseline: r.value.value,
      basis: r.value.basis,
      threshold: `${op} ${t}`,
      alert: `(${query}) ${op} ${t}`,
      unit: r.unit,
    };
  }
  if (r.fallback)
    return {
      service,
      what: r.what,
      query,
      source: "promql",
      basis: r.fallback.basis,
      threshold: `${op} ${r.fallback.threshold}`,
      alert: `(${query}) ${op} ${r.fallback.threshold}`,
      unit: r.unit,
    };
  return {
    service,
    what: r.what,
    query,
    source: "promql",
    basis: NO_BASELINE,
    threshold: `${op} ${r.relative}× the same time last week`,
    alert: `(${query}) ${op} ${r.relative} * (${query} offset 1w)`,
    unit: r.unit,
  };
}

/** Per touched service, the queries to watch with their baseline of normal and a threshold from it. */
export function watchList(
  profiles: ServiceProfile[],
  files: ClassifiedFile[],
  tables: TableProfile[],
  config: RepoConfig,
  productionData = true,
): WatchItem[] {
  const items: WatchItem[] = [];
  for (const p of profiles) {
    const svc = config.services[p.service];
    const labels = svc?.prometheus?.labels;
    if (labels && Object.keys(labels).length) {
      const sel = promSelector(labels);
      items.push(
        promItem(p.service, sel, {
          what: "error rate",
          template: config.metrics.errorRate,
          unit: "ratio",
          value: p.errorRate?.baseline,
          above: true,
          from: (b) => Math.max(b * 2, b + 0.01),
          relative: 2,
          fallback: { threshold: 0.01, basis: "no baseline of normal was read: a default of 1% errors" },
        }),
        promItem(p.service, sel, {
          what: "p95 latency",
          template: config.metrics.latencyP95,
          unit: "s",
          value: p.latencyP95?.baseline,
          above: true,
          from: (b) => b * 1.5,
          relative: 1.5,
        }),
        promItem(p.service, sel, {
          what: "traffic drop",
          template: config.metrics.requestRate,
          unit: "req/s",
          value: p.requestRate?.baseline,
          above: false,
          from: (b) => b * 0.5,
          relative: 0.5,
        }),
      );
    }
    if (svc?.skywalking) {
      items.push({
        service: p.service,
        what: "SLA",
        query: `swctl metrics exec --expression="service_sla/100" --service-name=${svc.skywalking.service}`,
        source: "mqe",
        basis: "a default SLO of 99.5% (SkyWalking gives no baseline of normal)",
        threshold: "< 99.5",
        unit: "%",
      });
    }
    if (svc?.kubernetes) {
      const selector = Object.entries(svc.kubernetes.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      const query = `kubectl get pods -n ${svc.kubernetes.namespace}${selector ? ` -l ${selector}` : ""} -o custom-columns=POD:.metadata.name,RESTARTS:.status.containerStatuses[*].restartCount`;
      const before = p.restarts?.value;
      items.push({
        service: p.service,
        what: "pod restarts",
        query,
        source: "kubernetes",
        ...(before !== undefined ? { baseline: before } : {}),
        basis:
          before !== undefined
            ? "restart count before the deploy (a counter: any rise is new)"
            : "restart count before the deploy: run the query now to record it",
        threshold: before !== undefined ? `> ${before}` : "any rise after the deploy",
        unit: "restarts",
      });
    }
    if (svc?.logs) {
      const f = svc.logs.fields;
      const lucene = (range: string) =>
        `${f.service}:"${svc.logs!.service ?? p.service}" AND ${f.level}:(error OR warn) AND ${f.timestamp}:[${range}]`;
      items.push({
        service: p.service,
        what: "error log lines",
        query: `GET ${svc.logs.index}/_count?q=${encodeURIComponent(lucene("now-15m TO now"))}`,
        source: "logs",
        basis: "the same 15 minutes yesterday, by the second query",
        threshold: "> 2× the same 15 minutes yesterday",
        alert: `GET ${svc.logs.index}/_count?q=${encodeURIComponent(lucene("now-1d-15m TO now-1d"))}`,
        unit: "lines per 15 min",
      });
    }
  }
  const migrating = [...new Set(files.flatMap((f) => f.migration?.tables ?? []))];
  for (const t of migrating) {
    const size = tables.find((x) => x.table === t);
    items.push({
      service: files.find((f) => f.migration?.tables.includes(t))?.services[0] ?? "database",
      what: `sessions blocked on ${t} during the migration`,
      query: `SELECT count(*) FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0 AND now() - query_start > interval '10 seconds' AND query ILIKE '%${t}%'`,
      source: "sql",
      ...(productionData ? { baseline: 0 } : {}),
      basis: productionData
        ? "no session waits on a lock for 10 s in normal operation"
        : "no source answered: a blocked session is never normal",
      threshold: `> 0${size?.rows ? ` (${(size.rows / 1e6).toFixed(1)}M rows)` : ""}`,
    });
  }
  return items;
}
