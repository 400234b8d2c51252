/**
 * The collection-level pass: every anomaly a report's signals show for the incident window — metric
 * onsets (confirmed by the per-series detector in `series-detector.ts`), states (locks, connections,
 * alerts, targets down), Kubernetes and datastore findings, and new log templates.
 */
import type { Signal, Window } from "../signals/types.js";
import { detectAlarms, findOnset, type Point } from "./series-detector.js";
import { redact, redactLines } from "../security/redact.js";
import { mineTemplates, templateText } from "./log-templates.js";
import { datastoreAnomalies } from "./findings/datastores.js";
import { findingText, kubernetesFindings, type K8sFinding } from "./findings/kubernetes/index.js";
import { SIGNAL } from "../signals/catalog.js";

const K8S_KIND: Partial<Record<K8sFinding["class"], Anomaly["kind"]>> = { oom: "oom", node: "node", eviction: "node" };

/** Kubernetes findings (src/analysis/findings/kubernetes): each an anomaly that carries its finding. */
export function kubernetesAnomalies(signals: Signal[]): Anomaly[] {
  return kubernetesFindings(signals).map((f) => ({
    service: f.service,
    kind: K8S_KIND[f.class] ?? "pod-failure",
    ...(f.at !== undefined ? { at: f.at } : {}),
    detail: findingText(f),
    severity: f.severity,
    evidence: f.evidence,
    finding: f,
  }));
}

/** Something abnormal in the incident window, with the signal that shows it. */
export type Anomaly = {
  service?: string;
  kind:
    | "error-rate"
    | "latency"
    | "sla"
    | "traffic-drop"
    | "pod-failure"
    | "oom"
    | "db-locks"
    | "db-connections"
    | "db-slow"
    | "cache-evictions"
    | "db-statement"
    | "datastore"
    | "alert"
    | "target-down"
    | "log-template"
    | "node";
  /** Onset (ms) when the signal has a time; undefined for point-in-time states. */
  at?: number;
  detail: string;
  /** 0..1: how far from normal. */
  severity: number;
  evidence: string[];
  /** Files named in stack traces (log templates). */
  files?: string[];
  /** Datastore findings: the tables a statement touches and the services that issue it. */
  tables?: string[];
  callers?: string[];
  /** The Kubernetes finding it is (object, reason in Kubernetes' words, fix). */
  finding?: K8sFinding;
};

const BAD_DIRECTION: Record<string, { kind: Anomaly["kind"]; up: boolean }> = {
  [SIGNAL.httpErrorRate]: { kind: "error-rate", up: true },
  [SIGNAL.httpLatencyP95]: { kind: "latency", up: true },
  [SIGNAL.apmLatencyAvg]: { kind: "latency", up: true },
  [SIGNAL.apmLatencyP95]: { kind: "latency", up: true },
  [SIGNAL.apmSla]: { kind: "sla", up: false },
  [SIGNAL.httpRequestRate]: { kind: "traffic-drop", up: false },
  [SIGNAL.logsErrorCount]: { kind: "error-rate", up: true },
  [SIGNAL.redisEvictionsRate]: { kind: "cache-evictions", up: true },
};

