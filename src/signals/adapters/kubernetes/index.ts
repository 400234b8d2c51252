import type { SourceClient } from "../../source-client.js";
import { safe } from "../../safe-values.js";
import { checkReply, replyOf } from "../../tool-output.js";
import { deploymentAnswer, eventsAnswer, logsAnswer } from "./schema.js";
import type { ServiceTarget, CatalogSignal } from "../../types.js";
import { hasTools, type Adapter, type AdapterContext, type Flavour } from "../types.js";
import { byReason, eventMatters, isJobEvent, isNodeEvent, isWorkloadEvent, ownedBy } from "./events.js";
import { CLUSTER_KINDS, compact, NAMESPACED_KINDS, objectsOf, type ObjectKind, type PodView } from "./objects.js";
import { listThenGet } from "./read-objects.js";
import {
  bytes,
  cronJobsFrom,
  deploymentSpec,
  type CronJobRow,
  eventsFromJson,
  eventsFromYaml,
  lastTerminationReason,
  millicores,
  parseTable,
  podsFrom,
  rolloutsFrom,
  yamlOf,
  type DeploymentSpec,
  type K8sEvent,
  type PodRow,
  type RolloutRow,
} from "./parse.js";
import { K8S_POD_PREFIX, SIGNAL } from "../../catalog.js";

type Reader = {
  pods(c: SourceClient, namespace: string, selector: string): Promise<PodRow[]>;
  events(c: SourceClient, namespace: string): Promise<K8sEvent[]>;
  logs(c: SourceClient, namespace: string, pod: string, tail: number): Promise<string>;
  lastTermination(c: SourceClient, namespace: string, pod: string): Promise<string | undefined>;
  rollouts(c: SourceClient, namespace: string, selector: string): Promise<RolloutRow[]>;
  spec(c: SourceClient, namespace: string, name: string): Promise<DeploymentSpec | undefined>;
  cronJobs(c: SourceClient, namespace: string): Promise<CronJobRow[]>;
  top?(c: SourceClient, namespace: string, selector: string): Promise<Array<{ pod: string; cpuMillicores: number; memoryBytes?: number }>>;
  /** Whole objects of one kind (`namespace` undefined for cluster-scoped kinds), at most `cap` read one by one. */
  objects(c: SourceClient, kind: KindSpec, namespace: string | undefined, cap: number): Promise<Array<Record<string, unknown>>>;
  /** The log of a container's previous run: why a crash-looping container died. */
  previousLogs(c: SourceClient, namespace: string, pod: string, container: string, tail: number): Promise<string>;
};
type KindSpec = (typeof NAMESPACED_KINDS)[number] | (typeof CLUSTER_KINDS)[number];

const text = (o: { texts: string[] }) => o.texts.join("\n");

