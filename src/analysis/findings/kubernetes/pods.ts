import type { ContainerState, ContainerView, PodView } from "../../../signals/adapters/kubernetes/objects.js";
import { make, type K8sFinding, type K8sFindingClass, type K8sView } from "./context.js";

const EXIT: Record<number, string> = {
  1: "application error",
  2: "misuse of a shell builtin",
  126: "command not executable",
  127: "command not found",
  134: "aborted (SIGABRT)",
  137: "killed (SIGKILL: out of memory or a failed liveness probe)",
  139: "segmentation fault (SIGSEGV)",
  143: "terminated (SIGTERM)",
};
const IMAGE = /^(ImagePullBackOff|ErrImagePull|InvalidImageName|ErrImageNeverPull|RegistryUnavailable)$/;
const CONFIG = /^(CreateContainerConfigError|CreateContainerError|RunContainerError|ContainerCannotRun)$/;

export const exitText = (s?: ContainerState) =>
  s
    ? `${s.reason ?? "Terminated"}${s.exitCode !== undefined ? `, exit code ${s.exitCode}${EXIT[s.exitCode] ? ` (${EXIT[s.exitCode]})` : ""}` : ""}${s.message ? `: ${s.message.trim().split("\n").slice(-2).join(" ")}` : ""}`
    : "";

/** The scheduler's message turned into the change a person would make. */
export function schedulingFix(message: string, pod: PodView | undefined, owner: string): string {
  const m = message.toLowerCase();
  if (/unbound.*persistentvolumeclaim/.test(m))
    return `Bind the pod's PersistentVolumeClaim (${pod?.claims.join(", ") || "see its events"}): fix its storageClassName or create the volume it waits for`;
  if (/insufficient (cpu|memory|nvidia|ephemeral)/.test(m))
    return `Lower ${owner}'s resource requests to fit the nodes, or add node capacity (scale the node pool); \`kubectl describe nodes\` shows what is allocated`;
  if (/node affinity|node selector|nodeselector/.test(m))
    return `Fix ${owner}'s nodeSelector/affinity${
      pod?.nodeSelector
        ? ` (${Object.entries(pod.nodeSelector)
            .map(([k, v]) => `${k}=${v}`)
            .join(", ")})`
        : ""
    } to match existing node labels, or label the nodes it expects`;
  if (/taint/.test(m))
    return `Add a toleration for the taint named above to ${owner}, or remove the taint from the nodes (\`kubectl taint nodes <node> <key>-\`) if it was left by mistake`;
  if (/too many pods/.test(m)) return "Add nodes or raise the nodes' pod limit";
  if (/volume node affinity conflict/.test(m))
    return "Schedule the pod in the zone of its volume (or recreate the volume in the pod's zone)";
  return `Make ${owner} schedulable: the scheduler's message above says which constraint no node meets`;
}

const lastLines = (view: K8sView, pod: string, container: string) => {
  const s =
    view.previousLogs.find((l) => l.data?.pod === pod && l.data?.container === container) ??
    view.previousLogs.find((l) => l.data?.pod === pod);
  return s ? { id: s.id, lines: ((s.data?.lines ?? []) as string[]).slice(-5) } : undefined;
};

/** The Deployment or StatefulSet behind a pod, by its owner (`ReplicaSet/api-7d9c4` → `api`). */
export const workloadOf = (p: PodView) => {
  if (!p.owner) return p.name;
  const [kind, name] = p.owner.split("/") as [string, string];
  return kind === "ReplicaSet" ? name.replace(/-[a-z0-9]{5,10}$/, "") : name;
};

/**
 * k8sgpt's Pod analyzer and more: for every pod read whole, why it is not running — a container
 * waiting (crash loop with its last exit and log lines, image pull with the registry's message,
 * missing ConfigMap/Secret/key), a failing init container, probes failing, the scheduler's reason
 * for Pending, an eviction. Pods of one workload failing the same way make one finding.
 */
