import { parse as parseYaml } from "yaml";
import { num } from "../shared.js";

/**
 * kubectl-style tables: columns start where the header has a word after two spaces, so values
 * with single spaces ("7 (11m ago)") and headers with them ("NOMINATED NODE") stay whole.
 */
export function parseTable(text: string): Array<Record<string, string>> {
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !/^\s*_+/.test(l));
  const header = lines.shift();
  if (!header) return [];
  const starts: number[] = [];
  for (const m of header.matchAll(/(^|\s{2,})(\S)/g)) starts.push(m.index! + m[1]!.length);
  const names = starts.map((s, i) => header.slice(s, starts[i + 1]).trim());
  return lines
    .filter((l) => /^\S/.test(l))
    .map((line) => Object.fromEntries(names.map((name, i) => [name, line.slice(starts[i], starts[i + 1]).trim()])));
}

/** `7 (11m ago)` → { count: 7, lastAgo: "11m" }; `0` → { count: 0 }. */
export function parseRestarts(value: unknown): { count: number; lastAgo?: string } {
  if (typeof value === "number") return { count: value };
  const m = /^(\d+)(?:\s*\(([^)]+?)\s+ago\))?/.exec(String(value ?? "").trim());
  return m ? { count: Number(m[1]), lastAgo: m[2] } : { count: 0 };
}

export type PodRow = {
  name: string;
  namespace?: string;
  status: string;
  ready?: string;
  restarts: number;
  lastRestartAgo?: string;
  node?: string;
};

/** Pods from kubernetes-mcp-server's structuredContent, or from a table answer. */
export function podsFrom(structured: unknown, text: string): PodRow[] {
  const items = (structured as { items?: Array<Record<string, unknown>> } | undefined)?.items;
  const rows: Array<Record<string, unknown>> = items ?? parseTable(text);
  return rows.map((r) => {
    const restarts = parseRestarts(r.Restarts ?? r.RESTARTS);
    return {
      name: String(r.Name ?? r.NAME ?? ""),
      namespace: (r.Namespace ?? r.NAMESPACE) as string | undefined,
      status: String(r.Status ?? r.STATUS ?? "Unknown"),
      ready: (r.Ready ?? r.READY) as string | undefined,
      restarts: restarts.count,
      lastRestartAgo: restarts.lastAgo,
      node: (r.Node ?? r.NODE) as string | undefined,
    };
  });
}

export type K8sEvent = {
  type: string;
  reason: string;
  message: string;
  kind?: string;
  object?: string;
  namespace?: string;
  time?: string;
  count: number;
};

/** kubernetes-mcp-server's `events_list` (a YAML list after a comment line). */
export function eventsFromYaml(text: string): K8sEvent[] {
  const body = text.replace(/^#.*$/gm, "").trim();
  if (!body) return [];
  const list = parseYaml(body) as Array<Record<string, any>> | null;
  return (list ?? []).map((e) => ({
    type: String(e.Type ?? ""),
    reason: String(e.Reason ?? ""),
    message: String(e.Message ?? ""),
    kind: e.InvolvedObject?.Kind,
    object: e.InvolvedObject?.Name,
    namespace: e.Namespace,
    time: e.Timestamp
      ? new Date(
          String(e.Timestamp)
            .replace(/ \+0000 UTC$/, "Z")
            .replace(" ", "T"),
        ).toISOString()
      : undefined,
    count: 1,
  }));
}

/** mcp-server-kubernetes' `kubectl_get events` JSON. */
export function eventsFromJson(json: { events?: Array<Record<string, any>> }): K8sEvent[] {
  return (json.events ?? []).map((e) => ({
    type: String(e.type ?? ""),
    reason: String(e.reason ?? ""),
    message: String(e.message ?? ""),
    kind: e.involvedObject?.kind,
    object: e.involvedObject?.name,
    namespace: e.involvedObject?.namespace,
    time: e.lastTimestamp ?? e.firstTimestamp,
    count: num(e.count) ?? 1,
  }));
}

/** `Last State: Terminated / Reason: OOMKilled` in `kubectl describe pod`, or the same in pod YAML. */
export function lastTerminationReason(text: string): string | undefined {
  const describe = /Last State:\s+Terminated\s*\n\s+Reason:\s+(\S+)/.exec(text);
  if (describe) return describe[1];
  const yaml = /lastState:\s*\n\s+terminated:[\s\S]{0,400}?reason:\s*(\S+)/.exec(text);
  return yaml?.[1];
}

/** `250m` → 250 millicores; `1` → 1000. `120Mi` → bytes. */
export const millicores = (v: string) => (v.endsWith("m") ? Number(v.slice(0, -1)) : Number(v) * 1000);
export function bytes(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(v.trim());
  if (!m) return undefined;
  const unit: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? unit[m[2]]! : 1);
}

