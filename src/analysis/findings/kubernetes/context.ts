import type { Signal } from "../../../signals/types.js";
import { selects } from "../../../signals/adapters/kubernetes/objects.js";
import { SIGNAL, K8S_POD_PREFIX } from "../../../signals/catalog.js";

/** What kind of fault a finding names; the RCA links changes to it by this (an image change to `image`). */
export type K8sFindingClass =
  | "crash"
  | "oom"
  | "image"
  | "config"
  | "scheduling"
  | "probe"
  | "init"
  | "job"
  | "cronjob"
  | "service"
  | "ingress"
  | "hpa"
  | "pdb"
  | "node"
  | "volume"
  | "network"
  | "eviction"
  | "rollout";

/**
 * One thing the cluster states outright is wrong: the object, Kubernetes' own reason and message,
 * the facts beside it (exit code, image, last log lines), the fix a person would make, and the
 * signal ids it rests on. A chain's mechanism or root cites it.
 */
export type K8sFinding = {
  id: string;
  class: K8sFindingClass;
  object: { kind: string; namespace?: string; name: string };
  /** Kubernetes' word: CrashLoopBackOff, FailedScheduling, BackoffLimitExceeded, MemoryPressure. */
  reason: string;
  /** Kubernetes' message (state, condition or event), quoted. */
  message: string;
  details: string[];
  fix: string;
  severity: number;
  service?: string;
  at?: number;
  evidence: string[];
};

type Items = { signal: Signal; items: Array<Record<string, any>> };
export type EventGroup = {
  id: string;
  type: string;
  reason: string;
  namespace?: string;
  kinds: string[];
  objects: string[];
  messages: string[];
  perObject: Record<string, string>;
  first?: string;
  service?: string;
};

/** The signals the analyzers read, indexed: objects by kind and namespace, events, logs, and who owns what. */
export class K8sView {
  readonly objects = new Map<string, Items>();
  readonly events: EventGroup[] = [];
  readonly previousLogs: Signal[] = [];
  readonly logs: Signal[] = [];
  private readonly owners: Array<{
    service: string;
    namespace?: string;
    labels: Record<string, string>;
    pods: Set<string>;
    names: string[];
  }> = [];

  constructor(signals: Signal[]) {
    for (const s of signals.filter((x) => x.adapter === "kubernetes")) {
      const d = (s.data ?? {}) as Record<string, any>;
      if (s.name === SIGNAL.k8sObjects) this.objects.set(`${d.namespace ?? ""}|${d.kind}`, { signal: s, items: d.items ?? [] });
      else if (s.name === SIGNAL.k8sPreviousLog) this.previousLogs.push(s);
      else if (s.name === SIGNAL.k8sPodLog) this.logs.push(s);
      else if (s.name.startsWith(K8S_POD_PREFIX) && Array.isArray(d.pods)) {
        // A pod state from a table (CrashLoopBackOff, OOMKilled): like an event with no message.
        this.events.push({
          id: s.id,
          type: "Warning",
          reason: String(d.reason),
          kinds: ["Pod"],
          objects: d.pods,
          messages: [],
          perObject: {},
          service: s.service,
        });
      } else if (s.kind === "event" && d.reason && d.type) {
        this.events.push({
          id: s.id,
          type: d.type,
          reason: d.reason,
          namespace: d.namespace,
          kinds: d.kinds ?? [],
          objects: d.objects ?? d.nodes ?? [],
          messages: d.messages ?? [],
          perObject: d.perObject ?? {},
          first: d.first,
          service: s.service,
        });
      } else if (s.name === SIGNAL.k8sPods && s.service) {
        this.owners.push({
          service: s.service,
          namespace: d.namespace,
          labels: d.labels ?? {},
          pods: new Set((d.pods ?? []).map((p: { name: string }) => p.name)),
          names: [s.service],
        });
      } else if ((s.name === SIGNAL.k8sRollout || s.name === SIGNAL.k8sDeploymentSpec) && s.service) {
        const o = this.owners.find((x) => x.service === s.service);
        if (o && d.name) o.names.push(String(d.name));
      }
    }
  }

  items(kind: string, namespace?: string): Array<{ signal: Signal; item: Record<string, any> }> {
    return [...this.objects.entries()]
      .filter(([k]) => k.endsWith(`|${kind}`) && (namespace === undefined || k === `${namespace}|${kind}`))
      .flatMap(([, v]) => v.items.map((item) => ({ signal: v.signal, item })));
  }

  /** The service an object belongs to: its pods by name or labels, its controllers by name. */
  serviceOf(namespace: string | undefined, name: string, labels?: Record<string, string>): string | undefined {
    const here = this.owners.filter((o) => !namespace || !o.namespace || o.namespace === namespace);
    return (
      here.find((o) => o.pods.has(name))?.service ??
      (labels ? here.find((o) => selects(o.labels, labels))?.service : undefined) ??
      here.find((o) => o.names.some((n) => name === n || (name.startsWith(`${n}-`) && name.slice(n.length + 1).split("-").length <= 2)))
        ?.service
    );
  }

  /** The services whose pods a selector picks. */
  servicesSelected(namespace: string | undefined, selector: Record<string, string>): string[] {
    const pods = this.items("Pod", namespace).filter((p) => selects(selector, p.item.labels ?? {}));
    return [
      ...new Set(
        pods.map((p) => this.serviceOf(p.item.namespace ?? namespace, p.item.name, p.item.labels)).filter((s): s is string => !!s),
      ),
    ];
  }

  /** Event groups about one object (by kind and name), with that object's own message first. */
  eventsAbout(kind: string, name: string, namespace?: string): Array<EventGroup & { message: string; all: string[] }> {
    return this.events
      .filter(
        (e) =>
          (!namespace || !e.namespace || e.namespace === namespace) &&
          e.objects.includes(name) &&
          (!e.kinds.length || e.kinds.includes(kind)),
      )
      .map((e) => {
        const own = e.perObject[`${kind}/${name}`];
        return { ...e, message: own ?? e.messages[0] ?? "", all: [...new Set([...(own ? [own] : []), ...e.messages])] };
      });
  }
}

export const shortList = (xs: string[], n = 3) =>
  xs.length > n ? `${xs.slice(0, n).join(", ")} and ${xs.length - n} more` : xs.join(", ");
export const findingId = (cls: K8sFindingClass, o: K8sFinding["object"], reason: string) =>
  `k8s:${cls}:${o.namespace ?? "cluster"}/${o.kind}/${o.name}:${reason}`;

/** The object a finding is about (a node has no namespace): a parsed object, whose fields are the reply's. */
type About = { namespace?: string; name?: string };

/** A finding about `kind` object `of` (anything with its namespace and name). */
export function make(p: {
  cls: K8sFindingClass;
  kind: string;
  of: About;
  reason: string;
  message: string;
  details?: string[];
  fix: string;
  severity: number;
  evidence: string[];
  service?: string;
  at?: number;
}): K8sFinding {
  const object = { kind: p.kind, namespace: p.of.namespace, name: p.of.name as string };
  return {
    id: findingId(p.cls, object, p.reason),
    class: p.cls,
    object,
    reason: p.reason,
    message: p.message,
    details: p.details ?? [],
    fix: p.fix,
    severity: p.severity,
    ...(p.service ? { service: p.service } : {}),
    ...(p.at !== undefined ? { at: p.at } : {}),
    evidence: p.evidence,
  };
}
