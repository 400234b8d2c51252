import type { Signal, Window } from "../signals/types.js";
import { findAnomalies, type Anomaly } from "./anomalies.js";
import { rankRootCauses } from "./root-cause-rank.js";
import type { ChangeKind } from "./classify-change.js";

/** A change that reached production: a merged PR, a deployment, a commit. */
export type ChangeEvent = { id: string; kind: "pr" | "deployment" | "commit"; title: string; at: number; services: string[]; files: string[]; changeKinds: ChangeKind[]; url?: string };

export type Category = "code" | "config" | "infrastructure" | "dependency";

export type Hypothesis = {
  id: string;
  title: string;
  category: Category;
  service?: string;
  confidence: number;
  /** Signal ids (and change ids) behind it. */
  evidence: string[];
  reasons: string[];
  suspect?: ChangeEvent;
  /** What would confirm or refute it. */
  confirm: string;
};

export type TimelineEntry = { at: number; what: string; kind: "change" | "anomaly" };

export type RcaResult = {
  window: Window;
  onset?: { at: number; service?: string; detail: string };
  anomalies: Anomaly[];
  /** Services whose own anomaly comes from a dependency that went bad first. */
  symptoms: string[];
  hypotheses: Hypothesis[];
  timeline: TimelineEntry[];
  summary: string;
};

