import type { FileChange } from "../../src/core/change-set.js";
import type { ChangeRecord, IncidentRecord, RepoHistory } from "../../src/history/types.js";
import { seeded } from "./rng.js";

/**
 * A generated repository history: merged PRs over months, each with real-looking patches (code,
 * Kubernetes manifests, SQL migrations, package.json bumps). Whether a PR goes wrong depends on a
 * hidden fragility of what it touches, on the kind of change and on its size, with noise — so
 * neither the change alone nor its history decides it. Bad PRs are reverted, cause an incident
 * (whose RCA names them most of the time) or get a fix that rewrites their lines (SZZ links with
 * some wrong links); some good PRs get fixes too. Incidents carry signals from a failure mode
 * (the ground truth of "similar"), diluted by common and random signals.
 */
export type GeneratedPr = { record: ChangeRecord; files: FileChange[]; bad: boolean };
export type GeneratedHistory = { history: RepoHistory; prs: GeneratedPr[]; modes: Map<number, string> };

const SERVICES = ["api", "web", "worker", "billing"];
const MODES: Record<string, { signals: string[]; mechanism: string; category: "code" | "config" | "infrastructure" | "dependency" }> = {
  connections: {
    signals: ["postgres connection exhaustion", "FATAL sorry too many clients already", "connection pool timeout acquiring connection"],
    mechanism: "PostgreSQL connections exhausted",
    category: "dependency",
  },
  locks: {
    signals: ["postgres lock contention", "canceling statement due to lock timeout", "postgres slow queries"],
    mechanism: "Lock contention in PostgreSQL",
    category: "dependency",
  },
  oom: {
    signals: ["OOMKilled", "container memory working set near limit", "BackOff restarting failed container"],
    mechanism: "Pods OOMKilled",
    category: "config",
  },
  crashloop: {
    signals: ["CrashLoopBackOff", "Error missing required environment variable", "readiness probe failed"],
    mechanism: "Pods crash-looping",
    category: "config",
  },
  evictions: {
    signals: ["redis eviction storm", "cache miss ratio rising", "OOM command not allowed when used memory > maxmemory"],
    mechanism: "Redis eviction storm",
    category: "dependency",
  },
  timeout: {
    signals: ["upstream request timeout", "context deadline exceeded calling payments", "latency regression"],
    mechanism: "Dependency timeouts",
    category: "dependency",
  },
  nullref: {
    signals: ["TypeError Cannot read properties of undefined reading total", "unhandled promise rejection", "http 5xx error rate rising"],
    mechanism: "Code error after change",
    category: "code",
  },
  disk: {
    signals: ["kubernetes node pressure", "DiskPressure", "no space left on device"],
    mechanism: "Node disk pressure",
    category: "infrastructure",
  },
};
const COMMON = ["http 5xx error rate rising", "latency regression", "traffic drop", "sla breach"];
const NOISE = [
  "GET /health 200",
  "retrying request attempt",
  "slow request logged",
  "cache warmup finished",
  "worker heartbeat missed",
  "jwt expired for user",
  "deprecated api version called",
  "gc pause long",
];

