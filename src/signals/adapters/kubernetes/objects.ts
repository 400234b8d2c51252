import { parse as parseYaml } from "yaml";
import { ToolFailure } from "../../tool-output.js";

/**
 * Kubernetes objects read whole (`kubectl get -o yaml`, `resources_get`) and cut at the boundary
 * to the fields the diagnosis reads: states and their messages, selectors, limits, conditions
 * that are not healthy. Free text kept is the cluster's own (event, condition and state messages).
 */
type Raw = Record<string, any>;
type Condition = { type: string; status: string; reason?: string; message?: string };

/** Namespaced kinds read per namespace, and how each flavour names them. */
export const NAMESPACED_KINDS = [
  { kind: "Pod", apiVersion: "v1", resource: "pods" },
  { kind: "Service", apiVersion: "v1", resource: "services" },
  { kind: "Endpoints", apiVersion: "v1", resource: "endpoints" },
  { kind: "Ingress", apiVersion: "networking.k8s.io/v1", resource: "ingresses" },
  { kind: "HorizontalPodAutoscaler", apiVersion: "autoscaling/v2", resource: "horizontalpodautoscalers" },
  { kind: "PodDisruptionBudget", apiVersion: "policy/v1", resource: "poddisruptionbudgets" },
  { kind: "Job", apiVersion: "batch/v1", resource: "jobs" },
  { kind: "CronJob", apiVersion: "batch/v1", resource: "cronjobs" },
  { kind: "PersistentVolumeClaim", apiVersion: "v1", resource: "persistentvolumeclaims" },
  { kind: "StatefulSet", apiVersion: "apps/v1", resource: "statefulsets" },
  { kind: "Deployment", apiVersion: "apps/v1", resource: "deployments" },
  { kind: "NetworkPolicy", apiVersion: "networking.k8s.io/v1", resource: "networkpolicies" },
] as const;
export const CLUSTER_KINDS = [
  { kind: "Node", apiVersion: "v1", resource: "nodes" },
  { kind: "IngressClass", apiVersion: "networking.k8s.io/v1", resource: "ingressclasses" },
] as const;
export type ObjectKind = (typeof NAMESPACED_KINDS)[number]["kind"] | (typeof CLUSTER_KINDS)[number]["kind"];

const cut = (s: unknown, n = 300) => (typeof s === "string" ? (s.length > n ? `${s.slice(0, n - 1)}…` : s) : undefined);
const bad = (conds: Condition[] | undefined, healthy: Record<string, string>) =>
  (conds ?? [])
    .filter((c) => c?.type && (healthy[c.type] ? c.status !== healthy[c.type] : c.status === "True"))
    .map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: cut(c.message) } : {}),
    }));
const meta = (o: Raw) => ({ name: String(o.metadata?.name ?? ""), namespace: o.metadata?.namespace as string | undefined });
const owner = (o: Raw) => {
  const r = (o.metadata?.ownerReferences ?? [])[0];
  return r ? `${r.kind}/${r.name}` : undefined;
};
const num = (v: unknown) =>
  typeof v === "number" ? v : v === undefined || v === null || v === "" ? undefined : Number.isFinite(Number(v)) ? Number(v) : undefined;

export type ContainerState = { reason?: string; message?: string; exitCode?: number; signal?: number; finishedAt?: string };
export type ContainerView = {
  name: string;
  image?: string;
  ready?: boolean;
  restarts: number;
  waiting?: ContainerState;
  running?: boolean;
  terminated?: ContainerState;
  last?: ContainerState;
  limits?: Record<string, string>;
  requests?: Record<string, string>;
  /** Probes as `http-get :8080/healthz` etc., so a message can name what is probed. */
  liveness?: string;
  readiness?: string;
};
export type PodView = {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  owner?: string;
  phase: string;
  reason?: string;
  message?: string;
  node?: string;
  nodeSelector?: Record<string, string>;
  conditions: Condition[];
  containers: ContainerView[];
  init: ContainerView[];
  claims: string[];
  /** ConfigMaps and Secrets the pod reads (volumes, env, envFrom), to name what is missing. */
  refs: string[];
};

