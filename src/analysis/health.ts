import type { RepoConfig } from "../config/repo-config.js";
import type { CollectionResult, Signal, Window } from "../signals/types.js";
import { findAnomalies } from "./find-anomalies.js";
import { monitoringGaps } from "./monitoring-gaps.js";
import { notARatio, profileServices, type ServiceProfile } from "./profile.js";
import { SIGNAL } from "../signals/catalog.js";

export type HealthProblem = {
  /** Stable across scans, so a problem seen before is not "new". */
  key: string;
  service?: string;
  kind:
    | "memory-growth"
    | "error-rate-rising"
    | "saturation"
    | "restarts"
    | "alert"
    | "target-down"
    | "database"
    | "cache"
    | "node"
    | "monitoring-gap";
  severity: "warning" | "critical";
  text: string;
  evidence: string[];
  /** 0..1: how sure the scan is (fit of a trend, or 1 for a state it saw). */
  confidence: number;
  /** What to add or do about it (an alert rule for a gap or a trend). */
  suggestion?: string;
};

export type ServiceHealth = {
  service: string;
  status: "ok" | "warning" | "critical";
  profile: ServiceProfile;
  memory?: number[];
  errors?: number[];
};
export type HealthScan = { window: Window; services: ServiceHealth[]; problems: HealthProblem[] };

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Least-squares line through (hours, value): slope per hour and R², which say how fast and how
 * steadily the series moves. `first` and `last` are what was observed at the window's ends (the
 * median of its first and last few points), not the line's ends: a line fitted through a series
 * that climbs late starts below zero (an error rate of "-2.44%"), and ends below what was seen.
 */
export function trend(points: Array<[number, number]>): { slopePerHour: number; r2: number; first: number; last: number } | undefined {
  if (points.length < 6) return undefined;
  const xs = points.map((p) => (p[0] - points[0]![0]) / 3_600_000);
  const ys = points.map((p) => p[1]);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  const k = Math.min(5, Math.ceil(ys.length / 4));
  return { slopePerHour: slope, r2, first: median(ys.slice(0, k)), last: median(ys.slice(-k)) };
}

