import type { RepoConfig } from "../config/repo-config.js";

/**
 * What the model's tools may read for one incident: the namespaces, SkyWalking services and log
 * indices of the services under analysis, as `.github/insight.yml` declares them — nothing else.
 */
export type IncidentScope = { namespaces: string[]; skywalkingServices: string[]; indices: string[] };

export function incidentScope(config: RepoConfig, services: string[]): IncidentScope {
  const picked = services.map((name) => config.services[name]).filter((s): s is NonNullable<typeof s> => !!s);
  const uniq = (xs: Array<string | undefined>) => [...new Set(xs.filter((x): x is string => !!x))].sort();
  return {
    namespaces: uniq(picked.map((s) => s.kubernetes?.namespace)),
    skywalkingServices: uniq(picked.map((s) => s.skywalking?.service)),
    indices: uniq(picked.map((s) => s.logs?.index)),
  };
}

/** A call the scope does not allow: answered to the model as a tool error, counted in the report, never sent. */
export class ToolRefusal extends Error {
  override name = "ToolRefusal";
}

/**
 * Kubernetes kinds the model may read (names, short names and plurals, lower case). Secrets never;
 * ConfigMaps neither (their data is where credentials end up when they are not in Secrets); no
 * cluster-scoped kind (nodes, RBAC, CRDs).
 */
const KINDS: Record<string, string> = Object.fromEntries(
  [
    ["Pod", "pod", "pods", "po"],
    ["Deployment", "deployment", "deployments", "deploy"],
    ["ReplicaSet", "replicaset", "replicasets", "rs"],
    ["StatefulSet", "statefulset", "statefulsets", "sts"],
    ["DaemonSet", "daemonset", "daemonsets", "ds"],
    ["Job", "job", "jobs"],
    ["CronJob", "cronjob", "cronjobs", "cj"],
    ["Service", "service", "services", "svc"],
    ["Endpoints", "endpoints", "ep"],
    ["Event", "event", "events", "ev"],
    ["HorizontalPodAutoscaler", "horizontalpodautoscaler", "horizontalpodautoscalers", "hpa"],
    ["PodDisruptionBudget", "poddisruptionbudget", "poddisruptionbudgets", "pdb"],
  ].flatMap(([canonical, ...names]) => names.map((n) => [n, canonical!])),
);
const ALLOWED_KINDS = [...new Set(Object.values(KINDS))].join(", ");

type Value = string | number | boolean;
type Rule = (value: Value, scope: IncidentScope) => string | undefined;

const anyName: Rule = (v) => (typeof v === "string" ? undefined : "must be a name");
/** An object or container name (DNS-1123 shape): never something kubectl would read as a flag (`-A`, `--namespace=…`). */
const k8sName: Rule = (v) =>
  typeof v === "string" && /^[a-z0-9]([-a-z0-9._]{0,251}[a-z0-9])?$/i.test(v) ? undefined : "must be a Kubernetes object name";
/** A label or field selector: any text, except one that a command line would read as a flag. */
const selector: Rule = (v) =>
  typeof v === "string" && !/^\s*-/.test(v) && v.length <= 500 ? undefined : "must be a selector (not a flag)";
const number =
  (max: number): Rule =>
  (v) =>
    typeof v === "number" && v >= 0 && v <= max ? undefined : `must be a number from 0 to ${max}`;
const bool: Rule = (v) => (typeof v === "boolean" ? undefined : "must be true or false");
const never: Rule = (v) => (v === false ? undefined : "cluster-wide reads are not allowed: name one of this incident's namespaces");
const oneOfShape =
  (shape: RegExp, what: string): Rule =>
  (v) =>
    typeof v === "string" && shape.test(v) ? undefined : `must be ${what}`;
const oneOf =
  (values: string[]): Rule =>
  (v) =>
    values.includes(String(v)) ? undefined : `must be one of ${values.join(", ")}`;

const namespace: Rule = (v, s) =>
  s.namespaces.includes(String(v))
    ? undefined
    : `namespace ${v} is not one of this incident's namespaces (${s.namespaces.join(", ") || "none configured"})`;

