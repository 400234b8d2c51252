import { parse as parseYaml } from "yaml";
import { checkReply, ToolFailure } from "../../tool-output.js";
import { num } from "../shared.js";
import { cronJobList, type DeploymentObject, type EventsAnswer, yamlEvents } from "./schema.js";

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

/**
 * A kubectl table that has the columns the adapter reads (`kubectl get` says "No resources found"
 * for an empty list). Any other answer — JSON, an error text, a table of something else — fails
 * naming the tool and the missing columns, so the read is reported rather than read as junk rows.
 */
export function tableOf(text: string, tool: string, columns: string[]): Array<Record<string, string>> {
  const trimmed = text.trim();
  if (trimmed === "" || /^No resources found/i.test(trimmed)) return [];
  const header = trimmed
    .split("\n")[0]!
    .trim()
    .split(/\s{2,}/)
    .map((h) => h.toUpperCase());
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length)
    throw new ToolFailure(
      `${tool} answered an unexpected shape: no ${missing.join(", ")} column in ${JSON.stringify(trimmed.slice(0, 60))}`,
      tool,
    );
  return parseTable(text);
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
export function podsFrom(structured: unknown, text: string, tool: string): PodRow[] {
  const items = (structured as { items?: Array<Record<string, unknown>> } | undefined)?.items;
  const rows: Array<Record<string, unknown>> = items ?? tableOf(text, tool, ["NAME", "STATUS"]);
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

/** A YAML answer parsed; a ToolFailure naming the tool when it is not YAML. */
export function yamlOf(text: string, tool: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw new ToolFailure(`${tool} did not answer YAML: ${(err as Error).message.split("\n")[0]}`, tool);
  }
}

/** kubernetes-mcp-server's `events_list` (a YAML list after a comment line); a list of another shape fails naming the field. */
export function eventsFromYaml(text: string, tool = "events_list"): K8sEvent[] {
  const body = text.replace(/^#.*$/gm, "").trim();
  if (!body) return [];
  return checkReply(yamlOf(body, tool) ?? [], tool, yamlEvents).map((e) => ({
    type: e.Type,
    reason: e.Reason,
    message: e.Message ?? "",
    kind: e.InvolvedObject?.Kind,
    object: e.InvolvedObject?.Name,
    namespace: e.Namespace,
    time: e.Timestamp ? eventTime(e.Timestamp) : undefined,
    count: 1,
  }));
}

/** `2026-11-23 19:59:24 +0000 UTC` (Go's time format) → ISO; undefined when it is not a time. */
function eventTime(value: string): string | undefined {
  const t = new Date(value.replace(/ \+0000 UTC$/, "Z").replace(" ", "T"));
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

/** mcp-server-kubernetes' `kubectl_get events` JSON, checked by `eventsAnswer`. */
export function eventsFromJson(answer: EventsAnswer): K8sEvent[] {
  return answer.events.map((e) => ({
    type: e.type,
    reason: e.reason,
    message: e.message ?? "",
    kind: e.involvedObject.kind,
    object: e.involvedObject.name,
    namespace: e.involvedObject.namespace,
    time: e.lastTimestamp ?? e.firstTimestamp ?? e.eventTime ?? undefined,
    count: e.count ?? 1,
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
export function rolloutsFrom(structured: unknown, text: string, tool: string): RolloutRow[] {
  const items = (structured as { items?: Array<Record<string, unknown>> } | undefined)?.items;
  const rows: Array<Record<string, unknown>> = items ?? tableOf(text, tool, ["NAME", "READY"]);
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
export function deploymentSpec(d: DeploymentObject): DeploymentSpec {
  const pod = d.spec.template.spec;
  const annotations = Object.fromEntries(
    Object.entries(d.metadata.annotations ?? {}).filter(([k, v]) => !k.includes("last-applied") && v.length <= 200),
  );
  const short = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v).slice(0, 400));
  return {
    name: d.metadata.name,
    revision: annotations["deployment.kubernetes.io/revision"],
    replicas: d.spec.replicas,
    containers: pod.containers.slice(0, 5).map((c) => {
      const env = Object.fromEntries(
        (c.env ?? [])
          .filter(
            (e): e is { name: string; value: string } =>
              typeof e.value === "string" && !SECRET_NAME.test(e.name) && SETTING_VALUE.test(e.value),
          )
          .slice(0, 30)
          .map((e) => [e.name, e.value]),
      );
      return {
        name: c.name,
        image: c.image,
        limits: c.resources?.limits,
        requests: c.resources?.requests,
        ...(Object.keys(env).length ? { env } : {}),
      };
    }),
    scheduling: {
      affinity: short(pod.affinity),
      nodeSelector: short(pod.nodeSelector),
      tolerations: pod.tolerations?.length,
    },
    annotations,
  };
}

export type CronJobRow = { name: string; schedule: string; suspend?: boolean; lastSchedule?: string };

/**
 * CronJobs from kubernetes-mcp-server's table (`NAME`, `SCHEDULE`, `SUSPEND`, `LAST SCHEDULE`), or
 * from kubectl's objects (`cronJobItems`, checked as `cronJobList`).
 */
export function cronJobsFrom(text: string, tool: string, items?: unknown[]): CronJobRow[] {
  if (items) {
    return checkReply(items, tool, cronJobList).map((c) => ({
      name: c.metadata.name,
      schedule: c.spec.schedule,
      suspend: c.spec.suspend === true,
      lastSchedule: c.status?.lastScheduleTime,
    }));
  }
  return tableOf(text, tool, ["NAME", "SCHEDULE"]).map((r) => ({
    name: r.NAME ?? "",
    schedule: r.SCHEDULE ?? "",
    suspend: r.SUSPEND === "True",
    lastSchedule: r["LAST SCHEDULE"],
  }));
}