const FLAVOURS: Array<Flavour & { reader: Reader }> = [
  {
    id: "kubernetes-mcp-server",
    detect: (tools) => hasTools(tools, "resources_list", "events_list"),
    tools: ["resources_list", "events_list", "pods_log", "pods_get", "pods_top", "resources_get"],
    required: ["resources_list", "events_list"],
    reader: {
      pods: async (c, namespace, labelSelector) => {
        const out = await c.call("resources_list", {
          apiVersion: "v1",
          kind: "Pod",
          namespace,
          ...(labelSelector ? { labelSelector } : {}),
        });
        return podsFrom(out.structured, text(out), "resources_list");
      },
      events: async (c, namespace) => eventsFromYaml(text(await c.call("events_list", { namespace }))),
      logs: async (c, namespace, name, tail) => text(await c.call("pods_log", { name, namespace, tail })),
      lastTermination: async (c, namespace, name) => lastTerminationReason(text(await c.call("pods_get", { name, namespace }))),
      rollouts: async (c, namespace, labelSelector) => {
        const out = await c.call("resources_list", {
          apiVersion: "apps/v1",
          kind: "Deployment",
          namespace,
          ...(labelSelector ? { labelSelector } : {}),
        });
        return rolloutsFrom(out.structured, text(out), "resources_list");
      },
      cronJobs: async (c, namespace) =>
        cronJobsFrom(text(await c.call("resources_list", { apiVersion: "batch/v1", kind: "CronJob", namespace })), "resources_list"),
      spec: async (c, namespace, name) =>
        deploymentSpec(
          checkReply(
            yamlOf(text(await c.call("resources_get", { apiVersion: "apps/v1", kind: "Deployment", name, namespace })), "resources_get"),
            "resources_get",
            deploymentAnswer,
          ),
        ),
      top: async (c, namespace, label_selector) =>
        parseTable(text(await c.call("pods_top", { namespace, all_namespaces: false, ...(label_selector ? { label_selector } : {}) }))).map(
          (r) => ({
            pod: r.POD ?? r.NAME ?? "",
            cpuMillicores: millicores(r["CPU(cores)"] ?? "0"),
            memoryBytes: bytes(r["MEMORY(bytes)"] ?? ""),
          }),
        ),
      objects: (c, k, namespace, cap) =>
        listThenGet(
          async () => c.call("resources_list", { apiVersion: k.apiVersion, kind: k.kind, ...(namespace ? { namespace } : {}) }),
          async (name) =>
            text(await c.call("resources_get", { apiVersion: k.apiVersion, kind: k.kind, name, ...(namespace ? { namespace } : {}) })),
          cap,
          k.kind,
        ),
      previousLogs: async (c, namespace, name, container, tail) =>
        text(await c.call("pods_log", { name, namespace, container, previous: true, tail })),
    },
  },
  {
    id: "mcp-server-kubernetes",
    detect: (tools) => hasTools(tools, "kubectl_get"),
    tools: ["kubectl_get", "kubectl_logs", "kubectl_describe"],
    required: ["kubectl_get"],
    reader: {
      pods: async (c, namespace, labelSelector) =>
        podsFrom(
          undefined,
          text(
            await c.call("kubectl_get", { resourceType: "pods", namespace, output: "wide", ...(labelSelector ? { labelSelector } : {}) }),
          ),
          "kubectl_get",
        ),
      events: async (c, namespace) =>
        eventsFromJson(replyOf(await c.call("kubectl_get", { resourceType: "events", namespace }), "kubectl_get", eventsAnswer)),
      logs: async (c, namespace, name, tail) =>
        replyOf(await c.call("kubectl_logs", { resourceType: "pod", name, namespace, tail }), "kubectl_logs", logsAnswer).logs,
      lastTermination: async (c, namespace, name) =>
        lastTerminationReason(text(await c.call("kubectl_describe", { resourceType: "pod", name, namespace }))),
      rollouts: async (c, namespace, labelSelector) =>
        rolloutsFrom(
          undefined,
          text(
            await c.call("kubectl_get", {
              resourceType: "deployments",
              namespace,
              output: "wide",
              ...(labelSelector ? { labelSelector } : {}),
            }),
          ),
          "kubectl_get",
        ),
      // A JSON list comes back cut to names and statuses; YAML is kubectl's whole list.
      cronJobs: async (c, namespace) =>
        cronJobsFrom(
          "",
          "kubectl_get",
          objectsOf(text(await c.call("kubectl_get", { resourceType: "cronjobs", namespace, output: "yaml" }))),
        ),
      spec: async (c, namespace, name) =>
        deploymentSpec(
          replyOf(
            await c.call("kubectl_get", { resourceType: "deployments", name, namespace, output: "json" }),
            "kubectl_get",
            deploymentAnswer,
          ),
        ),
      // `-o yaml` is kubectl's own list, whole (its `-o json` list is cut to name and status by the server).
      objects: async (c, k, namespace) =>
        objectsOf(text(await c.call("kubectl_get", { resourceType: k.resource, output: "yaml", ...(namespace ? { namespace } : {}) }))),
      previousLogs: async (c, namespace, name, container, tail) =>
        replyOf(
          await c.call("kubectl_logs", { resourceType: "pod", name, namespace, container, previous: true, tail }),
          "kubectl_logs",
          logsAnswer,
        ).logs,
    },
  },
];

const FAILING = new Set([
  "CrashLoopBackOff",
  "ImagePullBackOff",
  "ErrImagePull",
  "Error",
  "OOMKilled",
  "Evicted",
  "Pending",
  "CreateContainerConfigError",
  "Init:CrashLoopBackOff",
]);
/** Where the node controller and the kubelet record Node events. */
const NODE_EVENTS_NAMESPACE = "default";

type EventsOf = (namespace: string) => Promise<K8sEvent[] | undefined>;

/**
 * Kubernetes: pod phases, restarts (`7 (11m ago)`), CrashLoopBackOff, ImagePullBackOff,
 * OOMKilled, FailedScheduling, Evicted, warning events, log tails of failing pods, CPU and memory;
 * and the Normal events that matter (node loss, taint-manager evictions, scaling, CronJob starts).
 */
