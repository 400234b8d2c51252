import type { Signal, Window } from "../../signals/types.js";
import { externalDependencyFindings, type ExternalDependencyKind } from "../findings/external-deps.js";
import type { Anomaly } from "../find-anomalies.js";
import type { K8sFinding } from "../findings/kubernetes/index.js";
import type { Category } from "./types.js";

/** How a fault does its damage: the middle link of a chain. A mechanism is never a rival of the change behind it. */
export type Mechanism = {
  kind: "lock" | "pool" | "slow-queries" | "eviction" | "oom" | "pod-failure" | "node" | "target-down" | "external" | "datastore";
  anomaly: Anomaly;
  service?: string;
  /** The title it has when nothing we can see caused it (then it is the chain's root). */
  title: string;
  category: Category;
  /** The link's text in a chain: "the `ALTER TABLE orders …` holding the lock (pid 4711) on `orders`". */
  text: string;
  confirm: string;
  /** Stop the bleeding: commands or SQL, before any fix. */
  mitigation: string[];
  /** Tables it involves (locks, slow queries), lower-case. */
  tables: string[];
  /** The session holding the lock, and what it runs. */
  blocker?: { pid: number; state?: string; query?: string };
  /** Applications holding idle-in-transaction connections (per-application connection counts). */
  leakers?: string[];
  /** For an external dependency: the host its callers fail to use. */
  dependency?: string;
  /** Services that issue the statement (datastore findings). */
  callers?: string[];
  /** The Kubernetes finding it rests on (object, reason, message, fix). */
  k8s?: K8sFinding;
};

const K8S_MECHANISM: Partial<Record<K8sFinding["class"], Mechanism["kind"]>> = { oom: "oom", node: "node", eviction: "node" };
const K8S_CATEGORY: Partial<Record<K8sFinding["class"], Category>> = {
  image: "config",
  config: "config",
  probe: "config",
  service: "config",
  ingress: "config",
  network: "config",
  crash: "code",
  job: "code",
  cronjob: "config",
};

/** A Kubernetes finding as a mechanism: its reason and message in Kubernetes' words, its fix first. */
function kubernetesMechanism(a: Anomaly, f: K8sFinding): Mechanism {
  const where = `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ""}${f.object.name}`;
  return {
    kind: K8S_MECHANISM[f.class] ?? "pod-failure",
    anomaly: a,
    service: a.service,
    tables: [],
    k8s: f,
    title: `${f.reason}: ${where}${f.service && !f.object.name.startsWith(f.service) ? ` (${f.service})` : ""}`,
    category: K8S_CATEGORY[f.class] ?? "infrastructure",
    text: `${where} ${f.reason}: ${f.message}${f.details.length ? ` (${f.details.join("; ").slice(0, 600)})` : ""}`,
    confirm: `\`kubectl describe ${f.object.kind.toLowerCase()} ${f.object.name}${f.object.namespace ? ` -n ${f.object.namespace}` : ""}\` shows ${f.reason}${f.class === "crash" || f.class === "oom" ? "; `kubectl logs --previous` the last lines before the exit" : ""}`,
    mitigation: [f.fix],
  };
}

const EXTERNAL_WORDS: Record<ExternalDependencyKind, { what: string; mitigation: string }> = {
  "tls-expired": {
    what: "TLS certificate expired or invalid",
    mitigation: "Renew or replace the certificate (or pin the previous one) and restart the callers' connections",
  },
  "rate-limited": {
    what: "throttling (HTTP 429)",
    mitigation: "Back off: lower the callers' request rate or concurrency, honour Retry-After, and ask the provider for more quota",
  },
  unavailable: {
    what: "unavailable (HTTP 503)",
    mitigation: "Fail over or degrade: serve from cache, queue the calls, and check the provider's status page",
  },
  dns: {
    what: "DNS resolution failing",
    mitigation: "Check the resolver and the record (`dig <host>`); pin a known address or fail over while it is fixed",
  },
  refused: { what: "refusing connections", mitigation: "Check the dependency is up and listening; fail over or degrade while it is down" },
  timeout: {
    what: "timing out",
    mitigation: "Shorten the callers' timeouts with a circuit breaker so they fail fast, and check the dependency's health",
  },
  smtp: { what: "rejecting mail (SMTP)", mitigation: "Queue outgoing mail and check the SMTP provider's status and credentials" },
};

