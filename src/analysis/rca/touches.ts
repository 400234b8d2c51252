import type { ClassifiedFile } from "../classify-change.js";
import { isMigrationPath } from "../migrations.js";
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
    for (const op of f.migration?.ops ?? []) out.push({ kind: "migration", file: f.path, table: op.table, op: op.op, locking: op.locking, detail: op.detail });
    for (const m of f.manifest ?? []) out.push({ kind: MANIFEST_KEY.find(([, re]) => re.test(m))?.[0] ?? "config", file: f.path, detail: m });
    for (const d of f.dependencies ?? []) out.push({ kind: "dependency", file: f.path, detail: `${d.name} ${d.from ?? "?"} → ${d.to ?? "?"}` });
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
    if (isMigrationPath(file) && !known.some((t) => t.kind === "migration" && t.file === file)) inferred.push({ kind: "migration", file, detail: file });
    for (const [kind, re] of HINTS) if (re.test(file) && !known.some((t) => t.kind === kind)) inferred.push({ kind, file, detail: file });
  }
  for (const [kind, re] of HINTS) if (re.test(c.title) && ![...known, ...inferred].some((t) => t.kind === kind)) inferred.push({ kind, detail: c.title });
  if (c.changeKinds.includes("dependency") && ![...known, ...inferred].some((t) => t.kind === "dependency")) inferred.push({ kind: "dependency", detail: "dependency versions" });
  return [...known, ...inferred];
}
