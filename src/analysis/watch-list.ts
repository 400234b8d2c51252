import type { RepoConfig } from "../config/repo-config.js";
import { promSelector } from "../signals/safe-values.js";
import type { ClassifiedFile } from "./classify-change.js";
import type { ServiceProfile, TableProfile } from "./profile.js";

/** One thing to watch after the deploy: where, what today looks like, and when to worry. */
export type WatchItem = {
  service: string;
  what: string;
  /** The query to run, in the language of `source`. */
  query: string;
  source: "promql" | "mqe" | "kubernetes" | "sql" | "logs";
  baseline?: number;
  /** Human threshold, e.g. `> 0.024` or `< 60`. */
  threshold: string;
  unit?: string;
};

const round = (v: number) => (Math.abs(v) >= 100 ? Math.round(v) : Number(v.toPrecision(3)));

/** Per touched service, the queries to watch with today's baseline and a suggested threshold. */
export function watchList(profiles: ServiceProfile[], files: ClassifiedFile[], tables: TableProfile[], config: RepoConfig): WatchItem[] {
  const items: WatchItem[] = [];
  for (const p of profiles) {
    const svc = config.services[p.service];
    const labels = svc?.prometheus?.labels;
    if (labels && Object.keys(labels).length) {
      const sel = promSelector(labels);
      const q = (t: string) => t.replaceAll("$selector", sel);
      const err = p.errorRate?.value;
      items.push({ service: p.service, what: "error rate", query: q(config.metrics.errorRate), source: "promql", baseline: err, threshold: `> ${round(err === undefined ? 0.01 : Math.max(err * 2, err + 0.01))}`, unit: "ratio" });
      const lat = p.latencyP95?.value;
      items.push({ service: p.service, what: "p95 latency", query: q(config.metrics.latencyP95), source: "promql", baseline: lat, threshold: lat === undefined ? "> 1.5× today" : `> ${round(lat * 1.5)}`, unit: "s" });
      const rate = p.requestRate?.value;
      items.push({ service: p.service, what: "traffic drop", query: q(config.metrics.requestRate), source: "promql", baseline: rate, threshold: rate === undefined ? "< 0.5× today" : `< ${round(rate * 0.5)}`, unit: "req/s" });
    }
    if (svc?.skywalking && p.sla) {
      items.push({ service: p.service, what: "SLA", query: `service_sla/100 (service_name=${svc.skywalking.service})`, source: "mqe", baseline: p.sla.value, threshold: `< ${round(Math.max(0, p.sla.value - 1))}`, unit: "%" });
    }
    if (svc?.kubernetes) {
      const selector = Object.entries(svc.kubernetes.labels).map(([k, v]) => `${k}=${v}`).join(",");
      items.push({ service: p.service, what: "pod restarts", query: `pods in ${svc.kubernetes.namespace}${selector ? ` -l ${selector}` : ""}: restarts`, source: "kubernetes", baseline: p.restarts?.value, threshold: `> ${(p.restarts?.value ?? 0) + 0}`, unit: "restarts" });
    }
    if (svc?.logs && p.errorLogs) {
      items.push({ service: p.service, what: "error log lines", query: `${svc.logs.index} ${svc.logs.fields.service}=${svc.logs.service ?? p.service} level error/warn`, source: "logs", baseline: p.errorLogs.value, threshold: `> ${round(p.errorLogs.value * 2 + 10)}`, unit: "lines per window" });
    }
  }
  const migrating = [...new Set(files.flatMap((f) => f.migration?.tables ?? []))];
  for (const t of migrating) {
    const size = tables.find((x) => x.table === t);
    items.push({
      service: files.find((f) => f.migration?.tables.includes(t))?.services[0] ?? "database",
      what: `locks on ${t} during the migration`,
      query: `SELECT pid, wait_event_type, left(query, 120) FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0`,
      source: "sql",
      baseline: 0,
      threshold: `> 0 blocked for 10 s${size?.rows ? ` (${(size.rows / 1e6).toFixed(1)}M rows)` : ""}`,
    });
  }
  return items;
}
