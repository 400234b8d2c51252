import type { Signal } from "../../signals/types.js";
import type { Anomaly } from "../find-anomalies.js";
import { linkChange, type Link } from "./links.js";
import type { Mechanism } from "./mechanisms.js";
import type { CallEdge, RankedService } from "./service-ranking.js";
import { touches } from "./touches.js";
import type { Drift } from "../state-drift.js";
import type { Category, ChainLink, ChangeEvent, ChangeTouch, Features, Hypothesis } from "./types.js";

export type Candidate = Omit<Hypothesis, "id" | "confidence">;

type Context = {
  strong: Anomaly[];
  mechanisms: Mechanism[];
  ranked: RankedService[];
  changes: ChangeEvent[];
  edges: CallEdge[];
  signals: Signal[];
  onsetAt: number;
  drifts?: Drift[];
};

/** What kind of change moves a drifted setting (state-drift.ts's setting names). */
export function driftKind(d: Drift): ChangeTouch["kind"] {
  const k = d.setting;
  if (/^maxmemory|^maxclients/.test(k)) return "cache";
  if (/max_connections/.test(k)) return "database";
  if (/\.(schedule|suspend)$/.test(k)) return "schedule";
  if (/^scheduling\./.test(k)) return "affinity";
  if (/\.(limits|requests)\./.test(k)) return "resources";
  if (k === "replicas") return "replicas";
  if (/\.image$/.test(k)) return "image";
  return "config";
}

const CONFIG_KINDS = ["kubernetes", "helm", "config", "infrastructure"];
const ago = (ms: number) =>
  ms < 3600_000
    ? `${Math.round(ms / 60_000)} min`
    : ms < 72 * 3600_000
      ? `${(ms / 3600_000).toFixed(1)} h`
      : `${(ms / 86_400_000).toFixed(1)} d`;
/** A path in a stack trace matches a changed file when one ends with the other. */
const fileMatch = (a: string, b: string) => a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
/** Recency on a log scale, with no cut-off: 1 at the onset, ½ at 15 min, ~0.3 at 1 h, ~0.15 at a day. */
export const recency = (gapMs: number) => 1 / (1 + Math.log2(1 + Math.max(0, gapMs) / 900_000));
const KIND_WORD: Partial<Record<Anomaly["kind"], string>> = {
  "error-rate": "errors",
  latency: "latency",
  sla: "SLA",
  "traffic-drop": "traffic drop",
  "log-template": "new log errors",
  "pod-failure": "pod failures",
  oom: "OOMKills",
};
const uniq = <T>(xs: T[]) => [...new Set(xs)];

/**
 * Deployments linked to the PR (or commit) they ship: one change that reached production when it
 * was deployed, not two rivals. A deployment names what it ships by `ships`, or by the id in its title.
 */
export function linkDeployments(changes: ChangeEvent[]): Array<{ change: ChangeEvent; deployments: ChangeEvent[]; at: number }> {
  const shipped = new Map<string, ChangeEvent[]>();
  const target = (d: ChangeEvent) =>
    changes.find(
      (c) =>
        c.kind !== "deployment" &&
        (d.ships === c.id || (!d.ships && new RegExp(`(^|[^\\w])${c.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w])`).test(d.title))),
    );
  for (const d of changes.filter((c) => c.kind === "deployment")) {
    const t = target(d);
    if (t) shipped.set(t.id, [...(shipped.get(t.id) ?? []), d]);
  }
  const linked = new Set([...shipped.values()].flat());
  return changes
    .filter((c) => !linked.has(c))
    .map((c) => {
      const deployments = shipped.get(c.id) ?? [];
      // It reached production when it was last deployed before the onset (or merged, with no deployment seen).
      return {
        change: { ...c, services: uniq([...c.services, ...deployments.flatMap((d) => d.services)]) },
        deployments,
        at: Math.max(c.at, ...deployments.map((d) => d.at)),
      };
    });
}

/** Who fails because of `service`: it and its anomalous callers, transitively. */
function affected(service: string | undefined, ctx: Context): string[] {
  const anomalous = new Set(ctx.ranked.map((r) => r.service));
  if (!service) return ctx.ranked.filter((r) => !r.symptomOf).map((r) => r.service);
  const seen = [service];
  for (let i = 0; i < seen.length; i++)
    for (const e of ctx.edges) if (e.to === seen[i] && anomalous.has(e.from) && !seen.includes(e.from)) seen.push(e.from);
  // Traffic drops on callees of a failing service are its doing too.
  for (const r of ctx.ranked) if (r.symptomOf?.some((x) => seen.includes(x)) && !seen.includes(r.service)) seen.push(r.service);
  return seen.filter((s) => anomalous.has(s) || s === service);
}