const state = (s: Raw | undefined): ContainerState | undefined =>
  s
    ? {
        ...(s.reason ? { reason: s.reason } : {}),
        ...(s.message ? { message: cut(s.message, 500) } : {}),
        ...(num(s.exitCode) !== undefined ? { exitCode: num(s.exitCode) } : {}),
        ...(s.signal ? { signal: s.signal } : {}),
        ...(s.finishedAt ? { finishedAt: String(s.finishedAt) } : {}),
      }
    : undefined;
const probe = (p: Raw | undefined) =>
  !p
    ? undefined
    : p.httpGet
      ? `http-get :${p.httpGet.port}${p.httpGet.path ?? "/"}`
      : p.tcpSocket
        ? `tcp :${p.tcpSocket.port}`
        : p.exec
          ? `exec ${cut((p.exec.command ?? []).join(" "), 80)}`
          : p.grpc
            ? `grpc :${p.grpc.port}`
            : "probe";

function containers(specs: Raw[] = [], statuses: Raw[] = []): ContainerView[] {
  return specs.slice(0, 10).map((c) => {
    const st = statuses.find((s) => s.name === c.name) ?? {};
    return {
      name: String(c.name),
      image: c.image,
      ready: st.ready,
      restarts: num(st.restartCount) ?? 0,
      ...(st.state?.waiting ? { waiting: state(st.state.waiting) } : {}),
      ...(st.state?.running ? { running: true } : {}),
      ...(st.state?.terminated ? { terminated: state(st.state.terminated) } : {}),
      ...(st.lastState?.terminated ? { last: state(st.lastState.terminated) } : {}),
      ...(c.resources?.limits ? { limits: c.resources.limits } : {}),
      ...(c.resources?.requests ? { requests: c.resources.requests } : {}),
      ...(c.livenessProbe ? { liveness: probe(c.livenessProbe) } : {}),
      ...(c.readinessProbe ? { readiness: probe(c.readinessProbe) } : {}),
    };
  });
}

function pod(o: Raw): PodView {
  const spec = o.spec ?? {};
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Raw[];
  const refs = new Set<string>();
  for (const v of spec.volumes ?? []) {
    if (v.configMap?.name) refs.add(`ConfigMap/${v.configMap.name}`);
    if (v.secret?.secretName) refs.add(`Secret/${v.secret.secretName}`);
  }
  for (const c of all) {
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef?.name) refs.add(`ConfigMap/${e.configMapRef.name}`);
      if (e.secretRef?.name) refs.add(`Secret/${e.secretRef.name}`);
    }
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef;
      const sk = e.valueFrom?.secretKeyRef;
      if (cm?.name) refs.add(`ConfigMap/${cm.name}:${cm.key}`);
      if (sk?.name) refs.add(`Secret/${sk.name}:${sk.key}`);
    }
  }
  return {
    ...meta(o),
    labels: o.metadata?.labels ?? {},
    owner: owner(o),
    phase: String(o.status?.phase ?? "Unknown"),
    ...(o.status?.reason ? { reason: o.status.reason } : {}),
    ...(o.status?.message ? { message: cut(o.status.message) } : {}),
    ...(spec.nodeName ? { node: spec.nodeName } : {}),
    ...(spec.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}),
    conditions: bad(o.status?.conditions, {
      PodScheduled: "True",
      Ready: "True",
      ContainersReady: "True",
      Initialized: "True",
      PodReadyToStartContainers: "True",
    }),
    containers: containers(spec.containers, o.status?.containerStatuses),
    init: containers(spec.initContainers, o.status?.initContainerStatuses),
    claims: (spec.volumes ?? []).map((v: Raw) => v.persistentVolumeClaim?.claimName).filter(Boolean),
    refs: [...refs].slice(0, 20),
  };
}

const selectorOf = (s: Raw | undefined): Record<string, string> | undefined =>
  s?.matchLabels ? s.matchLabels : s && !s.matchExpressions ? s : undefined;