const LOOKBACK_MS = 6 * 3600_000;
const HALF_LIFE_MS = 45 * 60_000;
const CONFIG_KINDS: ChangeKind[] = ["kubernetes", "helm", "config", "infrastructure"];
const ago = (ms: number) => (ms < 3600_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3600_000).toFixed(1)} h`);
const clamp = (v: number) => Math.max(0, Math.min(0.95, Math.round(v * 100) / 100));

/** A path in a stack trace matches a changed file when one ends with the other. */
const fileMatch = (a: string, b: string) => a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);

/**
 * Root-cause analysis from the window's signals, the changes before it and the topology: ranked
 * hypotheses, each with a confidence, its evidence and how to confirm it. Pure and deterministic.
 */
export function analyseIncident(params: { signals: Signal[]; window: Window; changes: ChangeEvent[]; edges: Array<{ from: string; to: string }> }): RcaResult {
  const { signals, window, changes, edges } = params;
  const anomalies = findAnomalies(signals, window).sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity) || b.severity - a.severity);
  const strong = anomalies.filter((a) => a.kind !== "alert" && a.severity >= 0.3);
  const services = [...new Set(strong.map((a) => a.service).filter((s): s is string => !!s))];
  const onsetOf = (s: string) => Math.min(...strong.filter((a) => a.service === s && a.at !== undefined).map((a) => a.at!), Infinity);
  const timed = strong.filter((a) => a.at !== undefined);
  // The first sign of impact is the first metric that moved; logs and events only when no metric did.
  const METRIC_KINDS: Anomaly["kind"][] = ["error-rate", "latency", "sla", "traffic-drop"];
  const first = timed.find((a) => METRIC_KINDS.includes(a.kind)) ?? timed[0];
  const onsetAt = first?.at ?? window.from;
  // Cause versus symptom: a service is a symptom when something it calls is anomalous and went bad no later.
  const symptoms = services.filter((s) => edges.some((e) => e.from === s && services.includes(e.to) && onsetOf(e.to) <= onsetOf(s) + 60_000));
  const causeWeight = (s?: string) => (s && symptoms.includes(s) ? 0.6 : 1);
  const stackFiles = strong.flatMap((a) => a.files ?? []);
  const hypotheses: Omit<Hypothesis, "id">[] = [];

  // Changes shortly before the onset, weighed by time, overlap with the anomalous services and stack traces.
  for (const c of changes.filter((c) => c.at <= onsetAt + 5 * 60_000 && c.at >= onsetAt - LOOKBACK_MS)) {
    const gap = Math.max(0, onsetAt - c.at);
    const time = Math.exp((-Math.LN2 * gap) / HALF_LIFE_MS);
    const overlap = c.services.filter((s) => services.includes(s));
    const onCause = overlap.some((s) => !symptoms.includes(s));
    const inTraces = c.files.filter((f) => stackFiles.some((s) => fileMatch(s, f)));
    const isConfig = c.changeKinds.some((k) => CONFIG_KINDS.includes(k)) && !c.changeKinds.includes("code");
    const oomWithMemory = isConfig && strong.some((a) => a.kind === "oom" && overlap.includes(a.service ?? ""));
    const reasons = [`${c.kind === "deployment" ? "deployed" : "merged"} ${ago(gap)} before the onset`];
    if (overlap.length) reasons.push(`touches ${overlap.join(", ")}, which went bad`);
    if (inTraces.length) reasons.push(`changes ${inTraces.join(", ")}, named in the error stack traces`);
    if (oomWithMemory) reasons.push("changes the deployment of a service that is being OOMKilled");
    const confidence = 0.1 + 0.45 * time * (onCause ? 1 : overlap.length ? 0.5 : 0.15) + (inTraces.length ? 0.3 : 0) + (oomWithMemory ? 0.2 : 0);
    hypotheses.push({
      title: `${c.kind === "deployment" ? "Deployment" : "Change"} ${c.id} "${c.title}"`,
      category: isConfig ? "config" : "code",
      service: overlap[0] ?? c.services[0],
      confidence: clamp(confidence),
      evidence: [...new Set(strong.filter((a) => overlap.includes(a.service ?? "")).flatMap((a) => a.evidence))].slice(0, 6),
      reasons,
      suspect: c,
      confirm: `roll back ${c.id} (or compare a canary without it); the ${first?.detail.split(" ")[0] ?? "error rate"} should return to its level before ${new Date(onsetAt).toISOString()}`,
    });
  }

  const add = (a: Anomaly, category: Category, title: string, base: number, confirm: string) =>
    hypotheses.push({ title, category, service: a.service, confidence: clamp(base * a.severity * causeWeight(a.service)), evidence: a.evidence, reasons: [a.detail], confirm });
  for (const a of strong) {
    switch (a.kind) {
      case "db-locks":
        add(a, "dependency", "Lock contention in PostgreSQL", 0.95, "SELECT pid, pg_blocking_pids(pid), wait_event_type, left(query, 120) FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0 — the blocker should be the session named; ending it should release the waiters");
        break;
      case "db-connections":
        add(a, "dependency", "PostgreSQL connections exhausted", 0.9, "SELECT state, count(*) FROM pg_stat_activity GROUP BY state — near max_connections, with idle in transaction or leaked connections");
        break;
      case "db-slow":
        add(a, "dependency", "Slow queries in PostgreSQL", 0.6, "pg_stat_statements ordered by mean_exec_time: a statement whose mean time jumped at the onset");
        break;
      case "cache-evictions":
        add(a, "dependency", "Redis eviction storm (memory at maxmemory)", 0.9, "INFO stats: evicted_keys rising and keyspace hit ratio falling; raising maxmemory should stop it");
        break;
      case "oom":
        add(a, "infrastructure", `${a.service ?? "A service"} runs out of memory (OOMKilled)`, 0.75, "kubectl describe pod: Last State Terminated, Reason OOMKilled; memory usage against the limit over the window");
        break;
      case "node":
        add(a, "infrastructure", "Node pressure or eviction", 0.7, "kubectl describe node: conditions MemoryPressure/DiskPressure; evicted pods on that node");
        break;
      case "target-down":
        add(a, "dependency", `Dependency down: ${a.detail}`, 0.75, `up{${a.detail.split(" ")[0] ? `job="${a.detail.split(" ")[0]}"` : ""}} == 0 over the window; its callers' errors should start after it went down`);
        break;
      default:
        break;
    }
  }
  // A service that is anomalous while everything it calls is healthy, with no change to blame: its own
  // fault. The traversal from each failing entry point (a failing service no failing service calls)
  // gives the chain of failing services it explains; a longer chain is a stronger cause.
  const severityOf = new Map(services.map((x) => [x, Math.max(...strong.filter((a) => a.service === x).map((a) => a.severity))]));
  const entryPoints = services.filter((x) => !edges.some((e) => e.to === x && services.includes(e.from)));
  const chains = entryPoints.flatMap((target) => rankRootCauses({ edges, scores: severityOf, target, threshold: Number.MIN_VALUE }));
  for (const s of services.filter((x) => !symptoms.includes(x))) {
    const callers = edges.filter((e) => e.to === s && services.includes(e.from)).map((e) => e.from);
    if (!callers.length) continue;
    const own = strong.filter((a) => a.service === s);
    const chain = chains.filter((c) => c.node === s).sort((a, b) => b.path.length - a.path.length)[0]?.path;
    hypotheses.push({
      title: `${s} fails, and its callers (${callers.join(", ")}) fail because of it`,
      category: "dependency",
      service: s,
      confidence: clamp(0.3 + 0.3 * severityOf.get(s)! + 0.05 * Math.min(Math.max((chain?.length ?? 2) - 2, 0), 2)),
      evidence: own.flatMap((a) => a.evidence).slice(0, 6),
      reasons: [
        `${s} went bad ${Number.isFinite(onsetOf(s)) ? `at ${new Date(onsetOf(s)).toISOString()}` : ""}, before or with ${callers.join(", ")}`,
        ...(chain && chain.length > 2 ? [`explains the failing chain ${chain.join(" → ")}`] : []),
      ],
      confirm: `the errors of ${callers.join(", ")} should be calls to ${s} (traces or logs naming it)`,
    });
  }

  const ranked = hypotheses
    .sort((a, b) => b.confidence - a.confidence || a.title.localeCompare(b.title))
    .filter((h, i, all) => all.findIndex((x) => x.title === h.title) === i)
    .map((h, i) => ({ id: `h${i + 1}`, ...h }));
  const timeline: TimelineEntry[] = [
    ...changes.filter((c) => c.at >= onsetAt - LOOKBACK_MS && c.at <= window.to).map((c) => ({ at: c.at, what: `${c.id} ${c.title}`, kind: "change" as const })),
    ...timed.map((a) => ({ at: a.at!, what: `${a.service ?? ""} ${a.detail}`.trim(), kind: "anomaly" as const })),
  ].sort((a, b) => a.at - b.at);
  const top = ranked[0];
  const summary = !top || top.confidence < 0.35
    ? `Nothing stands out${strong.length ? `: ${strong.length} anomalies, none with a clear cause` : " in the signals of this window"}. Check the sources that did not answer and widen the window.`
    : `Most likely: ${top.title} (${Math.round(top.confidence * 100)}%)${first ? `; first sign ${first.service ? `on ${first.service} ` : ""}at ${new Date(first.at!).toISOString()}` : ""}.`;
  return { window, onset: first ? { at: first.at!, service: first.service, detail: first.detail } : undefined, anomalies, symptoms, hypotheses: ranked, timeline, summary };
}
