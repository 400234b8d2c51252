import type { Signal } from "../../signals/types.js";
import type { Mechanism } from "./mechanisms.js";
import type { ChangeEvent, ChangeTouch } from "./types.js";

/** How well a change explains a mechanism, from what it touches; `root` names the part of it that does. */
export type Link = { strength: number; root: string; why: string; evidence: string[] };

const NONE: Link = { strength: 0, root: "", why: "", evidence: [] };
const DDL = /^\s*(ALTER|CREATE|DROP|TRUNCATE|LOCK|REINDEX|VACUUM\s+FULL|CLUSTER)\b/i;
const base = (file?: string) => file?.split("/").pop() ?? "";
const label = (c: ChangeEvent) => (c.kind === "pr" ? `PR ${c.id}` : c.kind === "deployment" ? `Deployment ${c.id}` : `Commit ${c.id}`);

/** When the service's memory began to climb, if it did after `at` (a leak shipped by a deploy shows as a rise that starts then). */
export function memoryClimbAfter(
  signals: Signal[],
  service: string | undefined,
  at: number,
): { from: number; to: number; evidence: string } | undefined {
  for (const s of signals.filter((x) => x.service === service && /memory/.test(x.name) && x.series?.[0]?.points.length)) {
    const points = s.series![0]!.points;
    const before = points.filter(([t]) => t <= at).map(([, v]) => v);
    const after = points.filter(([t]) => t > at).map(([, v]) => v);
    if (before.length < 3 || after.length < 3) continue;
    const level = [...before].sort((a, b) => a - b)[Math.floor(before.length / 2)]!;
    const last = after.slice(-3).reduce((a, b) => a + b, 0) / 3;
    // A rise of a quarter over the level before the change, still there at the end: the climb started after it.
    if (level > 0 && last >= 1.25 * level) return { from: level, to: last, evidence: s.id };
  }
  return undefined;
}

/** The strength of the link change → mechanism, from what the change touches (0 when nothing links them). */
export function linkChange(c: ChangeEvent, touched: ChangeTouch[], m: Mechanism, signals: Signal[]): Link {
  const on = (kind: ChangeTouch["kind"]) => touched.filter((t) => t.kind === kind);
  const onService = !m.service || c.services.includes(m.service);
  const who = label(c);
  const k8s = m.k8s ? k8sLink(m, on, onService, who, c) : undefined;
  if (k8s) return k8s;
  switch (m.kind) {
    case "lock": {
      const migrations = on("migration");
      if (!migrations.length) {
        // A session that leaks an open transaction belongs to an application; a code change to a service using the table is a weak lead.
        return m.blocker?.state?.startsWith("idle in transaction") && c.changeKinds.includes("code") && onService && c.services.length
          ? {
              strength: 0.3,
              root: who,
              why: `changes ${c.services.join(", ")}, whose code may leave the transaction open`,
              evidence: [c.id],
            }
          : NONE;
      }
      const blockerSql = m.blocker?.query ?? "";
      const sameTable = migrations.filter((t) => t.table && m.tables.includes(t.table));
      const exact = sameTable.find(
        (t) =>
          t.locking &&
          blockerSql &&
          blockerSql.toLowerCase().replace(/\s+/g, " ").includes(t.detail.toLowerCase().replace(/\s+/g, " ").slice(0, 40)),
      );
      const best = exact ?? sameTable.find((t) => t.locking) ?? sameTable[0] ?? migrations[0]!;
      const strength = exact ? 1 : sameTable.some((t) => t.locking) ? 0.95 : sameTable.length ? 0.85 : DDL.test(blockerSql) ? 0.75 : 0.4;
      return {
        strength,
        root: `${who}'s migration \`${base(best.file) || best.detail}\``,
        why: exact
          ? `the blocking statement is its migration's \`${best.detail}\` (${base(best.file) || "the migration"}), on \`${best.table}\`, the locked table`
          : sameTable.length
            ? `its migration runs \`${best.detail}\` on \`${best.table}\`, the locked table`
            : DDL.test(blockerSql)
              ? "the lock is held by a schema change, and this change ships a migration"
              : "it ships a migration",
        evidence: [c.id],
      };
    }
    case "slow-queries": {
      const migrations = on("migration");
      const sameTable = migrations.find((t) => t.table && m.tables.includes(t.table));
      if (sameTable || migrations.length) {
        const t = sameTable ?? migrations[0]!;
        return {
          strength: sameTable ? 0.85 : 0.6,
          root: `${who}'s migration \`${base(t.file) || t.detail}\``,
          why: `its migration changes ${t.table ? `\`${t.table}\`` : "the schema"} (\`${t.detail}\`)`,
          evidence: [c.id],
        };
      }
      // A statement whose rate jumped (N+1) or whose plan changed comes from the code of the service that issues it.
      const caller = m.callers?.find((x) => c.services.includes(x));
      if (caller && c.changeKinds.some((k) => k === "code" || k === "dependency"))
        return { strength: 0.8, root: who, why: `it changes ${caller}, which issues the statement`, evidence: [c.id] };
      return on("database").length ? { strength: 0.5, root: who, why: "it changes database settings", evidence: [c.id] } : NONE;
    }
    case "pool": {
      const leaker = m.leakers?.find((app) => c.services.includes(app));
      if (leaker && c.changeKinds.some((k) => k === "code" || k === "dependency"))
        return {
          strength: 0.85,
          root: who,
          why: `it changes ${leaker}, the application holding the idle-in-transaction connections`,
          evidence: [c.id],
        };
      const db = on("database")[0];
      if (db) return { strength: 0.8, root: who, why: `it changes connection settings (${db.detail})`, evidence: [c.id] };
      return !m.leakers?.length && c.changeKinds.includes("code") && c.services.length
        ? { strength: 0.3, root: who, why: `a code change to ${c.services.join(", ")} may leak connections`, evidence: [c.id] }
        : NONE;
    }
    case "eviction": {
      const cache = on("cache")[0];
      return cache ? { strength: 0.9, root: who, why: `it changes the cache (${cache.detail})`, evidence: [c.id] } : NONE;
    }
    case "oom": {
      if (!onService) return NONE;
      const res = on("resources")[0];
      if (res) return { strength: 1, root: who, why: `it changes ${m.service}'s resources (${res.detail})`, evidence: [c.id] };
      const climb = memoryClimbAfter(signals, m.service, c.at);
      if (climb)
        return {
          strength: 0.85,
          root: who,
          why: `${m.service}'s memory began to climb after it (${fmtBytes(climb.from)} → ${fmtBytes(climb.to)})`,
          evidence: [c.id, climb.evidence],
        };
      const manifest = c.changeKinds.some((k) => k === "kubernetes" || k === "helm");
      return manifest
        ? { strength: 0.6, root: who, why: `it changes ${m.service}'s deployment`, evidence: [c.id] }
        : { strength: 0.3, root: who, why: `it ships new code to ${m.service}`, evidence: [c.id] };
    }
    case "pod-failure": {
      if (!onService) return NONE;
      const t = [...on("image"), ...on("probe"), ...on("resources"), ...on("config")][0];
      return t
        ? { strength: 0.75, root: who, why: `it changes ${m.service}'s ${t.kind} (${t.detail})`, evidence: [c.id] }
        : { strength: 0.5, root: who, why: `it ships new code to ${m.service}`, evidence: [c.id] };
    }
    case "node": {
      const aff = on("affinity")[0];
      if (aff)
        return {
          strength: 0.9,
          root: who,
          why: `it changes scheduling (${aff.detail}): pods land where they should not`,
          evidence: [c.id],
        };
      const res = [...on("resources"), ...on("replicas")][0];
      return res && onService ? { strength: 0.5, root: who, why: `it changes ${res.detail}`, evidence: [c.id] } : NONE;
    }
    case "datastore": {
      // A datastore straining under its only user's queries (a long graph walk, a search storm): that user's code change.
      const user = m.service && c.services.includes(m.service) && c.changeKinds.some((k) => k === "code" || k === "dependency");
      return user ? { strength: 0.6, root: who, why: `it changes ${m.service}, the datastore's user`, evidence: [c.id] } : NONE;
    }
    case "target-down":
      return NONE;
    default:
      return NONE;
  }
}

