import type { K8sEvent } from "./parse.js";

/**
 * Normal events that matter to an incident: a node lost or drained (the node controller records
 * these as Normal), evictions by the taint manager, preemption, containers killed, replicas scaled
 * by a rollout or an HPA, and Jobs started by a CronJob. Image pulls, scheduling and container
 * starts are routine and dropped.
 */
const NORMAL =
  /^(NodeNotReady|NodeNotSchedulable|NodeHas(Disk|Memory|PID)Pressure|NodeHasInsufficientMemory|RemovingNode|DeletingNode|Rebooted|Shutdown|TaintManagerEviction|Preempting|Preempted|Killing|ScalingReplicaSet|SuccessfulRescale|SuccessfulCreate|SuccessfulDelete|SawCompletedJob|Completed|SuccessfulUpdate|NotTriggerScaleUp|TriggeredScaleUp|Suspended)$/;

/** Whether an event is worth keeping: every Warning (k8sgpt's floor), or a Normal one of the kinds above. */
export const eventMatters = (e: K8sEvent) => e.type === "Warning" || (e.type === "Normal" && NORMAL.test(e.reason));

/**
 * A generated name suffix: ReplicaSet hashes and pod ids use consonants and digits
 * (`bcdfghjklmnpqrstvwxz2456789`); a word such as `gateway` in `api-gateway` is not one.
 */
const hashLike = (part: string) => /^[a-z0-9]{4,10}$/.test(part) && (/\d/.test(part) || /^[bcdfghjklmnpqrstvwxz2456789]+$/.test(part));

/**
 * Whether an event's object is one of a service's workloads: one of its pods now, or a pod,
 * ReplicaSet, Deployment, HPA, StatefulSet or Job named after it (`<name>-<hash>-<id>`), so pods
 * that were evicted or replaced since, and the rollout that replaced them, still count.
 */
export function ownedBy(e: K8sEvent, pods: Set<string>, names: string[]): boolean {
  if (!e.object) return false;
  if (pods.has(e.object)) return true;
  return names.some((n) => {
    if (e.object === n) return true;
    if (!e.object!.startsWith(`${n}-`)) return false;
    const rest = e.object!.slice(n.length + 1).split("-");
    // A StatefulSet's pods are `<name>-0`, `<name>-1`.
    return (rest.length <= 2 && rest.every(hashLike)) || (rest.length === 1 && /^\d{1,4}$/.test(rest[0]!));
  });
}

/** Events of kinds that belong to the cluster or the namespace rather than to one service. */
export const isNodeEvent = (e: K8sEvent) => e.kind === "Node";
export const isJobEvent = (e: K8sEvent) => e.kind === "CronJob" || e.kind === "Job";
/** Events of a service's own workloads (pods and their controllers); the rest belong to the namespace. */
export const isWorkloadEvent = (e: K8sEvent) =>
  !e.kind || ["Pod", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "HorizontalPodAutoscaler"].includes(e.kind);

/** Events grouped by reason: the object names, a few distinct messages, first and last time, total count. */
export function byReason(events: K8sEvent[]) {
  const groups = new Map<string, K8sEvent[]>();
  for (const e of events) groups.set(`${e.type}|${e.reason}`, [...(groups.get(`${e.type}|${e.reason}`) ?? []), e]);
  return [...groups.values()].map((list) => {
    const times = list
      .map((e) => e.time)
      .filter((t): t is string => !!t)
      .sort();
    return {
      type: list[0]!.type,
      reason: list[0]!.reason,
      count: list.reduce((n, e) => n + e.count, 0),
      data: {
        type: list[0]!.type,
        reason: list[0]!.reason,
        kinds: [...new Set(list.map((e) => e.kind).filter(Boolean))],
        objects: [...new Set(list.map((e) => e.object))].slice(0, 10),
        messages: [...new Set(list.map((e) => e.message))].slice(0, 3),
        first: times[0],
        last: times.at(-1),
        // Each object's own latest message (a probe's, a scheduler's), so a finding quotes the one about its object.
        perObject: Object.fromEntries(
          [...list]
            .sort((a, b) => (a.time ?? "").localeCompare(b.time ?? ""))
            .filter((e) => e.object)
            .map((e) => [`${e.kind ?? ""}/${e.object}`, e.message])
            .slice(-10),
        ),
      },
    };
  });
}