/** One object cut to what the analyzers read, by kind. */
export function compact(kind: ObjectKind, o: Raw): Record<string, unknown> {
  const s = o.spec ?? {};
  const st = o.status ?? {};
  switch (kind) {
    case "Pod":
      return pod(o);
    case "Service":
      return {
        ...meta(o),
        type: s.type ?? "ClusterIP",
        selector: s.selector ?? {},
        ports: (s.ports ?? []).slice(0, 5).map((p: Raw) => `${p.port}${p.targetPort !== undefined ? `→${p.targetPort}` : ""}`),
      };
    case "Endpoints": {
      const subsets = (o.subsets ?? []) as Raw[];
      return {
        ...meta(o),
        ready: subsets.reduce((n, x) => n + (x.addresses?.length ?? 0), 0),
        notReady: subsets.reduce((n, x) => n + (x.notReadyAddresses?.length ?? 0), 0),
        notReadyPods: subsets
          .flatMap((x) => (x.notReadyAddresses ?? []).map((a: Raw) => a.targetRef?.name))
          .filter(Boolean)
          .slice(0, 10),
      };
    }
    case "Ingress": {
      const backends = [
        s.defaultBackend,
        ...(s.rules ?? []).flatMap((r: Raw) => (r.http?.paths ?? []).map((p: Raw) => ({ ...p.backend, host: r.host, path: p.path }))),
      ]
        .filter((b) => b?.service?.name)
        .slice(0, 20)
        .map((b: Raw) => ({
          service: b.service.name,
          port: b.service.port?.number ?? b.service.port?.name,
          ...(b.host ? { host: b.host } : {}),
          ...(b.path ? { path: b.path } : {}),
        }));
      return {
        ...meta(o),
        className: s.ingressClassName ?? o.metadata?.annotations?.["kubernetes.io/ingress.class"],
        backends,
        tlsSecrets: (s.tls ?? []).map((t: Raw) => t.secretName).filter(Boolean),
      };
    }
    case "IngressClass":
      return {
        ...meta(o),
        controller: s.controller,
        isDefault: o.metadata?.annotations?.["ingressclass.kubernetes.io/is-default-class"] === "true",
      };
    case "HorizontalPodAutoscaler":
      return {
        ...meta(o),
        target: s.scaleTargetRef ? `${s.scaleTargetRef.kind}/${s.scaleTargetRef.name}` : undefined,
        min: num(s.minReplicas) ?? 1,
        max: num(s.maxReplicas),
        current: num(st.currentReplicas) ?? 0,
        desired: num(st.desiredReplicas) ?? 0,
        conditions: bad(st.conditions, { AbleToScale: "True", ScalingActive: "True", ScalingLimited: "False" }),
        metrics: (st.currentMetrics ?? []).slice(0, 5).map((m: Raw) => ({
          name: m.resource?.name ?? m.pods?.metric?.name ?? m.external?.metric?.name,
          utilization: m.resource?.current?.averageUtilization,
        })),
        targets: (s.metrics ?? []).slice(0, 5).map((m: Raw) => ({
          name: m.resource?.name ?? m.pods?.metric?.name ?? m.external?.metric?.name,
          utilization: m.resource?.target?.averageUtilization,
        })),
      };
    case "PodDisruptionBudget":
      return {
        ...meta(o),
        minAvailable: s.minAvailable,
        maxUnavailable: s.maxUnavailable,
        selector: selectorOf(s.selector) ?? {},
        allowed: num(st.disruptionsAllowed) ?? 0,
        currentHealthy: num(st.currentHealthy),
        desiredHealthy: num(st.desiredHealthy),
        expected: num(st.expectedPods),
        conditions: bad(st.conditions, { DisruptionAllowed: "True" }),
      };
    case "Job":
      return {
        ...meta(o),
        owner: owner(o),
        active: num(st.active) ?? 0,
        succeeded: num(st.succeeded) ?? 0,
        failed: num(st.failed) ?? 0,
        backoffLimit: num(s.backoffLimit) ?? 6,
        suspend: s.suspend === true,
        start: st.startTime,
        completion: st.completionTime,
        conditions: (st.conditions ?? [])
          .filter((c: Raw) => c.status === "True")
          .map((c: Raw) => ({ type: c.type, status: c.status, reason: c.reason, message: cut(c.message) })),
      };
    case "CronJob":
      return {
        ...meta(o),
        schedule: s.schedule,
        suspend: s.suspend === true,
        lastSchedule: st.lastScheduleTime,
        lastSuccessful: st.lastSuccessfulTime,
        active: (st.active ?? []).length,
        deadline: num(s.startingDeadlineSeconds),
      };
    case "PersistentVolumeClaim":
      return {
        ...meta(o),
        phase: st.phase ?? "Pending",
        storageClass: s.storageClassName,
        requested: s.resources?.requests?.storage,
        capacity: st.capacity?.storage,
        volume: s.volumeName,
        conditions: bad(st.conditions, {}),
      };
    case "StatefulSet":
      return {
        ...meta(o),
        replicas: num(s.replicas) ?? 1,
        ready: num(st.readyReplicas) ?? 0,
        current: num(st.currentReplicas),
        updated: num(st.updatedReplicas),
        serviceName: s.serviceName,
        selector: selectorOf(s.selector) ?? {},
        claimTemplates: (s.volumeClaimTemplates ?? []).map((t: Raw) => ({
          name: t.metadata?.name,
          storageClass: t.spec?.storageClassName,
          storage: t.spec?.resources?.requests?.storage,
        })),
      };
    case "Deployment":
      return {
        ...meta(o),
        replicas: num(s.replicas) ?? 1,
        ready: num(st.readyReplicas) ?? 0,
        available: num(st.availableReplicas) ?? 0,
        selector: selectorOf(s.selector) ?? {},
        conditions: bad(st.conditions, { Available: "True", Progressing: "True", ReplicaFailure: "False" }),
      };
    case "NetworkPolicy":
      return {
        ...meta(o),
        podSelector: selectorOf(s.podSelector) ?? {},
        policyTypes: s.policyTypes ?? (s.egress ? ["Ingress", "Egress"] : ["Ingress"]),
        ingressRules: (s.ingress ?? []).length,
        egressRules: (s.egress ?? []).length,
      };
    case "Node":
      return {
        ...meta(o),
        unschedulable: s.unschedulable === true,
        taints: (s.taints ?? []).slice(0, 10).map((t: Raw) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`),
        conditions: bad(st.conditions, { Ready: "True" }),
        labels: Object.fromEntries(
          Object.entries((o.metadata?.labels ?? {}) as Record<string, string>)
            .filter(([k]) => !k.startsWith("beta.kubernetes.io/"))
            .slice(0, 15),
        ),
      };
  }
}

/**
 * The items of a `kubectl get -o yaml|json` answer: a List, one object, or a YAML stream. An answer
 * that is none of these (a Status, an error text, not YAML) fails naming the tool.
 */
export function objectsOf(text: string, tool = "kubectl_get"): Raw[] {
  const trimmed = text.trim();
  if (!trimmed || /^No resources found/i.test(trimmed)) return [];
  let doc: Raw | Raw[] | null;
  try {
    doc = (trimmed.startsWith("{") ? JSON.parse(trimmed) : parseYaml(trimmed)) as Raw | Raw[] | null;
  } catch (err) {
    throw new ToolFailure(`${tool} did not answer YAML or JSON: ${(err as Error).message.split("\n")[0]}`, tool);
  }
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === "object") {
    if (Array.isArray(doc.items)) return doc.items;
    if (doc.metadata && typeof doc.metadata === "object") return [doc];
  }
  throw new ToolFailure(`${tool} answered an unexpected shape: items → neither a List nor an object with metadata`, tool);
}

/** Whether `labels` carries every pair of a selector (an empty selector selects nothing here). */
export const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