const STACK_FILE = /(?:\(|\s|^|")((?:[\w.@-]+\/)*[\w.@-]+\.(?:ts|js|tsx|jsx|py|rb|go|java|kt|cs|php|rs|scala))(?::|", line |:line )(\d+)/g;

/** Metric onsets inside the window that go the bad way (errors up, SLA down). */
function metricAnomalies(signals: Signal[], window: Window): Anomaly[] {
  const out: Anomaly[] = [];
  for (const s of signals) {
    const rule = BAD_DIRECTION[s.name];
    const points = s.series?.[0]?.points as Point[] | undefined;
    // Three points of old level and three of new are enough for findOnset to judge.
    if (!rule || !points || points.length < 6) continue;
    const onset = findOnset(points);
    if (!onset || onset.at < window.from || onset.at > window.to) continue;
    if (rule.up !== onset.change > 0) continue;
    if (!confirmedByDetector(points, window, rule.up)) continue;
    const ratio = onset.before !== 0 ? onset.after / onset.before : Infinity;
    out.push({
      service: s.service,
      kind: rule.kind,
      at: onset.at,
      detail: `${s.name} ${fmt(onset.before)} → ${fmt(onset.after)}${Number.isFinite(ratio) ? ` (×${ratio.toFixed(1)})` : ""}`,
      severity: Math.min(1, Math.abs(Math.log2(Math.max(Math.abs(ratio), 1e-3))) / 4 + onset.score / 40),
      evidence: [s.id],
    });
  }
  return out;
}

/**
 * A level shift is only an anomaly when the streaming detector, which learnt the baseline's own
 * noise, also alarms in the window, the bad way. Series with too short a baseline for that
 * (under 12 points before the window) keep the onset alone.
 */
function confirmedByDetector(points: Point[], window: Window, up: boolean): boolean {
  const baseline = points.findIndex((p) => p[0] >= window.from);
  if (baseline < 12) return true;
  const alarms = detectAlarms(points, { window: baseline, warmup: baseline, cooldown: 0 });
  return alarms.some((a) => a.at <= window.to && (a.direction === "up") === up);
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

function stateAnomalies(signals: Signal[]): Anomaly[] {
  const out: Anomaly[] = [];
  for (const s of signals) {
    const d = s.data ?? {};
    if (s.name === SIGNAL.pgBlockedQueries && (s.value ?? 0) > 0) {
      const chain = (
        d.chains as Array<{ pid: number; waiting_s?: number; blockedBy: Array<{ pid: number; state?: string; query?: string }> }>
      )[0];
      const blocker = chain?.blockedBy[0];
      out.push({
        service: s.service,
        kind: "db-locks",
        detail: `${s.value} blocked quer${s.value === 1 ? "y" : "ies"}; pid ${chain?.pid} waits ${chain?.waiting_s ?? "?"} s on pid ${blocker?.pid} (${blocker?.state ?? "?"}: ${blocker?.query ? redact(blocker.query) : "?"})`,
        severity: 0.85,
        evidence: [s.id],
      });
    } else if (s.name === SIGNAL.pgConnections && Number(d.usage) >= 0.9) {
      out.push({
        service: s.service,
        kind: "db-connections",
        detail: `${s.value} of ${d.max_connections} connections in use (${d.idle_in_transaction ?? 0} idle in transaction)`,
        severity: Number(d.usage),
        evidence: [s.id],
      });
    } else if (s.name === SIGNAL.pgLongRunningQueries && (s.value ?? 0) > 0) {
      out.push({
        service: s.service,
        kind: "db-slow",
        detail: `${s.value} quer${s.value === 1 ? "y" : "ies"} running over 30 s`,
        severity: 0.6,
        evidence: [s.id],
      });
    } else if (s.name === SIGNAL.alertHistory) {
      const [fired, resolved] = [Number(d.firedAt), d.resolvedBy === undefined ? undefined : Number(d.resolvedBy)];
      const when = (t: number) => new Date(t).toISOString().slice(11, 16);
      out.push({
        service: s.service,
        kind: "alert",
        at: fired,
        severity: d.severity === "critical" ? 0.7 : 0.5,
        evidence: [s.id],
        detail: `${String(d.alertname ?? "alert")} fired at ${when(fired)}${resolved !== undefined ? ` and resolved by ${when(resolved)}` : ", still firing"}${Number(d.firings) > 1 ? ` (${d.firings} times)` : ""}`,
      });
    } else if (s.name === SIGNAL.alertFiring && signals.some((x) => x.id === s.id.replace(":alert:", ":alert-history:"))) {
      // The same alert's history says more (when it started): it stands for both.
    } else if (s.name === SIGNAL.alertFiring || s.name === SIGNAL.apmAlarm) {
      out.push({
        service: s.service,
        kind: "alert",
        detail: String(d.alertname ?? d.message ?? "alert"),
        severity: d.severity === "critical" ? 0.7 : 0.5,
        evidence: [s.id],
      });
    } else if (s.name === SIGNAL.targetDown) {
      out.push({ service: s.service, kind: "target-down", detail: `${d.job} ${d.instance} is down`, severity: 0.8, evidence: [s.id] });
    }
  }
  return out;
}

/** Log templates of the window that the baseline did not have (or had far less of), with stack-trace files. */
export function logAnomalies(signals: Signal[], window: Window): Anomaly[] {
  const out: Anomaly[] = [];
  for (const s of signals.filter((x) => x.name === SIGNAL.logsSamples || x.name === SIGNAL.k8sPodLog)) {
    const raw = ((s.data?.lines ?? []) as Array<string | { time?: string; message: string }>).map((l) =>
      typeof l === "string" ? { message: l, time: /^\S+Z/.exec(l)?.[0] } : l,
    );
    // Redact the raw lines before the miner masks digits and the detail is cut: either one first leaves a token's head or tail.
    const clean = redactLines(raw.map((l) => l.message));
    const lines = raw.map((l, i) => ({ ...l, message: clean[i]! }));
    const { assignment, templates } = mineTemplates(lines.map((l) => l.message.replace(/^\S+Z\s+/, "")));
    const inWindow = new Map<number, number>();
    const before = new Map<number, number>();
    const first = new Map<number, number>();
    lines.forEach((l, i) => {
      const t = l.time ? Date.parse(l.time) : NaN;
      const id = assignment[i]!;
      const bucket = Number.isFinite(t) && t < window.from ? before : inWindow;
      bucket.set(id, (bucket.get(id) ?? 0) + 1);
      if (Number.isFinite(t) && bucket === inWindow) first.set(id, Math.min(first.get(id) ?? Infinity, t));
    });
    for (const g of templates) {
      const n = inWindow.get(g.id) ?? 0;
      const b = before.get(g.id) ?? 0;
      if (n === 0 || (b > 0 && n < 3 * b)) continue;
      const text = templateText(g);
      const files = [
        ...new Set(lines.filter((_, i) => g.lines.includes(i)).flatMap((l) => [...l.message.matchAll(STACK_FILE)].map((m) => m[1]!))),
      ];
      out.push({
        service: s.service,
        kind: "log-template",
        at: Number.isFinite(first.get(g.id)) ? first.get(g.id) : undefined,
        detail: `${b ? `×${(n / b).toFixed(1)}` : "new"}: "${text.slice(0, 140)}" (${n} lines)`,
        severity: Math.min(1, 0.15 + n / 20),
        evidence: [s.id],
        ...(files.length ? { files } : {}),
      });
    }
  }
  return out;
}

/** Every anomaly the signals show for the incident window; `before` holds the state read as of its start (for counters' rates). */
export function findAnomalies(signals: Signal[], window: Window, before: Signal[] = []): Anomaly[] {
  return [
    ...metricAnomalies(signals, window),
    ...stateAnomalies(signals),
    ...kubernetesAnomalies(signals),
    ...logAnomalies(signals, window),
    ...datastoreAnomalies(signals, before, window),
  ];
}