export const kubernetesAdapter: Adapter = {
  id: "kubernetes",
  provides: ["cluster", "logs"],
  flavours: FLAVOURS,
  async collect(ctx) {
    const { reader } = ctx.flavour as (typeof FLAVOURS)[number];
    const targets = ctx.services.filter((s) => s.config.kubernetes);
    if (!targets.length) return [];
    // One events call per namespace, shared by its services, the namespace's jobs and the nodes.
    const cache = new Map<string, Promise<K8sEvent[] | undefined>>();
    const eventsOf: EventsOf = (ns) => {
      if (!cache.has(ns))
        cache.set(
          ns,
          ctx.attempt(`events in ${ns}`, () => reader.events(ctx.client, ns)),
        );
      return cache.get(ns)!;
    };
    const namespaces = [...new Set(targets.map((s) => safe(s.config.kubernetes!.namespace, "namespace")))];
    const perService = await Promise.all(targets.map((svc) => collectService(ctx, reader, svc, eventsOf)));
    const shared = await Promise.all([
      ...namespaces.map((ns) => namespaceEvents(ctx, reader, ns, eventsOf)),
      nodeEvents(ctx, eventsOf),
      ...namespaces.map((ns) => namespaceObjects(ctx, reader, ns)),
      clusterObjects(ctx, reader),
    ]);
    return [...perService.flat(), ...shared.flat()];
  },
};

/** The namespace's CronJobs (their schedules) and the events of its CronJobs and Jobs (a job started at peak hours is nobody's pod). */
async function namespaceEvents(ctx: AdapterContext, reader: Reader, namespace: string, eventsOf: EventsOf): Promise<CatalogSignal[]> {
  const cronJobs = await ctx.attempt(`cronjobs in ${namespace}`, () => reader.cronJobs(ctx.client, namespace));
  // Jobs, CronJobs and the namespace's other objects (Services, Ingresses, claims, budgets): nobody's pods.
  const list = ((await eventsOf(namespace)) ?? []).filter((e) => !isNodeEvent(e) && !isWorkloadEvent(e) && eventMatters(e));
  const schedules: CatalogSignal[] = cronJobs?.length
    ? [
        {
          id: `${ctx.source}:k8s:${namespace}:cronjobs`,
          source: ctx.source,
          adapter: "kubernetes",
          kind: "state",
          name: SIGNAL.k8sCronjobs,
          value: cronJobs.length,
          query: `cronjobs namespace=${namespace}`,
          data: { namespace, cronjobs: cronJobs.slice(0, ctx.limits.rows) },
        },
      ]
    : [];
  return [
    ...schedules,
    ...[list.filter(isJobEvent), list.filter((e) => !isJobEvent(e))].flatMap((part, i) =>
      byReason(part).map((g) => ({
        id: `${ctx.source}:k8s:${namespace}:${i === 0 ? "job-event" : "event"}:${g.reason}`,
        source: ctx.source,
        adapter: "kubernetes" as const,
        kind: "event" as const,
        name: g.type === "Warning" ? SIGNAL.k8sWarningEvent : SIGNAL.k8sEvent,
        value: g.count,
        query: `events namespace=${namespace}`,
        data: { ...g.data, namespace },
      })),
    ),
  ];
}

/** Node events (NotReady, removed, rebooted, pressure): the cluster's, so no service's. */
async function nodeEvents(ctx: AdapterContext, eventsOf: EventsOf): Promise<CatalogSignal[]> {
  const list = ((await eventsOf(NODE_EVENTS_NAMESPACE)) ?? []).filter((e) => isNodeEvent(e) && eventMatters(e));
  return byReason(list).map((g) => ({
    id: `${ctx.source}:k8s:node-event:${g.reason}`,
    source: ctx.source,
    adapter: "kubernetes" as const,
    kind: "event" as const,
    name: SIGNAL.k8sNodeEvent,
    value: g.count,
    query: `events namespace=${NODE_EVENTS_NAMESPACE}`,
    data: { ...g.data, nodes: g.data.objects },
  }));
}