export function generateHistory(options: { prs: number; seed: number }): GeneratedHistory {
  const rng = seeded(options.seed);
  const files: Array<{
    path: string;
    service: string;
    kind: "code" | "manifest" | "migration" | "deps";
    fragility: number;
    weight: number;
  }> = [];
  for (const s of SERVICES) {
    for (let i = 0; i < 12; i++)
      files.push({
        path: `services/${s}/src/${rng.pick(["orders", "cart", "users", "search", "queue", "cache", "auth", "report"])}-${i}.ts`,
        service: s,
        kind: "code",
        fragility: rng.chance(0.15) ? 0.5 : rng.next() * 0.15,
        weight: rng.exp(1),
      });
    files.push({ path: `k8s/${s}/deployment.yaml`, service: s, kind: "manifest", fragility: rng.chance(0.4) ? 0.45 : 0.1, weight: 1.5 });
    files.push({
      path: `services/${s}/db/migrations`,
      service: s,
      kind: "migration",
      fragility: rng.chance(0.5) ? 0.45 : 0.15,
      weight: 0.8,
    });
    files.push({ path: `services/${s}/package.json`, service: s, kind: "deps", fragility: rng.chance(0.3) ? 0.4 : 0.1, weight: 0.6 });
  }
  const tables = ["orders", "users", "carts", "invoices", "events"];
  const tableFragility = Object.fromEntries(tables.map((t) => [t, rng.chance(0.4) ? 0.35 : 0.05]));
  const pickFile = (service?: string) => {
    const pool = service ? files.filter((f) => f.service === service) : files;
    let r = rng.next() * pool.reduce((a, f) => a + f.weight, 0);
    for (const f of pool) if ((r -= f.weight) <= 0) return f;
    return pool[0]!;
  };
  const prs: GeneratedPr[] = [];
  const incidents: IncidentRecord[] = [];
  const modes = new Map<number, string>();
  const later: ChangeRecord[] = [];
  let at = Date.parse("2025-01-01T00:00:00Z");
  let number = 100;
  let incidentNumber = 5000;
  for (let i = 0; i < options.prs; i++) {
    at += Math.round(rng.exp(5 * 3_600_000));
    const first = pickFile();
    const touched = [first, ...Array.from({ length: rng.int(0, 2) }, () => pickFile(first.service))].filter(
      (f, j, xs) => xs.indexOf(f) === j,
    );
    const size = Math.round(rng.exp(40)) + 1;
    const fileChanges: FileChange[] = [];
    const resources: string[] = [];
    let fragility = 0;
    let kindRisk = 0;
    for (const f of touched) {
      if (f.kind === "migration") {
        const table = rng.pick(tables);
        const locking = rng.chance(0.4);
        const path = `${f.path}/V${i}__change_${table}.sql`;
        fileChanges.push({
          path,
          status: "added",
          additions: 1,
          deletions: 0,
          patch: `@@ -0,0 +1 @@\n+${locking ? `ALTER TABLE ${table} ALTER COLUMN c${i} TYPE bigint;` : `ALTER TABLE ${table} ADD COLUMN c${i} text;`}`,
        });
        resources.push(`table:${table}`);
        fragility = Math.max(fragility, f.fragility, tableFragility[table]!);
        kindRisk += locking ? 0.25 : 0.05;
      } else if (f.kind === "manifest") {
        const key = rng.pick(["replicas", "memory", "image", "cpu"]);
        fileChanges.push({
          path: f.path,
          status: "modified",
          additions: 1,
          deletions: 1,
          patch: `@@ -5,1 +5,1 @@\n-  ${key}: ${rng.int(1, 9)}\n+  ${key}: ${rng.int(1, 9)}`,
        });
        resources.push(`manifest:${f.path}`);
        fragility = Math.max(fragility, f.fragility);
        kindRisk += key === "memory" || key === "replicas" ? 0.15 : 0.05;
      } else if (f.kind === "deps") {
        const major = rng.chance(0.3);
        const dep = rng.pick(["express", "pg", "ioredis", "zod", "axios"]);
        fileChanges.push({
          path: f.path,
          status: "modified",
          additions: 1,
          deletions: 1,
          patch: `@@ -3,1 +3,1 @@\n-    "${dep}": "4.1.0",\n+    "${dep}": "${major ? "5" : "4"}.2.0",`,
        });
        resources.push(`dep:${dep}`);
        fragility = Math.max(fragility, f.fragility);
        kindRisk += major ? 0.2 : 0.03;
      } else {
        const lines = Math.max(1, Math.round(size / touched.length));
        fileChanges.push({
          path: f.path,
          status: "modified",
          additions: lines,
          deletions: Math.round(lines / 2),
          patch: `@@ -1,${Math.round(lines / 2)} +1,${lines} @@\n${Array.from({ length: lines }, (_, k) => `+export const x${i}_${k} = ${k};`).join("\n")}`,
        });
        fragility = Math.max(fragility, f.fragility);
      }
    }
    const logit = -3.2 + 4 * fragility + 3 * kindRisk + 0.35 * Math.log(size) + (rng.next() - 0.5) * 1.5;
    const bad = rng.next() < 1 / (1 + Math.exp(-logit));
    const id = `#${++number}`;
    const record: ChangeRecord = {
      id,
      title: `Change ${i}`,
      url: `https://github.com/acme/shop/pull/${number}`,
      at,
      files: fileChanges.map((f) => f.path),
      services: [first.service],
      kinds: [],
      resources: [...new Set(resources)].sort(),
    };
    prs.push({ record, files: fileChanges, bad });
    const after = at + Math.round(rng.next() * 40 * 3_600_000) + 600_000;
    if (bad) {
      const r = rng.next();
      if (r < 0.3)
        later.push({
          id: `#r${number}`,
          title: `Revert "Change ${i}"`,
          at: after,
          files: record.files,
          services: record.services,
          kinds: [],
          resources: [],
          revertOf: id,
        });
      else {
        const mode = modeFor(touched[0]!.kind, rng);
        const n = ++incidentNumber;
        modes.set(n, mode);
        incidents.push(incident(n, after, mode, first.service, rng.chance(0.75) ? id : undefined, rng));
        if (rng.chance(0.4))
          later.push({
            id: `#f${number}`,
            title: `Fix after Change ${i}`,
            at: after + 3_600_000,
            files: record.files,
            services: record.services,
            kinds: [],
            resources: [],
            fix: true,
            fixes: [rng.chance(0.85) || !prs.length ? id : rng.pick(prs).record.id],
          });
      }
    } else if (rng.chance(0.05)) {
      later.push({
        id: `#f${number}`,
        title: `Fix a minor bug after Change ${i}`,
        at: after,
        files: record.files,
        services: record.services,
        kinds: [],
        resources: [],
        fix: true,
        fixes: [id],
      });
    }
  }
  // Unrelated incidents (no change caused them): noise for the memory.
  for (let k = 0; k < options.prs / 20; k++) {
    const n = ++incidentNumber;
    const mode = rng.pick(Object.keys(MODES));
    modes.set(n, mode);
    incidents.push(
      incident(
        n,
        Date.parse("2025-01-01T00:00:00Z") + rng.next() * (at - Date.parse("2025-01-01T00:00:00Z")),
        mode,
        rng.pick(SERVICES),
        undefined,
        rng,
      ),
    );
  }
  const history: RepoHistory = {
    repo: "acme/shop",
    changes: [...prs.map((p) => p.record), ...later].sort((a, b) => a.at - b.at),
    incidents: incidents.sort((a, b) => a.openedAt - b.openedAt),
    failedDeployments: [],
    cursor: { etags: {} },
  };
  return { history, prs, modes };
}