export function podFindings(view: K8sView): K8sFinding[] {
  const out = new Map<string, K8sFinding & { pods: string[] }>();
  for (const { signal, item } of view.items("Pod")) {
    const p = item as PodView & { partial?: boolean };
    if (p.partial) continue;
    const owner = workloadOf(p);
    const events = (reason: string) => view.eventsAbout("Pod", p.name, p.namespace).filter((e) => e.reason === reason);
    const add = (
      cls: K8sFindingClass,
      reason: string,
      message: string,
      details: string[],
      fix: string,
      severity: number,
      extra: string[] = [],
    ) => {
      const key = `${p.namespace}|${owner}|${cls}|${reason}`;
      const known = out.get(key);
      if (known) {
        if (!known.pods.includes(p.name)) known.pods.push(p.name);
        return;
      }
      const service = view.serviceOf(p.namespace, p.name, p.labels);
      out.set(key, {
        ...make({ cls, kind: "Pod", of: p, reason, message, details, fix, severity, service, evidence: [signal.id, ...extra] }),
        pods: [p.name],
      });
    };
    const liveness = [...events("Unhealthy"), ...events("Killing")].find((e) => /liveness/i.test(e.message));
    const readiness = events("Unhealthy").find((e) => /readiness/i.test(e.message));
    const check = (c: ContainerView, init: boolean) => {
      const where = `${init ? "init container" : "container"} ${c.name}`;
      const logs = lastLines(view, p.name, c.name);
      const logDetail = logs?.lines.length ? [`last log lines (previous run): ${logs.lines.join(" | ")}`] : [];
      const logIds = logs ? [logs.id] : [];
      const w = c.waiting?.reason;
      if (w && IMAGE.test(w)) {
        // The registry's own words ("Failed to pull image …: not found / unauthorized"), not kubelet's "Error: ImagePullBackOff".
        const pulls = events("Failed").flatMap((e) => e.all.map((m) => ({ id: e.id, m })));
        const pull =
          pulls.find((x) => /failed to pull|pull access denied|manifest unknown|unauthorized/i.test(x.m)) ??
          pulls.find((x) => /image|pull/i.test(x.m));
        add(
          "image",
          w,
          pull?.m ?? c.waiting?.message ?? `${w} for ${c.image}`,
          [`image ${c.image}`, where],
          `Point ${owner} at an image that exists and can be pulled (check the tag and registry; add imagePullSecrets if it is private), or roll back to the last image that ran`,
          0.9,
          pull ? [pull.id] : [],
        );
        return true;
      }
      if (w && CONFIG.test(w)) {
        const msg = c.waiting?.message ?? events("Failed").find((e) => /not found|couldn't find/i.test(e.message))?.message ?? w;
        const missing =
          /(configmap|secret) "([^"]+)" not found/i.exec(msg) ?? /couldn't find key (\S+) in (ConfigMap|Secret) (\S+)/i.exec(msg);
        const fix = missing
          ? /couldn't find key/i.test(msg)
            ? `Add key ${missing[1]} to ${missing[2]} ${missing[3]} (or fix the key the pod reads)`
            : `Create ${missing[1]} "${missing[2]}" in ${p.namespace} (or fix the name ${owner} refers to)`
          : `Fix ${where}'s configuration: the message above names what is wrong`;
        add("config", w, msg, [where, ...p.refs.slice(0, 5).map((r) => `reads ${r}`)], fix, 0.9);
        return true;
      }
      if (w === "CrashLoopBackOff" || (c.last && c.restarts >= 3 && !c.ready)) {
        const oom = c.last?.reason === "OOMKilled";
        const cls: K8sFindingClass = oom ? "oom" : liveness && !init ? "probe" : init ? "init" : "crash";
        const details = [
          `${where} restarted ${c.restarts} times; last state: ${exitText(c.last)}`,
          ...logDetail,
          ...(c.limits
            ? [
                `limits ${Object.entries(c.limits)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(", ")}`,
              ]
            : []),
        ];
        const fix = oom
          ? `Raise ${owner}'s memory limit${c.limits?.memory ? ` (now ${c.limits.memory})` : ""} or fix what grows (roll back if a change raised usage)`
          : cls === "probe"
            ? `Fix the liveness probe (${c.liveness ?? "its endpoint"}): raise initialDelaySeconds/timeoutSeconds, or point it at an endpoint that answers; the kubelet is killing a container that may be healthy`
            : `Read why ${where} exits (${exitText(c.last)}); fix the cause named in its last log lines, or roll ${owner} back to the last revision that ran`;
        const reason = init ? `Init:${w ?? "Error"}` : oom ? "OOMKilled" : (w ?? c.last?.reason ?? "Error");
        add(cls, reason, cls === "probe" ? liveness!.message : (c.waiting?.message ?? exitText(c.last)), details, fix, 0.9, [
          ...logIds,
          ...(cls === "probe" ? [liveness!.id] : []),
        ]);
        return true;
      }
      if (c.last?.reason === "OOMKilled" && c.restarts > 0) {
        add(
          "oom",
          "OOMKilled",
          exitText(c.last),
          [`${where} restarted ${c.restarts} times`, ...(c.limits?.memory ? [`memory limit ${c.limits.memory}`] : [])],
          `Raise ${owner}'s memory limit${c.limits?.memory ? ` (now ${c.limits.memory})` : ""} or fix what grows`,
          0.8,
          logIds,
        );
        return true;
      }
      if (c.terminated && (c.terminated.exitCode ?? 0) !== 0) {
        add(
          init ? "init" : p.owner?.startsWith("Job/") ? "job" : "crash",
          init ? `Init:${c.terminated.reason ?? "Error"}` : (c.terminated.reason ?? "Error"),
          exitText(c.terminated),
          [where, ...logDetail],
          `Read why ${where} fails (${exitText(c.terminated)}) and fix it`,
          0.8,
          logIds,
        );
        return true;
      }
      return false;
    };
    let failing = false;
    for (const c of p.init) failing = check(c, true) || failing;
    const pendingInit = p.init.find((c) => c.running || c.waiting?.reason === "PodInitializing");
    if (!failing && pendingInit && p.phase === "Pending") {
      add(
        "init",
        "Init:Running",
        `init container ${pendingInit.name} has not completed; the app containers wait for it`,
        [`image ${pendingInit.image}`],
        `Find what ${pendingInit.name} waits for (its logs: \`kubectl logs ${p.name} -c ${pendingInit.name}\`), often a dependency it polls`,
        0.6,
      );
      failing = true;
    }
    for (const c of p.containers) failing = check(c, false) || failing;
    if (failing) continue;
    if (p.reason === "Evicted" || (p.phase === "Failed" && p.reason)) {
      add(
        p.reason === "Evicted" ? "eviction" : "scheduling",
        p.reason!,
        p.message ?? p.reason!,
        p.node ? [`node ${p.node}`] : [],
        p.reason === "Evicted"
          ? `The node ran short of a resource (message above): set ${owner}'s requests to its real usage, and relieve the node`
          : `Fix what the kubelet rejected (message above)`,
        0.7,
      );
      continue;
    }
    const unscheduled = p.conditions.find((c) => c.type === "PodScheduled" && c.status === "False");
    const failed = events("FailedScheduling")[0];
    if (p.phase === "Pending" && (unscheduled || failed)) {
      const msg = failed?.message ?? unscheduled?.message ?? "pod cannot be scheduled";
      // An unbound claim: say why it is unbound (its own state and the provisioner's message).
      const claims = p.claims.map((name) => ({
        name,
        pvc: view.items("PersistentVolumeClaim", p.namespace).find((c) => c.item.name === name),
        ev: view.eventsAbout("PersistentVolumeClaim", name, p.namespace).find((e) => e.type === "Warning"),
      }));
      const claimText = claims.map(
        (c) => `claim ${c.name}${c.pvc ? ` ${c.pvc.item.phase}` : ""}${c.ev ? ` (${c.ev.reason}: ${c.ev.message})` : ""}`,
      );
      add("scheduling", "FailedScheduling", msg, claimText, schedulingFix(msg, p, owner), 0.85, [
        ...(failed ? [failed.id] : []),
        ...claims.flatMap((c) => [c.pvc?.signal.id, c.ev?.id].filter((x): x is string => !!x)),
      ]);
      continue;
    }
    const mount = events("FailedMount")[0] ?? events("FailedAttachVolume")[0];
    if (p.phase === "Pending" && mount) {
      add(
        /configmap|secret/i.test(mount.message) ? "config" : "volume",
        mount.reason,
        mount.message,
        p.claims.length ? [`claims ${p.claims.join(", ")}`] : [],
        /configmap|secret/i.test(mount.message)
          ? "Create the ConfigMap/Secret the volume names, or fix the name"
          : "Fix the volume: the claim must be Bound and attachable on this node",
        0.85,
        [mount.id],
      );
      continue;
    }
    const notReady = p.containers.find((c) => c.running && c.ready === false);
    if (notReady && readiness) {
      add(
        "probe",
        "Unhealthy",
        readiness.message,
        [`container ${notReady.name} running, not ready${notReady.readiness ? `; readiness ${notReady.readiness}` : ""}`],
        `Fix what the readiness probe checks (${notReady.readiness ?? "its endpoint"}): the pods get no traffic until it passes; if the probe is wrong, fix its path/port/timeouts`,
        0.75,
        [readiness.id],
      );
    } else if (liveness) {
      add(
        "probe",
        "Unhealthy",
        liveness.message,
        [],
        `Fix the liveness probe or the hang it detects: the kubelet restarts the container each time it fails`,
        0.75,
        [liveness.id],
      );
    }
  }
  return [...out.values()].map(({ pods, ...f }) => ({
    ...f,
    details: pods.length > 1 ? [`${pods.length} pods: ${pods.slice(0, 5).join(", ")}`, ...f.details] : f.details,
  }));
}