const pts = (s?: Signal) => (s?.series?.[0]?.points ?? []) as Array<[number, number]>;
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(b >= 100 * 1024 * 1024 ? 0 : 1)} MB`;
const hours = (h: number) => (h < 48 ? `${Math.round(h)} h` : `${Math.round(h / 24)} days`);

/** Problems from trends: memory growing steadily, error rate rising, saturation approaching its limit. */
function trendProblems(signals: Signal[], horizonHours: number): HealthProblem[] {
  const out: HealthProblem[] = [];
  for (const s of signals) {
    const t = trend(pts(s));
    if (!t) continue;
    if (s.name === SIGNAL.processMemoryBytes && t.slopePerHour > 0 && t.r2 >= 0.6 && t.last >= t.first * 1.1) {
      const growth = (t.last / Math.max(t.first, 1) - 1) * 100;
      out.push({
        key: `memory-growth:${s.service ?? s.id}`,
        service: s.service,
        kind: "memory-growth",
        severity: growth >= 50 ? "critical" : "warning",
        text: `memory grows steadily: ${mb(t.first)} → ${mb(t.last)} (+${growth.toFixed(0)}%, ${mb(t.slopePerHour)}/h, fit R² ${t.r2.toFixed(2)}) — a leak until shown otherwise`,
        evidence: [s.id],
        confidence: Math.min(1, t.r2),
        suggestion: `- alert: MemoryGrowing\n  expr: deriv(${s.query}[1h]) > 0 and ${s.query} > 1.5 * ${s.query} offset 6h\n  for: 30m\n  labels: { severity: warning${s.service ? `, service: ${s.service}` : ""} }`,
      });
    }
    // An error "rate" outside 0..1 is a wrong query, not a trend: the report names it (see badErrorRate).
    if (
      s.name === SIGNAL.httpErrorRate &&
      notARatio(s) === undefined &&
      t.slopePerHour > 0 &&
      t.r2 >= 0.5 &&
      t.last >= 0.01 &&
      t.last >= 2 * Math.max(t.first, 0.001)
    ) {
      out.push({
        key: `error-rate-rising:${s.service ?? s.id}`,
        service: s.service,
        kind: "error-rate-rising",
        severity: t.last >= 0.05 ? "critical" : "warning",
        text: `error rate rising: ${(t.first * 100).toFixed(2)}% → ${(t.last * 100).toFixed(2)}% over the window (fit R² ${t.r2.toFixed(2)})`,
        evidence: [s.id],
        confidence: Math.min(1, t.r2),
      });
    }
    if ((s.name === SIGNAL.redisMemoryUsage || s.name === SIGNAL.pgConnectionsUsage) && t.last >= 0.6) {
      const eta = t.slopePerHour > 0 ? (1 - t.last) / t.slopePerHour : Infinity;
      if (t.last >= 0.75 || eta <= horizonHours) {
        const what = s.name === SIGNAL.redisMemoryUsage ? "Redis memory" : "PostgreSQL connections";
        out.push({
          key: `saturation:${s.name}`,
          service: s.service,
          kind: "saturation",
          severity: t.last >= 0.9 || eta <= 24 ? "critical" : "warning",
          text: `${what} at ${(t.last * 100).toFixed(0)}% of the limit${Number.isFinite(eta) ? `, reaching it in ~${hours(eta)} at this rate` : ""}`,
          evidence: [s.id],
          confidence: Number.isFinite(eta) ? Math.min(1, Math.max(t.r2, 0.5)) : 1,
        });
      }
    }
  }
  return out;
}

const STATE_KIND: Record<string, HealthProblem["kind"] | undefined> = {
  "pod-failure": "restarts",
  oom: "restarts",
  alert: "alert",
  "target-down": "target-down",
  "db-locks": "database",
  "db-connections": "database",
  "db-slow": "database",
  "cache-evictions": "cache",
  node: "node",
};

/**
 * A repository's health now: per service its profile and status, and the problems — trends that
 * will hurt (memory growing, error rate rising, saturation approaching a limit), states that hurt
 * now (restarts, firing alerts, targets down, database and cache saturation) and monitoring gaps.
 * Pure: the same signals give the same scan.
 */
export function scanHealth(params: {
  collection: CollectionResult;
  config: RepoConfig;
  window: Window;
  horizonHours?: number;
}): HealthScan {
  const { collection, config, window } = params;
  const signals = collection.signals;
  const problems = [...trendProblems(signals, params.horizonHours ?? 72)];
  for (const a of findAnomalies(signals, window)) {
    const kind = STATE_KIND[a.kind];
    if (!kind) continue;
    const detail = a.detail.replace(/\d+(\.\d+)?/g, "#").slice(0, 60);
    problems.push({
      key: `${kind}:${a.service ?? "-"}:${a.kind === "alert" ? a.detail : detail}`,
      service: a.service,
      kind,
      severity: a.severity >= 0.8 ? "critical" : "warning",
      text: a.detail,
      evidence: a.evidence,
      confidence: 1,
    });
  }
  const names = Object.keys(config.services);
  const profiles = profileServices(names, collection, config);
  const sourcesSeen = {
    rules: signals.some((s) => s.name === SIGNAL.alertRules),
    apm: collection.sources.some((s) => s.provides.includes("apm") && s.status === "ok"),
    metrics: collection.sources.some((s) => s.provides.includes("metrics") && s.status === "ok"),
  };
  for (const g of monitoringGaps(profiles, [], config, sourcesSeen)) {
    problems.push({
      key: `monitoring-gap:${g.service}:${g.kind}`,
      service: g.service,
      kind: "monitoring-gap",
      severity: "warning",
      text: g.gap,
      evidence: [],
      confidence: 1,
      suggestion: g.suggestion,
    });
  }
  const unique = [...new Map(problems.map((p) => [p.key, p])).values()];
  const services = profiles.map((profile) => {
    const mine = unique.filter((p) => p.service === profile.service && p.kind !== "monitoring-gap");
    const series = (name: string) =>
      signals.find((s) => s.service === profile.service && s.name === name)?.series?.[0]?.points.map((p) => p[1]);
    return {
      service: profile.service,
      status: mine.some((p) => p.severity === "critical") ? ("critical" as const) : mine.length ? ("warning" as const) : ("ok" as const),
      profile,
      memory: series(SIGNAL.processMemoryBytes),
      errors: profile.badErrorRate ? undefined : series(SIGNAL.httpErrorRate),
    };
  });
  return {
    window,
    services,
    problems: unique.sort((a, b) => (a.severity === b.severity ? a.key.localeCompare(b.key) : a.severity === "critical" ? -1 : 1)),
  };
}