export type RolloutRow = { name: string; ready: number; desired: number; upToDate?: number; available?: number; images?: string };

/** Deployments from structuredContent or a (wide) table: `READY 2/3`, `UP-TO-DATE`, `AVAILABLE`, `IMAGES`. */
export function rolloutsFrom(structured: unknown, text: string): RolloutRow[] {
  const items = (structured as { items?: Array<Record<string, unknown>> } | undefined)?.items;
  const rows: Array<Record<string, unknown>> = items ?? parseTable(text);
  return rows.map((r) => {
    const [ready, desired] = String(r.Ready ?? r.READY ?? "0/0")
      .split("/")
      .map(Number);
    return {
      name: String(r.Name ?? r.NAME ?? ""),
      ready: ready ?? 0,
      desired: desired ?? 0,
      upToDate: num(r["Up-to-date"] ?? r["UP-TO-DATE"]),
      available: num(r.Available ?? r.AVAILABLE),
      images: (r.Images ?? r.IMAGES) as string | undefined,
    };
  });
}

/** Environment variables whose values may be secrets: their values are never kept. */
const SECRET_NAME = /pass|secret|token|key|credential|auth|dsn|url|cert/i;
/** Values kept: short settings (numbers, sizes, flags, modes), never free text. */
const SETTING_VALUE = /^[\w.:/-]{1,40}$/;

export type DeploymentSpec = {
  name: string;
  revision?: string;
  replicas?: number;
  containers: Array<{
    name: string;
    image?: string;
    limits?: Record<string, string>;
    requests?: Record<string, string>;
    env?: Record<string, string>;
  }>;
  /** The scheduling rules, as compact JSON (affinity, nodeSelector, tolerations), so a removed rule shows as a difference. */
  scheduling: { affinity?: string; nodeSelector?: string; tolerations?: number };
  annotations: Record<string, string>;
};

/**
 * The parts of a Deployment (`kubectl get -o yaml|json`) a change can move: replicas, images,
 * resources, plain env settings (secret-looking names and free text left out), scheduling rules
 * and annotations (the change cause, the PR it ships; not the last-applied manifest).
 */
export function deploymentSpec(raw: unknown): DeploymentSpec | undefined {
  const d = raw as
    | {
        metadata?: { name?: string; annotations?: Record<string, string> };
        spec?: { replicas?: number; template?: { spec?: Record<string, any> } };
      }
    | undefined;
  if (!d?.metadata?.name || !d.spec) return undefined;
  const pod = d.spec.template?.spec ?? {};
  const annotations = Object.fromEntries(
    Object.entries(d.metadata.annotations ?? {}).filter(([k, v]) => !k.includes("last-applied") && String(v).length <= 200),
  );
  const short = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v).slice(0, 400));
  return {
    name: d.metadata.name,
    revision: annotations["deployment.kubernetes.io/revision"],
    replicas: num(d.spec.replicas),
    containers: ((pod.containers ?? []) as Array<Record<string, any>>).slice(0, 5).map((c) => {
      const env = Object.fromEntries(
        ((c.env ?? []) as Array<{ name?: string; value?: unknown }>)
          .filter((e) => e.name && typeof e.value === "string" && !SECRET_NAME.test(e.name) && SETTING_VALUE.test(e.value))
          .slice(0, 30)
          .map((e) => [e.name!, String(e.value)]),
      );
      return {
        name: String(c.name ?? ""),
        image: c.image,
        limits: c.resources?.limits,
        requests: c.resources?.requests,
        ...(Object.keys(env).length ? { env } : {}),
      };
    }),
    scheduling: {
      affinity: short(pod.affinity),
      nodeSelector: short(pod.nodeSelector),
      tolerations: Array.isArray(pod.tolerations) ? pod.tolerations.length : undefined,
    },
    annotations,
  };
}

export type CronJobRow = { name: string; schedule: string; suspend?: boolean; lastSchedule?: string };

/** CronJobs from a table (`SCHEDULE`, `SUSPEND`, `LAST SCHEDULE`) or a `kubectl get -o json` list. */
export function cronJobsFrom(text: string, list?: { items?: Array<Record<string, any>> }): CronJobRow[] {
  if (list?.items) {
    return list.items.map((c) => ({
      name: String(c.metadata?.name ?? ""),
      schedule: String(c.spec?.schedule ?? ""),
      suspend: c.spec?.suspend === true,
      lastSchedule: c.status?.lastScheduleTime,
    }));
  }
  return parseTable(text)
    .filter((r) => r.SCHEDULE !== undefined)
    .map((r) => ({ name: r.NAME ?? "", schedule: r.SCHEDULE ?? "", suspend: r.SUSPEND === "True", lastSchedule: r["LAST SCHEDULE"] }));
}