function modeFor(kind: string, rng: ReturnType<typeof seeded>): string {
  const options: Record<string, string[]> = {
    migration: ["locks", "locks", "connections", "timeout"],
    manifest: ["oom", "crashloop", "oom", "disk"],
    deps: ["timeout", "nullref", "crashloop", "evictions"],
    code: ["nullref", "connections", "evictions", "timeout", "nullref"],
  };
  return rng.pick(options[kind] ?? Object.keys(MODES));
}

function incident(
  number: number,
  at: number,
  mode: string,
  service: string,
  suspect: string | undefined,
  rng: ReturnType<typeof seeded>,
): IncidentRecord {
  const m = MODES[mode]!;
  const signals = [
    ...m.signals.filter(() => rng.chance(0.6)),
    ...COMMON.filter(() => rng.chance(0.35)),
    ...NOISE.filter(() => rng.chance(0.15)),
  ];
  if (!signals.length) signals.push(rng.pick(m.signals));
  const services = [service, ...(rng.chance(0.3) ? [rng.pick(SERVICES)] : [])];
  const rightMechanism = rng.chance(0.7);
  return {
    number,
    title: `Incident ${number}`,
    url: `https://github.com/acme/shop/issues/${number}`,
    openedAt: at,
    closedAt: at + Math.round(rng.exp(3 * 3_600_000)),
    signals: [...new Set(signals)],
    services: [...new Set(services)].sort(),
    category: rightMechanism ? m.category : rng.pick(["code", "config", "dependency"] as const),
    mechanism: rightMechanism ? m.mechanism : `Error rate rising on ${service}`,
    ...(suspect ? { suspect, root: `Change ${suspect}` } : {}),
    fix: { ref: `#${number + 100000}`, title: "fix" },
  };
}
