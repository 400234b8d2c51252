import { schedulingFix } from "./pods.js";
import { make, shortList, type K8sFinding, type K8sFindingClass, type K8sView } from "./context.js";

const PRESSURE_FIX: Record<string, string> = {
  MemoryPressure:
    "Free memory on the node: move or limit the pods using the most (`kubectl top pods --sort-by=memory` on it), set memory requests to real usage, then uncordon",
  DiskPressure: "Free disk on the node: prune images and logs, move pods writing to emptyDir/hostPath, or grow the disk",
  PIDPressure: "Find the pod spawning processes on the node and set a pod PID limit",
  NetworkUnavailable: "Fix the node's network plugin (CNI pods on that node)",
};
const services = (view: K8sView, node: string) => [
  ...new Set(
    view
      .items("Pod")
      .filter((p) => p.item.node === node)
      .map((p) => view.serviceOf(p.item.namespace, p.item.name, p.item.labels))
      .filter((s): s is string => !!s),
  ),
];

/** Nodes NotReady, under memory/disk/PID pressure or cordoned; claims Pending or Lost; volumes full (the logs say so). */
export function clusterFindings(view: K8sView): K8sFinding[] {
  const out: K8sFinding[] = [];
  const nodes = view.items("Node");
  const lost = nodes.filter((n) => (n.item.conditions ?? []).some((c: { type: string }) => c.type === "Ready"));
  // Pods evicted since are gone from the node: with one node lost, the taint manager's evictions are its doing.
  const evicted =
    lost.length === 1
      ? view.events
          .filter((e) => /TaintManagerEviction|NodeNotReady/.test(e.reason) && e.kinds.includes("Pod"))
          .map((e) => e.service ?? view.serviceOf(e.namespace, e.objects[0] ?? ""))
          .filter((s): s is string => !!s)
      : [];
  for (const { signal, item: n } of nodes) {
    const on = [...new Set([...services(view, n.name), ...(lost[0]?.item.name === n.name ? evicted : [])])];
    const ev = view.events.filter((e) => e.objects.includes(n.name));
    for (const c of n.conditions ?? []) {
      const notReady = c.type === "Ready";
      out.push(
        make({
          cls: "node",
          kind: "Node",
          of: n,
          reason: notReady ? "NodeNotReady" : c.type,
          message: c.message ?? `${c.type} is ${c.status}`,
          details: [
            ...(n.taints?.length ? [`taints ${n.taints.join(", ")}`] : []),
            ...(on.length ? [`runs pods of ${shortList(on)}`] : []),
          ],
          fix: notReady
            ? `Check the node's kubelet and network (\`kubectl describe node ${n.name}\`); its pods are evicted after the toleration period — cordon and drain it, or replace it`
            : (PRESSURE_FIX[c.type] ?? `Relieve ${c.type} on ${n.name}`),
          severity: notReady ? 0.85 : 0.75,
          evidence: [signal.id, ...ev.map((e) => e.id)],
          ...(on.length === 1 ? { service: on[0] } : {}),
          at: ev
            .map((e) => (e.first ? Date.parse(e.first) : NaN))
            .filter(Number.isFinite)
            .sort((a, b) => a - b)[0],
        }),
      );
    }
    if (n.unschedulable && !(n.conditions ?? []).length)
      out.push(
        make({
          cls: "node",
          kind: "Node",
          of: n,
          reason: "Unschedulable",
          message: `node ${n.name} is cordoned (spec.unschedulable: true)`,
          fix: `Uncordon it when its maintenance is over: \`kubectl uncordon ${n.name}\``,
          severity: 0.4,
          evidence: [signal.id],
        }),
      );
  }
  for (const { signal, item: c } of view.items("PersistentVolumeClaim")) {
    if (c.phase === "Bound") continue;
    const ev =
      view.eventsAbout("PersistentVolumeClaim", c.name, c.namespace).find((e) => e.type === "Warning") ??
      view.eventsAbout("PersistentVolumeClaim", c.name, c.namespace)[0];
    out.push(
      make({
        cls: "volume",
        kind: "PersistentVolumeClaim",
        of: c,
        reason: ev?.reason ?? (c.phase === "Lost" ? "ClaimLost" : "Pending"),
        message: ev?.message ?? `claim is ${c.phase}`,
        details: [`${c.requested ?? "?"} requested${c.storageClass ? `, storageClass ${c.storageClass}` : ", no storageClass"}`],
        fix:
          c.phase === "Lost"
            ? "Its volume is gone: restore it from backup or recreate the claim"
            : `Bind ${c.name}: use a StorageClass that exists and provisions (\`kubectl get storageclass\`), or create a matching PersistentVolume`,
        severity: 0.75,
        evidence: [signal.id, ...(ev ? [ev.id] : [])],
        service: view.serviceOf(c.namespace, c.name.replace(/^[^-]+-/, "")),
      }),
    );
  }
  // A full volume shows in what the app writes: "No space left on device".
  for (const log of [...view.previousLogs, ...view.logs]) {
    const lines = ((log.data?.lines ?? []) as Array<string | { message: string }>).map((l) => (typeof l === "string" ? l : l.message));
    const full = lines.find((l) => /no space left on device|disk full|ENOSPC/i.test(l));
    if (!full) continue;
    const pod = String(log.data?.pod ?? "");
    const p = view.items("Pod").find((x) => x.item.name === pod);
    out.push(
      make({
        cls: "volume",
        kind: "Pod",
        of: { namespace: p?.item.namespace ?? (log.data?.namespace as string | undefined), name: pod },
        reason: "VolumeFull",
        message: full.trim().slice(0, 300),
        details: p?.item.claims?.length ? [`claims ${p.item.claims.join(", ")}`] : [],
        fix: `Grow the volume${p?.item.claims?.length ? ` (${p.item.claims.join(", ")}; \`kubectl patch pvc\` with a larger size if its StorageClass allows expansion)` : ""} or free space (rotate logs, drop old data)`,
        severity: 0.85,
        evidence: [log.id, ...(p ? [p.signal.id] : [])],
        service: log.service ?? (p ? view.serviceOf(p.item.namespace, pod, p.item.labels) : undefined),
      }),
    );
  }
  return out;
}

const EVENT_RULES: Array<{
  reason: RegExp;
  message?: RegExp;
  cls: K8sFindingClass;
  fix: (msg: string, name: string) => string;
  severity: number;
}> = [
  // Pod states from a pods table (no message there), then events.
  {
    reason: /^OOMKilled$/,
    cls: "oom",
    fix: (_m, n) => `Raise ${n}'s memory limit or fix what grows (roll back if a change raised usage)`,
    severity: 0.85,
  },
  {
    reason: /^(ImagePullBackOff|ErrImagePull|InvalidImageName)$/,
    cls: "image",
    fix: (_m, n) => `Point ${n} at an image that exists and can be pulled, or roll back to the last image that ran`,
    severity: 0.85,
  },
  {
    reason: /^(CreateContainerConfigError|CreateContainerError)$/,
    cls: "config",
    fix: () => "Create the missing ConfigMap/Secret/key the pod reads, or fix the reference",
    severity: 0.85,
  },
  {
    reason: /^(CrashLoopBackOff|Error|Init:CrashLoopBackOff)$/,
    cls: "crash",
    fix: (_m, n) => `Read why ${n} exits (\`kubectl logs --previous\`) and fix it, or roll back`,
    severity: 0.8,
  },
  { reason: /^Pending$/, cls: "scheduling", fix: (m, n) => schedulingFix(m, undefined, n), severity: 0.6 },
  { reason: /^FailedScheduling$/, cls: "scheduling", fix: (m, n) => schedulingFix(m, undefined, n), severity: 0.85 },
  {
    reason: /^(Failed|ErrImagePull|ImagePullBackOff)$/,
    message: /pull|image/i,
    cls: "image",
    fix: (_m, n) => `Point ${n} at an image that exists and can be pulled, or roll back to the last image that ran`,
    severity: 0.85,
  },
  {
    reason: /^Failed$/,
    message: /configmap|secret|couldn't find key/i,
    cls: "config",
    fix: () => "Create the missing ConfigMap/Secret/key the message names, or fix the reference",
    severity: 0.85,
  },
  {
    reason: /^FailedMount$/,
    message: /configmap|secret/i,
    cls: "config",
    fix: () => "Create the ConfigMap/Secret the volume names, or fix the name",
    severity: 0.8,
  },
  {
    reason: /^(FailedMount|FailedAttachVolume|ProvisioningFailed|FailedBinding|ClaimLost)$/,
    cls: "volume",
    fix: () => "Fix the volume: the claim must bind (a StorageClass that exists) and attach on the node",
    severity: 0.8,
  },
  {
    reason: /^(Unhealthy|Killing)$/,
    message: /liveness|readiness|startup/i,
    cls: "probe",
    fix: () => "Fix the probe (path, port, timeouts) or the hang it detects",
    severity: 0.7,
  },
  {
    reason: /^BackOff$/,
    message: /restarting failed container/i,
    cls: "crash",
    fix: (_m, n) => `Read why ${n} exits (\`kubectl logs --previous\`) and fix it, or roll back`,
    severity: 0.8,
  },
  { reason: /^(OOMKilling|SystemOOM)$/, cls: "oom", fix: (_m, n) => `Raise ${n}'s memory limit or fix what grows`, severity: 0.8 },
  {
    reason: /^(Evicted|TaintManagerEviction|Preempted)$/,
    cls: "eviction",
    fix: () => "Relieve the node the pods were evicted from (its NotReady or pressure) and set requests to real usage",
    severity: 0.65,
  },
  {
    reason: /^(NodeNotReady|NodeHas(Disk|Memory|PID)Pressure|EvictionThresholdMet|NodeHasInsufficientMemory|Rebooted|SystemOOM)$/,
    cls: "node",
    fix: (_m, n) => `Check node ${n} (\`kubectl describe node ${n}\`): cordon and drain it, or relieve the pressure`,
    severity: 0.75,
  },
  {
    reason: /^(BackoffLimitExceeded|DeadlineExceeded)$/,
    cls: "job",
    fix: (_m, n) => `Read job ${n}'s pods' logs, fix the cause, re-run it`,
    severity: 0.7,
  },
  {
    reason: /^(FailedGetResourceMetric|FailedComputeMetricsReplicas|FailedGetScale|FailedGetPodsMetric|FailedGetExternalMetric)$/,
    cls: "hpa",
    fix: () => "Restore the metrics the HPA reads (metrics-server/adapter) and set resource requests",
    severity: 0.65,
  },
  {
    reason: /^(FailedCreate)$/,
    cls: "rollout",
    fix: () => "Fix what stops the controller creating pods (message: quota, admission, service account)",
    severity: 0.75,
  },
  {
    reason: /^(TooManyMissedTimes|MissSchedule|FailedNeedsStart)$/,
    cls: "cronjob",
    fix: () => "Set startingDeadlineSeconds and check the CronJob controller",
    severity: 0.55,
  },
];

/** Which of several classes seen for one object names the fault best. */
const PRIORITY: K8sFindingClass[] = [
  "oom",
  "config",
  "image",
  "scheduling",
  "volume",
  "probe",
  "init",
  "crash",
  "eviction",
  "node",
  "job",
  "cronjob",
  "hpa",
  "rollout",
];

/**
 * Warning (and the telling Normal) events, and pod states read from a table, about objects no
 * finding covers yet — pods not read whole, claims, nodes: k8sgpt's Event analyzer, with the same
 * fixes. Pods of one workload failing the same way make one finding.
 */
export function eventFindings(view: K8sView, covered: Set<string>): K8sFinding[] {
  type Candidate = {
    cls: K8sFindingClass;
    reason: string;
    message: string;
    id: string;
    severity: number;
    fix: (m: string, n: string) => string;
    at?: number;
    service?: string;
    namespace?: string;
  };
  const byObject = new Map<string, Candidate[]>();
  for (const e of view.events) {
    const kind = e.kinds[0] ?? "Pod";
    for (const name of e.objects.slice(0, 10)) {
      if (covered.has(`${kind}/${name}`)) continue;
      const message = e.perObject[`${kind}/${name}`] ?? e.messages[0] ?? "";
      const rule = EVENT_RULES.find((r) => r.reason.test(e.reason) && (!r.message || r.message.test(message)));
      if (!rule) continue;
      const at = e.first && Number.isFinite(Date.parse(e.first)) ? Date.parse(e.first) : undefined;
      const key = `${e.namespace ?? ""}|${kind}/${name}`;
      byObject.set(key, [
        ...(byObject.get(key) ?? []),
        {
          cls: rule.cls,
          reason: e.reason,
          message,
          id: e.id,
          severity: rule.severity,
          fix: rule.fix,
          at,
          service: e.service,
          namespace: e.namespace,
        },
      ]);
    }
  }
  const out = new Map<string, K8sFinding & { pods: string[] }>();
  for (const [key, candidates] of byObject) {
    const [namespace, ref] = key.split("|") as [string, string];
    const [kind, name] = ref.split("/") as [string, string];
    const cls = PRIORITY.find((c) => candidates.some((x) => x.cls === c)) ?? candidates[0]!.cls;
    const mine = candidates.filter((x) => x.cls === cls);
    const best = mine.find((x) => x.message) ?? mine[0]!;
    const owner = kind === "Pod" ? name.replace(/(-[a-z0-9]{5,10}){1,2}$/, "").replace(/-\d+$/, "") : name;
    const group = `${namespace}|${kind === "Pod" ? owner : name}|${cls}`;
    const known = out.get(group);
    if (known) {
      if (!known.pods.includes(name)) known.pods.push(name);
      continue;
    }
    const others = [
      ...new Set(
        candidates.filter((x) => x !== best).map((x) => `${x.reason}${x.message && x.cls !== cls ? `: ${x.message.slice(0, 120)}` : ""}`),
      ),
    ];
    const at = Math.min(...candidates.map((x) => x.at ?? Infinity));
    out.set(group, {
      ...make({
        cls,
        kind,
        of: { namespace: namespace || undefined, name },
        reason: best.reason,
        message: best.message || best.reason,
        details: others.length ? [`also ${others.join("; ")}`] : [],
        fix: best.fix(best.message, kind === "Node" ? name : owner),
        severity: best.severity,
        evidence: [...new Set(candidates.map((x) => x.id))],
        service: candidates.find((x) => x.service)?.service ?? view.serviceOf(namespace || undefined, name),
        ...(Number.isFinite(at) ? { at } : {}),
      }),
      pods: [name],
    });
  }
  return [...out.values()].map(({ pods, ...f }) => ({
    ...f,
    details:
      pods.length > 1
        ? [`${pods.length} ${f.object.kind === "Pod" ? "pods" : "objects"}: ${pods.slice(0, 5).join(", ")}`, ...f.details]
        : f.details,
  }));
}