function symptomLinks(services: string[], ctx: Context): ChainLink[] {
  return services.flatMap((s) => {
    const own = ctx.strong.filter((a) => a.service === s && KIND_WORD[a.kind]);
    if (!own.length) return [];
    const kinds = uniq(
      own.map((a) => {
        const ratio = /\(×([\d.]+)\)/.exec(a.detail)?.[1];
        return `${KIND_WORD[a.kind]}${ratio ? ` ×${ratio}` : ""}`;
      }),
    );
    return [
      {
        role: "symptom" as const,
        service: s,
        text: `${s} ${kinds.slice(0, 3).join(", ")}`,
        evidence: uniq(own.flatMap((a) => a.evidence)).slice(0, 4),
      },
    ];
  });
}

const features = (f: Partial<Features>): Features => ({
  change: 0,
  link: 0,
  onCause: 0,
  recency: 0,
  traces: 0,
  mechanism: 0,
  service: 0,
  symptom: 0,
  explains: 0,
  lead: 0,
  ...f,
});

/**
 * A service's anomaly against the strongest one's, 0..1: the ranking core's z where it scored the
 * service (a z of 200 and one of 70 both map to a `score` of 1, so only the z tells them apart),
 * else the rules' score against the strongest such score.
 */
function leadOf(ranked: RankedService[]): (service?: string) => number {
  const maxZ = Math.max(0, ...ranked.map((r) => r.z ?? 0));
  const maxScore = Math.max(0, ...ranked.map((r) => r.score));
  return (service) => {
    const r = service ? ranked.find((x) => x.service === service) : undefined;
    if (!r) return 0;
    return r.z !== undefined && maxZ > 0 ? r.z / maxZ : maxScore > 0 ? r.score / maxScore : 0;
  };
}

const RESOURCE_WORD: Record<string, string> = {
  cpu: "CPU saturation",
  memory: "memory pressure",
  io: "IO saturation",
  disk: "disk saturation",
  network: "network saturation",
  saturation: "saturation",
};
/**
 * PromQL to look at a resource by hand (cAdvisor and kube-state-metrics names, the pods of the
 * service by name prefix), beside the query of the series that showed it when the source was Prometheus.
 */
export function resourceQueries(kind: string, service: string, signal?: Signal): string[] {
  const pod = `pod=~"${service.replace(/[^\w.-]/g, "")}-.*"`;
  const own = signal?.adapter === "prometheus" && signal.query ? [signal.query] : [];
  const standard: Record<string, string[]> = {
    cpu: [
      `sum by (pod) (rate(container_cpu_usage_seconds_total{${pod}}[5m]))`,
      `sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{${pod}}[5m])) / sum by (pod) (rate(container_cpu_cfs_periods_total{${pod}}[5m]))`,
    ],
    memory: [
      `sum by (pod) (container_memory_working_set_bytes{${pod}})`,
      `sum by (pod) (kube_pod_container_resource_limits{resource="memory",${pod}})`,
    ],
    io: [`sum by (pod) (rate(container_fs_reads_bytes_total{${pod}}[5m]) + rate(container_fs_writes_bytes_total{${pod}}[5m]))`],
    disk: [`sum by (pod) (container_fs_usage_bytes{${pod}})`, `sum by (pod) (rate(container_fs_writes_bytes_total{${pod}}[5m]))`],
    network: [
      `sum by (pod) (rate(container_network_receive_bytes_total{${pod}}[5m]))`,
      `sum by (pod) (rate(container_network_transmit_bytes_total{${pod}}[5m]))`,
      `sum by (pod) (rate(container_network_receive_packets_dropped_total{${pod}}[5m]))`,
    ],
  };
  return [...new Set([...own, ...(standard[kind] ?? [])])];
}

/**
 * Every candidate chain root → mechanism → symptoms: one per change (through the mechanism it
 * explains best, or through the faults of the services it touches), one per mechanism no change
 * explains well, one per anomalous service that is a cause in its own right.
 */
