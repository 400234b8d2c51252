import type { ClassifiedFile } from "../classify-change.js";
import { isMigrationPath, readMigration } from "../migrations.js";
import type { ChangeEvent, ChangeTouch } from "./types.js";

/** Words in a changed file's path or a change's title that say what it touches when no patch tells us. */
const HINTS: Array<[ChangeTouch["kind"], RegExp]> = [
  ["schedule", /\bcron(job)?s?\b|schedul/i],
  ["affinity", /affinit|node-?selector|toleration|taint|topology-?spread/i],
  ["cache", /\bredis\b|\bcache|maxmemory|evict/i],
  ["database", /\b(db|database|pg|postgres(ql)?)[-_. ]?(pool|conn)|pool[-_. ]?size|max[-_. ]?connections|hikari|pgbouncer/i],
  ["timeout", /timeout|deadline|retr(y|ies)/i],
  ["probe", /readiness|liveness|startup[-_ ]?probe|\bprobes?\b/i],
  ["resources", /\b(memory|mem|cpu)\b|resource[-_ ]?limits?|\blimits?\b|\brequests\b|heap|-Xmx/i],
];

const MANIFEST_KEY: Array<[ChangeTouch["kind"], RegExp]> = [
  ["resources", /^(memory|cpu) /],
  ["replicas", /^(replicas|minReplicas|maxReplicas) /],
  ["image", /^image /],
  ["probe", /Probe changed|^(timeoutSeconds|failureThreshold) /],
];

/** What classified files touch: migration operations, manifest keys, dependency bumps (for the change histories). */
export function touchesOf(files: ClassifiedFile[]): ChangeTouch[] {
  const out: ChangeTouch[] = [];
  for (const f of files) {
    for (const op of f.migration?.ops ?? [])
      out.push({ kind: "migration", file: f.path, table: op.table, op: op.op, locking: op.locking, detail: op.detail });
    for (const m of f.manifest ?? [])
      out.push({ kind: MANIFEST_KEY.find(([, re]) => re.test(m))?.[0] ?? "config", file: f.path, detail: m });
    for (const d of f.dependencies ?? [])
      out.push({ kind: "dependency", file: f.path, detail: `${d.name} ${d.from ?? "?"} → ${d.to ?? "?"}` });
  }
  return out;
}

/**
 * Everything a change touches: what its history recorded, plus what its files and title say
 * (a migration file, a CronJob, a cache or pool setting). Inferred touches carry no table.
 */
export function touches(c: ChangeEvent): ChangeTouch[] {
  const known = c.touches ?? [];
  const inferred: ChangeTouch[] = [];
  for (const file of c.files) {
    if (isMigrationPath(file) && !known.some((t) => t.kind === "migration" && t.file === file))
      inferred.push({ kind: "migration", file, detail: file });
    for (const [kind, re] of HINTS) if (re.test(file) && !known.some((t) => t.kind === kind)) inferred.push({ kind, file, detail: file });
  }
  for (const [kind, re] of HINTS)
    if (re.test(c.title) && ![...known, ...inferred].some((t) => t.kind === kind)) inferred.push({ kind, detail: c.title });
  if (c.changeKinds.includes("dependency") && ![...known, ...inferred].some((t) => t.kind === "dependency"))
    inferred.push({ kind: "dependency", detail: "dependency versions" });
  return [...known, ...inferred];
}

/** Settings a changed line of a patch can move, by what the line says (YAML keys, env vars, config keys, flags). */
const PATCH_KEYS: Array<[ChangeTouch["kind"], RegExp]> = [
  ["schedule", /^\s*schedule\s*:|\bcron\b/i],
  ["affinity", /affinity|nodeSelector|tolerations?\b|topologySpreadConstraints|requiredDuringScheduling|preferredDuringScheduling/i],
  ["cache", /maxmemory(-policy)?|maxmemory_policy|\beviction|\bttl\b/i],
  ["database", /max_connections|pool_?size|maximumPoolSize|maxPoolSize|max_pool|work_mem|shared_buffers|idle_in_transaction/i],
  ["timeout", /timeout|deadline|retries|retry/i],
  ["replicas", /^\s*(replicas|minReplicas|maxReplicas)\s*:/],
  ["resources", /^\s*(memory|cpu)\s*:|-Xmx|GOMEMLIMIT|resources\s*:|limits\s*:/i],
];
const MAX_PATCH_LINES = 2_000;

/**
 * What a change touches, read from its patches (a GitHub PR's `pulls.listFiles` patches, or any
 * unified diff): the classified parts (migrations, manifest keys, dependency bumps) plus every
 * setting a changed line moves — a CronJob schedule, an affinity rule removed, a cache's eviction
 * policy, a pool size, a timeout — with the line before and after as the detail. One touch per
 * kind and file; at most 2,000 changed lines read per file.
 */
export function touchesFromDiff(files: Array<Pick<ClassifiedFile, "path" | "patch"> & Partial<ClassifiedFile>>): ChangeTouch[] {
  const out: ChangeTouch[] = touchesOf(files.filter((f): f is ClassifiedFile => !!f.kind));
  // An unclassified migration file is read from its added lines, so a lock's blocking statement can be matched to it.
  for (const f of files.filter((x) => !x.kind && isMigrationPath(x.path))) {
    const added = (f.patch ?? "")
      .split("\n")
      .filter((l) => l.startsWith("+") && !l.startsWith("+++"))
      .slice(0, MAX_PATCH_LINES)
      .map((l) => l.slice(1));
    for (const op of readMigration(f.path, added).ops)
      out.push({ kind: "migration", file: f.path, table: op.table, op: op.op, locking: op.locking, detail: op.detail });
  }
  for (const f of files) {
    const lines = (f.patch ?? "")
      .split("\n")
      .filter((l) => /^[+-](?![+-]{2})/.test(l))
      .slice(0, MAX_PATCH_LINES);
    for (const [kind, re] of PATCH_KEYS) {
      if (out.some((t) => t.kind === kind && t.file === f.path)) continue;
      const removed = lines
        .find((l) => l.startsWith("-") && re.test(l.slice(1)))
        ?.slice(1)
        .trim();
      const added = lines
        .find((l) => l.startsWith("+") && re.test(l.slice(1)))
        ?.slice(1)
        .trim();
      if (!removed && !added) continue;
      const detail = removed && added ? `${removed} → ${added}` : removed ? `removed \`${removed}\`` : `added \`${added}\``;
      out.push({ kind, file: f.path, detail: detail.slice(0, 200) });
    }
  }
  return out;
}