async function collectService(ctx: AdapterContext, reader: Reader, svc: ServiceTarget, eventsOf: EventsOf): Promise<CatalogSignal[]> {
  const k = svc.config.kubernetes!;
  const namespace = safe(k.namespace, "namespace");
  const selector = Object.entries(k.labels)
    .map(([key, v]) => `${key}=${safe(v, "label value")}`)
    .join(",");
  const base = { source: ctx.source, adapter: "kubernetes" as const, service: svc.name };
  const where = `namespace=${namespace}${selector ? ` labelSelector=${selector}` : ""}`;
  const [pods, events, top, rollouts] = await Promise.all([
    ctx.attempt(`${svc.name} pods`, () => reader.pods(ctx.client, namespace, selector)),
    eventsOf(namespace),
    reader.top ? ctx.attempt(`${svc.name} top`, () => reader.top!(ctx.client, namespace, selector)) : Promise.resolve(undefined),
    ctx.attempt(`${svc.name} deployments`, () => reader.rollouts(ctx.client, namespace, selector)),
  ]);
  const signals: CatalogSignal[] = [];
  if (!pods) return signals;
  const names = new Set(pods.map((p) => p.name));
  const failing = pods.filter((p) => FAILING.has(p.status) || (p.ready && /^0\//.test(p.ready) && p.status !== "Completed"));
  // Why the failing pods last died (OOMKilled shows only there, once the pod has restarted).
  const terminations = await Promise.all(
    failing.slice(0, 3).map(async (p) => ({
      pod: p.name,
      reason: await ctx.attempt(`${p.name} last state`, () => reader.lastTermination(ctx.client, namespace, p.name)),
    })),
  );
  signals.push({
    ...base,
    id: `${ctx.source}:${svc.name}:k8s:pods`,
    kind: "state",
    name: SIGNAL.k8sPods,
    value: pods.reduce((n, p) => n + p.restarts, 0),
    unit: "restarts",
    query: `pods ${where}`,
    data: {
      namespace,
      labels: k.labels,
      total: pods.length,
      failing: failing.length,
      pods: pods.slice(0, ctx.limits.rows),
      terminations: terminations.filter((t) => t.reason),
    },
  });
  const reasons = new Map<string, string[]>();
  for (const p of failing) reasons.set(p.status, [...(reasons.get(p.status) ?? []), p.name]);
  for (const t of terminations) if (t.reason) reasons.set(t.reason, [...new Set([...(reasons.get(t.reason) ?? []), t.pod])]);
  for (const [reason, podNames] of reasons) {
    signals.push({
      ...base,
      id: `${ctx.source}:${svc.name}:k8s:${reason}`,
      kind: "event",
      name: `${K8S_POD_PREFIX}${reason}`,
      value: podNames.length,
      query: `pods ${where}`,
      data: { reason, pods: podNames },
    });
  }
  const owners = [...new Set([k.deployment, svc.name, ...Object.values(k.labels)].filter((n): n is string => !!n))];
  const mine = (events ?? []).filter((e) => isWorkloadEvent(e) && eventMatters(e) && (!e.object || ownedBy(e, names, owners)));
  for (const g of byReason(mine)) {
    // Warnings keep their signal name; the Normal events that matter get their own (node loss, evictions, scaling).
    const warning = g.type === "Warning";
    signals.push({
      ...base,
      id: `${ctx.source}:${svc.name}:k8s:${warning ? "event" : "normal-event"}:${g.reason}`,
      kind: "event",
      name: warning ? SIGNAL.k8sWarningEvent : SIGNAL.k8sEvent,
      value: g.count,
      query: `events namespace=${namespace}`,
      data: g.data,
    });
  }
  const tails = await Promise.all(
    failing
      .slice(0, 2)
      .map(async (p) => ({ pod: p.name, text: await ctx.attempt(`${p.name} logs`, () => reader.logs(ctx.client, namespace, p.name, 50)) })),
  );
  for (const t of tails.filter((x) => x.text)) {
    const lines = t.text!.split("\n").filter(Boolean);
    if (lines.length > ctx.limits.logLines) ctx.note(`${t.pod} log: kept ${ctx.limits.logLines} of ${lines.length} lines`);
    signals.push({
      ...base,
      id: `${ctx.source}:${svc.name}:k8s:log:${t.pod}`,
      kind: "log",
      name: SIGNAL.k8sPodLog,
      query: `logs ${namespace}/${t.pod} tail=50`,
      data: { pod: t.pod, lines: lines.slice(-ctx.limits.logLines) },
    });
  }
  for (const d of (rollouts ?? []).filter((r) => !k.deployment || r.name === k.deployment)) {
    const progressing = d.ready < d.desired || (d.upToDate !== undefined && d.upToDate < d.desired);
    signals.push({
      ...base,
      id: `${ctx.source}:${svc.name}:k8s:rollout:${d.name}`,
      kind: "state",
      name: SIGNAL.k8sRollout,
      value: d.desired - d.ready,
      unit: "pods not ready",
      query: `deployments ${where}`,
      data: { ...d, progressing },
    });
  }
  // The Deployment's spec (replicas, images, resources, plain settings, scheduling): read again as of
  // an earlier time, it shows what a change moved.
  const deployed = (k.deployment ? [k.deployment] : (rollouts ?? []).map((r) => r.name)).slice(0, 3);
  const specs = await Promise.all(
    deployed.map((name) => ctx.attempt(`${name} deployment spec`, () => reader.spec(ctx.client, namespace, safe(name, "deployment name")))),
  );
  for (const spec of specs.filter((x): x is DeploymentSpec => !!x)) {
    signals.push({
      ...base,
      id: `${ctx.source}:${svc.name}:k8s:spec:${spec.name}`,
      kind: "state",
      name: SIGNAL.k8sDeploymentSpec,
      value: spec.replicas,
      unit: "replicas",
      query: `deployment ${namespace}/${spec.name}`,
      data: spec,
    });
  }
  if (top?.length) {
    const mineTop = top.filter((r) => names.has(r.pod));
    signals.push({
      ...base,
      id: `${ctx.source}:${svc.name}:k8s:top`,
      kind: "metric",
      name: SIGNAL.k8sPodResources,
      value: mineTop.reduce((n, r) => n + (r.memoryBytes ?? 0), 0),
      unit: "bytes",
      query: `top pods ${where}`,
      data: { pods: mineTop },
    });
  }
  return signals;
}

/** Objects read whole per namespace, and previous-run logs of crash-looping containers. */
const OBJECTS_PER_KIND = 12;
const PREVIOUS_LOGS = 5;

/** Every kind the diagnosis reads in one namespace: one `k8s.objects` signal per kind, and the previous-run logs of crashed containers. */
async function namespaceObjects(ctx: AdapterContext, reader: Reader, namespace: string): Promise<CatalogSignal[]> {
  const lists = await Promise.all(
    NAMESPACED_KINDS.map(async (k) => ({
      k,
      items: await ctx.attempt(`${k.resource} in ${namespace}`, () => reader.objects(ctx.client, k, namespace, OBJECTS_PER_KIND)),
    })),
  );
  const signals = lists.flatMap(({ k, items }) => objectSignal(ctx, k.kind, namespace, items));
  // The containers that died and restarted: their previous run's last lines say why.
  const pods = (lists.find((l) => l.k.kind === "Pod")?.items ?? []).map((p) => compact("Pod", p) as PodView);
  const crashed = pods
    .flatMap((p) =>
      [...p.init, ...p.containers]
        .filter((c) => c.last || c.waiting?.reason === "CrashLoopBackOff")
        .map((c) => ({ pod: p.name, container: c.name })),
    )
    .slice(0, PREVIOUS_LOGS);
  const logs = await Promise.all(
    crashed.map(async (x) => ({
      ...x,
      text: await ctx.attempt(`${x.pod} previous log`, () => reader.previousLogs(ctx.client, namespace, x.pod, x.container, 30)),
    })),
  );
  for (const l of logs.filter((x) => x.text?.trim())) {
    const lines = l.text!.split("\n").filter(Boolean).slice(-30);
    signals.push({
      id: `${ctx.source}:k8s:${namespace}:previous-log:${l.pod}:${l.container}`,
      source: ctx.source,
      adapter: "kubernetes",
      kind: "log",
      name: SIGNAL.k8sPreviousLog,
      query: `logs ${namespace}/${l.pod} -c ${l.container} --previous --tail=30`,
      data: { namespace, pod: l.pod, container: l.container, lines },
    });
  }
  return signals;
}

/** Nodes (conditions, taints) and IngressClasses: the cluster's, read once. */
async function clusterObjects(ctx: AdapterContext, reader: Reader): Promise<CatalogSignal[]> {
  const lists = await Promise.all(
    CLUSTER_KINDS.map(async (k) => ({
      k,
      items: await ctx.attempt(`${k.resource}`, () => reader.objects(ctx.client, k, undefined, OBJECTS_PER_KIND)),
    })),
  );
  return lists.flatMap(({ k, items }) => objectSignal(ctx, k.kind, undefined, items));
}

function objectSignal(
  ctx: AdapterContext,
  kind: ObjectKind,
  namespace: string | undefined,
  items: Array<Record<string, unknown>> | undefined,
): CatalogSignal[] {
  if (!items?.length) return [];
  if (items.length > ctx.limits.rows) ctx.note(`${kind} in ${namespace ?? "the cluster"}: kept ${ctx.limits.rows} of ${items.length}`);
  const list = items.slice(0, ctx.limits.rows).map((o) => ({ ...compact(kind, o), ...(o.partial ? { partial: true } : {}) }));
  return [
    {
      id: `${ctx.source}:k8s:${namespace ?? "cluster"}:objects:${kind}`,
      source: ctx.source,
      adapter: "kubernetes",
      kind: "state",
      name: SIGNAL.k8sObjects,
      value: list.length,
      query: `get ${kind}${namespace ? ` -n ${namespace}` : ""} -o yaml`,
      data: { kind, ...(namespace ? { namespace } : {}), items: list },
    },
  ];
}