const fmtBytes = (b: number) =>
  b >= 1 << 30 ? `${(b / (1 << 30)).toFixed(1)} GiB` : b >= 1 << 20 ? `${Math.round(b / (1 << 20))} MiB` : `${Math.round(b)}`;

/** What a change must touch to explain a Kubernetes finding of each class, and how strongly. */
const K8S_TOUCH: Partial<Record<string, Array<[ChangeTouch["kind"], number]>>> = {
  image: [["image", 0.95]],
  config: [["config", 0.9]],
  probe: [["probe", 0.95]],
  scheduling: [
    ["affinity", 0.9],
    ["resources", 0.85],
    ["replicas", 0.6],
  ],
  hpa: [
    ["replicas", 0.8],
    ["resources", 0.7],
  ],
  pdb: [["replicas", 0.7]],
  oom: [["resources", 1]],
  crash: [
    ["config", 0.8],
    ["image", 0.75],
  ],
  init: [
    ["config", 0.8],
    ["image", 0.75],
  ],
  service: [["config", 0.8]],
  ingress: [["config", 0.8]],
  network: [["config", 0.8]],
  cronjob: [["schedule", 0.9]],
  job: [
    ["schedule", 0.6],
    ["config", 0.6],
  ],
};

/** A change that touches what a Kubernetes finding is about (its image, its config, its probe, its scheduling); undefined to fall back on the kind's rule. */
function k8sLink(
  m: Mechanism,
  on: (k: ChangeTouch["kind"]) => ChangeTouch[],
  onService: boolean,
  who: string,
  c: ChangeEvent,
): Link | undefined {
  const f = m.k8s!;
  if (!onService && f.service) return undefined;
  for (const [kind, strength] of K8S_TOUCH[f.class] ?? []) {
    const t = on(kind)[0];
    if (t)
      return {
        strength,
        root: who,
        why: `it changes ${f.service ?? f.object.name}'s ${kind} (${t.detail}), and ${f.object.kind} ${f.object.name} is ${f.reason}`,
        evidence: [c.id],
      };
  }
  // A manifest change to the object's service explains a config-class finding (a Service selector, an Ingress, a policy) half-way.
  if (
    ["service", "ingress", "network", "config", "pdb", "hpa", "scheduling", "volume", "cronjob"].includes(f.class) &&
    c.changeKinds.some((k) => k === "kubernetes" || k === "helm") &&
    f.service &&
    c.services.includes(f.service)
  ) {
    return {
      strength: 0.6,
      root: who,
      why: `it changes ${f.service}'s manifests, and ${f.object.kind} ${f.object.name} is ${f.reason}`,
      evidence: [c.id],
    };
  }
  // New code can crash a container or fail its probes; it does not pin an HPA, unbind a claim or drop a node.
  return ["crash", "oom", "init", "probe", "image", "config", "job", "rollout", "node", "eviction"].includes(f.class)
    ? undefined
    : { strength: 0, root: "", why: "", evidence: [] };
}