/**
 * External dependencies the callers' logs show failing (src/analysis/findings/external-deps.ts): new
 * in the window, or spiking, and more than a couple of lines.
 */
export function externalMechanisms(signals: Signal[], window: Window): Mechanism[] {
  return externalDependencyFindings(signals, window)
    .filter((f) => f.count >= 3 && (f.isNew || (f.spike ?? 0) >= 3))
    .map((f) => {
      const words = EXTERNAL_WORDS[f.kind];
      const anomaly: Anomaly = {
        service: f.service,
        kind: "log-template",
        ...(f.firstSeen !== undefined ? { at: f.firstSeen } : {}),
        detail: `${f.dependency} ${words.what}: ${f.count} lines${f.isNew ? ", new in the window" : f.spike ? `, ×${f.spike.toFixed(1)}` : ""} ("${f.template.slice(0, 100)}")`,
        severity: Math.min(1, 0.5 + f.count / 40),
        evidence: f.evidence,
      };
      return {
        kind: "external" as const,
        anomaly,
        service: f.service,
        tables: [],
        dependency: f.dependency,
        title: `External dependency ${f.dependency}: ${words.what}`,
        category: "dependency" as const,
        text: `${words.what} (${f.count} lines in ${f.service}'s logs${f.isNew ? ", new" : ""})`,
        confirm: `${f.service}'s logs at ${f.firstSeen !== undefined ? new Date(f.firstSeen).toISOString() : "the onset"}: the calls to ${f.dependency} fail; a direct request to it from a pod should fail the same way`,
        mitigation: [words.mitigation],
      };
    });
}

const TABLE_IN_SQL =
  /\b(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM|ALTER\s+TABLE(?:\s+ONLY)?(?:\s+IF\s+EXISTS)?|LOCK\s+TABLE|FROM|JOIN|ON|TRUNCATE(?:\s+TABLE)?)\s+(?:"?[\w$]+"?\.)?"?([A-Za-z_][\w$]*)"?/gi;
export const tablesIn = (sql = "") =>
  [...new Set([...sql.matchAll(TABLE_IN_SQL)].map((m) => m[1]!.toLowerCase()))].filter((t) => !["only", "select", "now"].includes(t));
const short = (q = "", n = 80) => (q.length > n ? `${q.slice(0, n - 1)}…` : q);
/** A literal for SQL we print for a human to run: quotes doubled, never built from anything but data we show. */
const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;

type Chain = { pid: number; waiting_s?: number; query?: string; blockedBy: Array<{ pid: number; state?: string; query?: string }> };
type AppRow = {
  service?: string;
  application?: string;
  application_name?: string;
  app?: string;
  total?: number;
  idle_in_transaction?: number;
};

/** Per-application connection counts, in whichever of the shapes the PostgreSQL signal carries them. */
function applications(d: Record<string, unknown>): Array<{ name: string; idle: number }> {
  const rows = (d.byClient ?? d.byApplication ?? d.by_application ?? d.applications) as AppRow[] | undefined;
  return Array.isArray(rows)
    ? rows
        .map((r) => ({
          name: String(r.service ?? r.application ?? r.application_name ?? r.app ?? ""),
          idle: Number(r.idle_in_transaction ?? 0),
        }))
        .filter((r) => r.name && r.idle > 0)
        .sort((a, b) => b.idle - a.idle)
    : [];
}