export function buildCandidates(ctx: Context): Candidate[] {
  const { strong, mechanisms, ranked, signals, onsetAt } = ctx;
  const anomalous = ranked.map((r) => r.service);
  const scoreOf = (s?: string) => (s ? (ranked.find((r) => r.service === s)?.score ?? 0) : Math.max(0, ...ranked.map((r) => r.score)));
  const isSymptom = (s?: string) => !!s && !!ranked.find((r) => r.service === s)?.symptomOf;
  const explains = (svcs: string[]) => (anomalous.length ? svcs.filter((s) => anomalous.includes(s)).length / anomalous.length : 0);
  const stackFiles = strong.flatMap((a) => a.files ?? []);
  const lead = leadOf(ranked);
  const out: Candidate[] = [];
  const bestLink = new Map<Mechanism, number>();

  // Changes that reached production before the onset (plus a few minutes of clock skew); none is too old to matter.
  for (const { change: c, deployments, at } of linkDeployments(ctx.changes).filter((x) => x.at <= onsetAt + 5 * 60_000)) {
    const gap = Math.max(0, onsetAt - at);
    const touched = touches(c);
    const links = mechanisms
      .map((m) => ({ m, link: linkChange(c, touched, m, signals) }))
      .filter((x) => x.link.strength > 0)
      .sort((a, b) => b.link.strength - a.link.strength);
    const top = links[0] as { m: Mechanism; link: Link } | undefined;
    // A setting this change moves that is seen in force now and not before the window: the change took effect.
    const inForce = (ctx.drifts ?? []).filter(
      (d) => touched.some((t) => t.kind === driftKind(d)) && (!d.service || !c.services.length || c.services.includes(d.service)),
    );
    if (top) bestLink.set(top.m, Math.max(bestLink.get(top.m) ?? 0, top.link.strength));
    const overlap = c.services.filter((s) => anomalous.includes(s));
    const onCause = overlap.some((s) => !isSymptom(s)) ? 1 : overlap.length ? 0.5 : 0;
    const inTraces = c.files.filter((f) => stackFiles.some((s) => fileMatch(s, f)));
    const isConfig = c.changeKinds.some((k) => CONFIG_KINDS.includes(k)) && !c.changeKinds.includes("code");
    const who = c.kind === "deployment" ? "Deployment" : "Change";
    const shipped = deployments.length
      ? `, deployed as ${deployments.map((d) => d.id).join(", ")} ${ago(Math.max(0, onsetAt - at))} before the onset`
      : "";
    const reasons = [`${c.kind === "deployment" ? "deployed" : "merged"} ${ago(Math.max(0, onsetAt - c.at))} before the onset${shipped}`];
    if (top) reasons.push(top.link.why);
    if (overlap.length) reasons.push(`touches ${overlap.join(", ")}, which went bad`);
    if (inTraces.length) reasons.push(`changes ${inTraces.join(", ")}, named in the error stack traces`);
    for (const d of inForce.slice(0, 2)) reasons.push(`its change is in force: ${d.detail}`);
    const service = top?.m.service ?? overlap.find((s) => !isSymptom(s)) ?? overlap[0] ?? c.services[0];
    const hit = affected(top?.m.service ?? overlap.find((s) => !isSymptom(s)) ?? overlap[0], ctx);
    const touchedServices = top ? hit : overlap.length ? hit : [];
    const rootText = top ? top.link.root : `${c.kind === "pr" ? "PR" : who} ${c.id} "${c.title}"`;
    const changeEvidence = [c.id, ...deployments.map((d) => d.id)];
    const chain: ChainLink[] = [
      {
        role: "root",
        text: `${rootText}${shipped ? ` (${shipped.slice(2)})` : ""}${
          inForce.length
            ? `, in force now: ${inForce
                .slice(0, 2)
                .map((d) => `${d.setting} ${d.before} → ${d.now}`)
                .join(", ")}`
            : ""
        }`,
        evidence: uniq([...changeEvidence, ...(top?.link.evidence ?? []), ...inForce.flatMap((d) => d.evidence)]),
      },
      ...(top ? [{ role: "mechanism" as const, service: top.m.service, text: top.m.text, evidence: top.m.anomaly.evidence }] : []),
      ...(!top && inTraces.length
        ? [
            {
              role: "mechanism" as const,
              service,
              text: `the code in ${inTraces.join(", ")} throws (stack traces)`,
              evidence: uniq(strong.filter((a) => a.files?.length).flatMap((a) => a.evidence)),
            },
          ]
        : []),
      ...symptomLinks(touchedServices, ctx),
    ];
    out.push({
      title: `${who} ${c.id} "${c.title}"`,
      category: top && top.m.category === "infrastructure" && isConfig ? "config" : isConfig ? "config" : "code",
      service,
      evidence: uniq([
        ...(top?.m.anomaly.evidence ?? []),
        ...strong.filter((a) => overlap.includes(a.service ?? "")).flatMap((a) => a.evidence),
      ]).slice(0, 6),
      reasons,
      suspect: c,
      confirm: `roll back ${c.id} (or compare a canary without it); the ${strong.find((a) => a.at !== undefined)?.detail.split(" ")[0] ?? "error rate"} should return to its level before ${new Date(onsetAt).toISOString()}`,
      chain,
      mitigation: [
        ...(top?.m.mitigation ?? []),
        `Pause the rollout of ${c.id} (hold the pipeline; \`kubectl rollout pause deployment/<name>\` if it is mid-rollout)`,
      ],
      features: features({
        change: 1,
        link: Math.max(top?.link.strength ?? (inTraces.length ? 1 : onCause ? 0.5 : 0), inForce.length ? 0.8 : 0),
        onCause: top ? (isSymptom(top.m.service) ? 0.5 : 1) : onCause,
        recency: recency(gap),
        traces: inTraces.length ? 1 : 0,
        mechanism: top?.m.anomaly.severity ?? 0,
        service: scoreOf(service),
        symptom: isSymptom(service) ? 1 : 0,
        explains: explains(touchedServices),
        lead: lead(service),
      }),
    });
  }

  // A mechanism that no change explains well is the root itself (a resource, a dependency).
  for (const m of mechanisms.filter((x) => (bestLink.get(x) ?? 0) < 0.8)) {
    const hit = affected(m.service, ctx);
    out.push({
      title: m.title,
      category: m.category,
      service: m.service,
      evidence: m.anomaly.evidence,
      reasons: [m.anomaly.detail],
      confirm: m.confirm,
      chain: [
        ...(m.dependency
          ? [
              { role: "root" as const, text: `external dependency \`${m.dependency}\``, evidence: m.anomaly.evidence },
              { role: "mechanism" as const, service: m.service, text: m.text, evidence: m.anomaly.evidence },
            ]
          : [{ role: "root" as const, service: m.service, text: m.text, evidence: m.anomaly.evidence }]),
        ...symptomLinks(
          hit.filter((s) => s !== m.service || !["oom", "pod-failure"].includes(m.kind)),
          ctx,
        ),
      ],
      mitigation: m.mitigation,
      features: features({
        mechanism: m.anomaly.severity,
        onCause: isSymptom(m.service) ? 0.5 : 1,
        service: scoreOf(m.service),
        symptom: isSymptom(m.service) ? 1 : 0,
        explains: explains(hit),
        lead: m.service ? lead(m.service) : 1,
      }),
    });
  }

  // A setting that moved with no change in the history moving it: the drift is the root (a hand edit, an operator, another repo).
  const explainedDrift = (d: Drift) =>
    linkDeployments(ctx.changes).some(
      ({ change: c }) =>
        touches(c).some((t) => t.kind === driftKind(d)) && (!d.service || !c.services.length || c.services.includes(d.service)),
    );
  for (const d of (ctx.drifts ?? []).filter((x) => !explainedDrift(x))) {
    const hit = affected(d.service && anomalous.includes(d.service) ? d.service : undefined, ctx);
    out.push({
      title: `Setting changed outside the change history: ${d.detail}`,
      category: "config",
      ...(d.service ? { service: d.service } : {}),
      evidence: d.evidence,
      reasons: [
        d.detail,
        "no change in the history sets it: look for a hand edit (`kubectl edit`, `CONFIG SET`, `ALTER SYSTEM`), an operator or another repository",
      ],
      confirm: `compare ${d.setting} now with its value in the repository; set it back (or record it) and the anomaly should clear`,
      chain: [
        {
          role: "root",
          ...(d.service ? { service: d.service } : {}),
          text: `${d.setting} ${d.before} → ${d.now} (no change in the history)`,
          evidence: d.evidence,
        },
        ...symptomLinks(hit, ctx),
      ],
      mitigation: [`Set ${d.setting} back to ${d.before} where it is configured, and record who changed it`],
      features: features({
        link: 0.8,
        onCause: d.service ? (isSymptom(d.service) ? 0.5 : anomalous.includes(d.service) ? 1 : 0) : 0.5,
        service: scoreOf(d.service),
        explains: explains(hit),
        lead: d.service ? lead(d.service) : 0,
      }),
    });
  }

  // An anomalous service whose fault no mechanism names: its own fault. A symptom of another stays a
  // candidate, ranked by its evidence (the topology can be wrong: an entry point's own CPU fault
  // looks like its callees' latency), and says what it would otherwise be a symptom of.
  for (const r of ranked.filter((x) => !mechanisms.some((m) => m.service === x.service))) {
    const symptom = !!r.symptomOf?.length;
    const hit = symptom ? [r.service] : affected(r.service, ctx);
    const callers = hit.filter((s) => s !== r.service);
    // Its strongest series is a resource of its own (CPU, memory, IO, network): that is the mechanism, with the queries to see it.
    const res = r.resource;
    const resWord = res
      ? res.kind === "saturation" && /cpu/i.test(res.name)
        ? "CPU throttling"
        : (RESOURCE_WORD[res.kind] ?? res.kind)
      : "";
    const resQueries = res
      ? resourceQueries(
          res.kind,
          r.service,
          signals.find((x) => x.id === res.signalId),
        )
      : [];
    const resourceLink: ChainLink[] = res
      ? [
          {
            role: "mechanism",
            service: r.service,
            text: `${resWord}: \`${res.name}\` ${res.direction === "up" ? "rose" : "fell"} ${res.z.toFixed(1)} robust σ off its baseline (PromQL: ${resQueries.map((q) => `\`${q}\``).join("; ")})`,
            evidence: [res.signalId],
          },
        ]
      : [];
    out.push({
      title: symptom
        ? `${r.service} fails on its own (more likely a symptom of ${r.symptomOf!.join(", ")})`
        : res
          ? `${r.service}: ${resWord} (${res.name})${callers.length ? `, and its callers (${callers.join(", ")}) fail because of it` : ""}`
          : callers.length
            ? `${r.service} fails, and its callers (${callers.join(", ")}) fail because of it`
            : `${r.service} fails on its own (nothing seen explains it)`,
      category: "dependency" as Category,
      service: r.service,
      evidence: r.evidence.slice(0, 6),
      reasons: [
        `${r.service} went bad${r.onset !== undefined ? ` at ${new Date(r.onset).toISOString()}` : ""}${callers.length ? `, before or with ${callers.join(", ")}` : ""}`,
        ...(symptom ? [`its anomaly follows ${r.symptomOf!.join(", ")} on the call graph`] : []),
        ...(r.path && r.path.length > 2 ? [`explains the failing chain ${r.path.join(" → ")}`] : []),
      ],
      confirm:
        res && !symptom
          ? `${r.service}'s ${res.kind} over the window: ${resQueries.map((q) => `\`${q}\``).join("; ")} — it should have moved at the onset, before its callers did`
          : callers.length
            ? `the errors of ${callers.join(", ")} should be calls to ${r.service} (traces or logs naming it)`
            : `${r.service}'s own logs and traces at the onset should show the failing operation`,
      chain: [
        { role: "root", service: r.service, text: `${r.service}'s own fault`, evidence: r.evidence.slice(0, 4) },
        ...(symptom ? [] : resourceLink),
        ...symptomLinks(hit, ctx),
      ],
      mitigation:
        res && !symptom
          ? [
              res.kind === "cpu"
                ? `Give ${r.service} CPU headroom: scale it out (\`kubectl scale deployment/${r.service} --replicas=<n+1>\`) or raise its CPU limit; find what burns it (a profile, a hot loop, a noisy job)`
                : res.kind === "memory"
                  ? `Restart ${r.service}'s pods before they are OOM-killed (\`kubectl rollout restart deployment/${r.service}\`), then find what holds the memory (a heap dump)`
                  : `Find what drives ${r.service}'s ${res.kind} (a batch, a backup, a noisy neighbour on the node) and throttle or move it; scale ${r.service} out meanwhile`,
            ]
          : [`Restart or roll back ${r.service} (\`kubectl rollout restart deployment/${r.service}\`), or shed its load`],
      features: features({
        onCause: symptom ? 0.5 : 1,
        service: r.score,
        symptom: symptom ? 1 : 0,
        explains: explains(hit),
        lead: lead(r.service),
      }),
    });
  }
  return out;
}