const kind: Rule = (v) => {
  const k = String(v).toLowerCase().split(".")[0]!;
  if (/^secrets?$/.test(k)) return "Secrets are never readable by the model";
  if (/^(configmaps?|cm)$/.test(k)) return "ConfigMaps are not readable by the model (their data may hold credentials)";
  return KINDS[k] ? undefined : `kind ${v} is not on the allowlist (${ALLOWED_KINDS})`;
};

/** SkyWalking service ids are base64(name) + ".1" (real) or ".0" (virtual). */
const skywalkingId: Rule = (v, s) =>
  s.skywalkingServices.some((name) =>
    [`${Buffer.from(name).toString("base64")}.1`, `${Buffer.from(name).toString("base64")}.0`].includes(String(v)),
  )
    ? undefined
    : `service ${v} is not one of this incident's SkyWalking services (${s.skywalkingServices.join(", ") || "none configured"})`;

type Policy = { args: Record<string, Rule>; required: string[] };
const policy = (args: Record<string, Rule>, required: string[] = []): Policy => ({ args, required });

/**
 * Each tool the model may call, by its canonical name, with the arguments it accepts and how each
 * is checked. A tool without a policy is not offered; an argument without a rule is refused.
 */
const POLICIES: Record<string, Policy> = {
  // containers/kubernetes-mcp-server
  resources_list: policy({ apiVersion: anyName, kind, namespace, labelSelector: selector, fieldSelector: selector }, ["kind", "namespace"]),
  events_list: policy({ namespace, fieldSelector: selector }, ["namespace"]),
  pods_log: policy({ name: k8sName, namespace, tail: number(1_000), previous: bool, container: k8sName }, ["name", "namespace"]),
  pods_get: policy({ name: k8sName, namespace }, ["name", "namespace"]),
  pods_top: policy({ namespace, name: k8sName, label_selector: selector, all_namespaces: never }, ["namespace"]),
  // Flux159 mcp-server-kubernetes
  kubectl_get: policy(
    {
      resourceType: kind,
      namespace,
      name: k8sName,
      output: oneOf(["wide", "json", "yaml", "name"]),
      labelSelector: selector,
      fieldSelector: selector,
      allNamespaces: never,
    },
    ["resourceType", "namespace"],
  ),
  kubectl_logs: policy(
    {
      resourceType: oneOf(["pod", "pods", "deployment", "job"]),
      name: k8sName,
      namespace,
      tail: number(1_000),
      container: k8sName,
      previous: bool,
      since: oneOfShape(/^\d{1,6}[smh]$/, "a duration such as 30m"),
    },
    ["resourceType", "name", "namespace"],
  ),
  kubectl_describe: policy({ resourceType: kind, name: k8sName, namespace }, ["resourceType", "name", "namespace"]),
  // redis-mcp-server: the server is the repository's own (the operator allowed it); sections that say nothing of keys
  info: policy({ section: oneOf(["default", "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "keyspace"]) }),
  dbsize: policy({}),
  // apache/skywalking-mcp
  query_traces: policy(
    {
      service_id: skywalkingId,
      start: anyName,
      end: anyName,
      trace_state: oneOf(["ERROR", "SUCCESS", "ALL"]),
      view: oneOf(["summary", "full", "errors_only"]),
    },
    ["service_id"],
  ),
};

/** Whether the model may be offered this tool at all. */
export const hasPolicy = (canonical: string) => Object.hasOwn(POLICIES, canonical);

/** Checks a call against the incident's scope; throws a ToolRefusal naming the first problem. */
export function checkScope(canonical: string, args: Record<string, Value>, scope: IncidentScope): void {
  const p = POLICIES[canonical];
  if (!p) throw new ToolRefusal(`${canonical} is not available to the model`);
  for (const name of p.required)
    if (args[name] === undefined)
      throw new ToolRefusal(
        `${name} is required here (the model reads only this incident's ${name === "namespace" ? `namespaces: ${scope.namespaces.join(", ") || "none configured"}` : "resources"})`,
      );
  for (const [name, value] of Object.entries(args)) {
    const rule = p.args[name];
    if (!rule) throw new ToolRefusal(`argument ${name} is not accepted here (accepted: ${Object.keys(p.args).join(", ") || "none"})`);
    const problem = rule(value, scope);
    if (problem)
      throw new ToolRefusal(
        name === "kind" || name === "resourceType" || name === "namespace" || name === "service_id" ? problem : `${name} ${problem}`,
      );
  }
}