/** The mechanisms among the window's strong anomalies, with what the signals say about each. */
export function findMechanisms(strong: Anomaly[], signals: Signal[]): Mechanism[] {
  const byId = new Map(signals.map((s) => [s.id, s]));
  const dataOf = (a: Anomaly) => (byId.get(a.evidence[0] ?? "")?.data ?? {}) as Record<string, unknown>;
  const out: Mechanism[] = [];
  for (const a of strong) {
    if (a.finding) {
      out.push(kubernetesMechanism(a, a.finding));
      continue;
    }
    const base = { anomaly: a, service: a.service, tables: [] as string[] };
    switch (a.kind) {
      case "db-locks": {
        const chains = (dataOf(a).chains ?? []) as Chain[];
        const blocker = chains[0]?.blockedBy[0];
        const waiting = chains.length;
        const tables = tablesIn([blocker?.query, ...chains.map((c) => c.query)].filter(Boolean).join(";"));
        const idle = blocker?.state?.startsWith("idle in transaction");
        out.push({
          ...base,
          kind: "lock",
          tables,
          ...(blocker ? { blocker: { pid: blocker.pid, state: blocker.state, query: blocker.query } } : {}),
          title: "Lock contention in PostgreSQL",
          category: "dependency",
          text: blocker
            ? `${blocker.query ? `the \`${short(blocker.query)}\`` : `session pid ${blocker.pid}`} holding the lock (pid ${blocker.pid}${idle ? ", idle in transaction" : ""})${tables[0] ? ` on \`${tables[0]}\`` : ""}; ${waiting} quer${waiting === 1 ? "y waits" : "ies wait"}`
            : `lock contention: ${a.detail}`,
          confirm:
            "SELECT pid, pg_blocking_pids(pid), wait_event_type, left(query, 120) FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0 — the blocker should be the session named; ending it should release the waiters",
          mitigation: blocker
            ? [
                `Cancel the blocking statement: \`SELECT pg_cancel_backend(${blocker.pid});\` — if it does not end within a few seconds (or it is idle in transaction), \`SELECT pg_terminate_backend(${blocker.pid});\``,
                "Check the waiters drain: `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock';`",
              ]
            : [
                "Find and end the blocker: `SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0;`",
              ],
        });
        break;
      }
      case "db-connections": {
        const d = dataOf(a);
        const apps = applications(d);
        const idle = Number(d.idle_in_transaction ?? 0);
        out.push({
          ...base,
          kind: "pool",
          ...(apps.length ? { leakers: apps.map((x) => x.name) } : {}),
          title: "PostgreSQL connections exhausted",
          category: "dependency",
          text: `connections exhausted (${a.detail.replace(/^(\d+) of (\d+).*/, "$1 of $2")}${idle ? `, ${idle} idle in transaction` : ""}${apps.length ? ` held by ${apps.map((x) => `${x.name} (${x.idle})`).join(", ")}` : ""})`,
          confirm:
            "SELECT state, count(*) FROM pg_stat_activity GROUP BY state — near max_connections, with idle in transaction or leaked connections",
          mitigation: [
            `End the leaked sessions: \`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle in transaction'${apps[0] ? ` AND application_name = ${sqlText(apps[0].name)}` : ""} AND state_change < now() - interval '5 minutes';\``,
            "Cap the damage while the fix ships: `ALTER ROLE <app role> SET idle_in_transaction_session_timeout = '60s';`",
          ],
        });
        break;
      }
      case "db-slow": {
        const queries = (dataOf(a).queries ?? []) as Array<{ pid?: number; query?: string }>;
        out.push({
          ...base,
          kind: "slow-queries",
          tables: tablesIn(queries.map((q) => q.query ?? "").join(";")),
          title: "Slow queries in PostgreSQL",
          category: "dependency",
          text: `slow queries (${a.detail})`,
          confirm: "pg_stat_statements ordered by mean_exec_time: a statement whose mean time jumped at the onset",
          mitigation: queries[0]?.pid
            ? [`Cancel the longest query if it is not needed: \`SELECT pg_cancel_backend(${queries[0].pid});\``]
            : [],
        });
        break;
      }
      case "db-statement": {
        const nPlusOne = a.detail.startsWith("N+1");
        out.push({
          ...base,
          kind: "slow-queries",
          tables: a.tables ?? [],
          callers: a.callers ?? [],
          title: nPlusOne ? "N+1 query burst in PostgreSQL" : "Query plan regression in PostgreSQL",
          category: "dependency",
          text: a.detail,
          confirm: nPlusOne
            ? "pg_stat_statements: the statement's calls per second against the requests per second of its caller — one call per row of a list means a loop; the caller's traces show the repeated spans"
            : "EXPLAIN (ANALYZE, BUFFERS) the statement with typical parameters: a sequential scan or a changed join order where an index was used; pg_stat_user_tables seq_scan rising on its table",
          mitigation: nPlusOne
            ? [
                "Roll back the change that loops over the statement (or batch it: one `WHERE id = ANY($1)`), and watch its calls per second fall",
              ]
            : [
                "Restore the plan: `ANALYZE <table>;` for stale statistics, recreate the missing index (`CREATE INDEX CONCURRENTLY …`), or roll back the change that altered the query or schema",
              ],
        });
        break;
      }
      case "datastore":
        out.push({
          ...base,
          kind: a.detail.includes("idle in transaction") ? "pool" : "datastore",
          ...(a.callers?.length && a.detail.includes("idle in transaction") ? { leakers: a.callers } : {}),
          title: a.detail.split(":")[0]!.slice(0, 100),
          category: "dependency",
          text: a.detail,
          confirm:
            "the datastore's own view at the onset (the finding's query) should show the same, and its callers' errors should start after it",
          mitigation: a.detail.includes("idle in transaction")
            ? [
                `End the leaked sessions (\`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle in transaction' AND state_change < now() - interval '5 minutes';\`) and set \`idle_in_transaction_session_timeout\` for the application's role`,
              ]
            : [
                "Relieve the datastore (stop the long transaction or the load that fills its queues; restore the missing shards or node) before fixing the caller",
              ],
        });
        break;
      case "cache-evictions":
        out.push({
          ...base,
          kind: "eviction",
          title: "Redis eviction storm (memory at maxmemory)",
          category: "dependency",
          text: `a Redis eviction storm (${a.detail})`,
          confirm: "INFO stats: evicted_keys rising and keyspace hit ratio falling; raising maxmemory should stop it",
          mitigation: [
            "Give the cache room: `CONFIG SET maxmemory <higher>` (or restore the previous `maxmemory-policy`), then watch `INFO stats` evicted_keys stop rising",
          ],
        });
        break;
      case "oom":
        out.push({
          ...base,
          kind: "oom",
          title: `${a.service ?? "A service"} runs out of memory (OOMKilled)`,
          category: "infrastructure",
          text: `${a.service ?? "pods"} OOMKilled (${a.detail})`,
          confirm: "kubectl describe pod: Last State Terminated, Reason OOMKilled; memory usage against the limit over the window",
          mitigation: [
            `Roll back to the last good revision: \`kubectl rollout undo deployment/${a.service ?? "<name>"}\`, or raise its memory limit`,
          ],
        });
        break;
      case "pod-failure":
        out.push({
          ...base,
          kind: "pod-failure",
          title: `${a.service ?? "A service"}'s pods fail (${a.detail.split(":")[0]})`,
          category: "infrastructure",
          text: `${a.service ?? "pods"} failing (${a.detail})`,
          confirm: "kubectl describe pod and kubectl logs --previous: the reason and the last lines before the crash",
          mitigation: [`Roll back: \`kubectl rollout undo deployment/${a.service ?? "<name>"}\``],
        });
        break;
      case "node":
        out.push({
          ...base,
          kind: "node",
          title: "Node pressure or eviction",
          category: "infrastructure",
          text: `node pressure (${a.detail})`,
          confirm: "kubectl describe node: conditions MemoryPressure/DiskPressure; evicted pods on that node",
          mitigation: ["Move the load off the node: `kubectl cordon <node>` then `kubectl drain <node> --ignore-daemonsets`"],
        });
        break;
      case "target-down":
        out.push({
          ...base,
          kind: "target-down",
          title: `Dependency down: ${a.detail}`,
          category: "dependency",
          text: `${a.detail}`,
          confirm: `up{${a.detail.split(" ")[0] ? `job="${a.detail.split(" ")[0]}"` : ""}} == 0 over the window; its callers' errors should start after it went down`,
          mitigation: ["Restore the target (restart it, or fail over), and shed load from its callers while it is down"],
        });
        break;
      default:
        break;
    }
  }
  return out;
}
