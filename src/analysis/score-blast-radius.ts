import type { RepoConfig, RiskLevel } from "../config/repo-config.js";
import { levelRank } from "../core/risk.js";
import type { ClassifiedFile } from "./classify-change.js";
import { MIGRATION_RISK } from "./migration-risk.js";
import { availability } from "./watch-list.js";
import type { ServiceProfile, TableProfile } from "./profile.js";

/** One explained contribution to the score; `floor`: the lowest level the change can have because of it. */
export type Factor = { name: string; points: number; reason: string; evidence: string[]; files?: string[]; floor?: RiskLevel };

export type ScoreInput = {
  files: ClassifiedFile[];
  profiles: ServiceProfile[];
  tables: TableProfile[];
  /** False when no source answered: only the change itself is scored. */
  productionData: boolean;
};

const TIER_POINTS = { critical: 15, high: 10, medium: 5, low: 2 } as const;
const HOT_ROWS = 1_000_000;
const HOT_BYTES = 1024 ** 3;
const HOT_WRITES = 100_000;

const fmtRate = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(1));
const pct = (v: number) => `${(v * 100).toFixed(v < 0.01 ? 2 : 1)}%`;
const list = (xs: string[], max = 3) => (xs.length > max ? `${xs.slice(0, max).join(", ")} and ${xs.length - max} more` : xs.join(", "));

function exposure({ profiles }: ScoreInput): Factor | undefined {
  const scored = profiles.map((p) => {
    const rate = p.requestRate?.value;
    const traffic = rate === undefined ? 0 : rate >= 100 ? 10 : rate >= 10 ? 6 : rate > 0 ? 2 : 0;
    return { p, points: TIER_POINTS[p.tier] + traffic, rate };
  });
  const top = scored.sort((a, b) => b.points - a.points)[0];
  if (!top) return undefined;
  const traffic = top.rate === undefined ? "" : ` and serves ${fmtRate(top.rate)} req/s`;
  return {
    name: "Production exposure",
    points: top.points,
    reason: `${top.p.service} is ${top.p.tier}-tier${traffic}`,
    evidence: top.p.requestRate ? [top.p.requestRate.id] : [],
  };
}

function errorBudget({ profiles }: ScoreInput): Factor | undefined {
  const worst = profiles
    .map((p) => {
      const rate = p.errorRate?.value ?? 0;
      const sla = p.sla?.value;
      const points = Math.max(rate >= 0.05 ? 10 : rate >= 0.01 ? 6 : 0, sla !== undefined && sla < 99 ? 6 : 0);
      return { p, points, rate, sla };
    })
    .sort((a, b) => b.points - a.points)[0];
  if (!worst || worst.points === 0) return undefined;
  const parts = [
    worst.rate >= 0.01 ? `error rate ${pct(worst.rate)}` : "",
    worst.sla !== undefined && worst.sla < 99 ? `SLA ${availability(worst.sla)}%` : "",
  ].filter(Boolean);
  return {
    name: "Error budget",
    points: worst.points,
    reason: `${worst.p.service} is already burning its budget: ${parts.join(", ")}`,
    evidence: [worst.p.errorRate?.id, worst.p.sla?.id].filter((x): x is string => !!x),
  };
}

function dependents({ profiles }: ScoreInput): Factor | undefined {
  const callers = [...new Set(profiles.flatMap((p) => p.dependents))].filter((d) => !profiles.some((p) => p.service === d));
  if (callers.length === 0) return undefined;
  const evidence = [...new Set(profiles.map((p) => p.topologyId).filter((x): x is string => !!x))];
  const basis = evidence.length ? "" : " (dependsOn in .github/insight.yml)";
  return {
    name: "Dependents",
    points: Math.min(16, callers.length * 4),
    reason: `${list(callers)} call${callers.length === 1 ? "s" : ""} the touched service${profiles.length > 1 ? "s" : ""}${basis}`,
    evidence,
  };
}

function migration({ files, tables }: ScoreInput): Factor | undefined {
  const migrations = files.filter((f) => f.migration);
  if (migrations.length === 0) return undefined;
  const ops = migrations.flatMap((f) => f.migration!.ops);
  const hot = tables.filter((t) => (t.rows ?? 0) >= HOT_ROWS || (t.bytes ?? 0) >= HOT_BYTES || (t.writes ?? 0) >= HOT_WRITES);
  const lockingOnHot = ops.filter((o) => o.locking && hot.some((t) => t.table === o.table));
  const lockingElsewhere = ops.filter((o) => o.locking && !hot.some((t) => t.table === o.table));
  let points = 10;
  const reasons = [
    `${migrations.length} migration${migrations.length > 1 ? "s" : ""} on ${list([...new Set(ops.map((o) => o.table))]) || "unknown tables"}`,
  ];
  if (hot.length) {
    points += 15;
    reasons.push(
      `${list(hot.map((t) => `${t.table} (${t.rows !== undefined ? `${(t.rows / 1e6).toFixed(1)}M rows` : ""}${t.bytes ? `, ${(t.bytes / 1024 ** 3).toFixed(1)} GiB` : ""})`))} is large or hot`,
    );
  }
  if (lockingOnHot.length) {
    points += 10;
    reasons.push(`${list([...new Set(lockingOnHot.map((o) => o.op.replace(/_/g, " ")))])} locks it while it runs`);
  } else if (lockingElsewhere.length) {
    points += 5;
    reasons.push(`${list([...new Set(lockingElsewhere.map((o) => o.op.replace(/_/g, " ")))])} takes a table lock`);
  }
  return {
    name: "Database migration",
    points,
    reason: reasons.join("; "),
    evidence: [...new Set(hot.map((t) => t.id))],
    files: migrations.map((f) => f.path),
  };
}

function manifests({ files }: ScoreInput): Factor | undefined {
  const changed = files.filter((f) => f.kind === "kubernetes" || f.kind === "helm");
  if (changed.length === 0) return undefined;
  const notes = changed.flatMap((f) => f.manifest ?? []);
  const risky = notes.filter((n) =>
    /^replicas (\d+) → (\d+)/.test(n)
      ? Number(/→ (\d+)/.exec(n)![1]) < Number(/^replicas (\d+)/.exec(n)![1])
      : /^(memory|cpu) .+ → |Probe changed|timeoutSeconds|failureThreshold/.test(n),
  );
  return {
    name: "Deployment configuration",
    points: 8 + (risky.length ? 6 : 0),
    reason: `${changed.length} Kubernetes/Helm file${changed.length > 1 ? "s" : ""}${notes.length ? `: ${list(notes, 4)}` : ""}`,
    evidence: [],
    files: changed.map((f) => f.path),
  };
}

function configuration({ files }: ScoreInput): Factor | undefined {
  const changed = files.filter((f) => f.kind === "config");
  return changed.length
    ? {
        name: "Configuration",
        points: 5,
        reason: `${list(changed.map((f) => f.path))} changed`,
        evidence: [],
        files: changed.map((f) => f.path),
      }
    : undefined;
}

function dependenciesFactor({ files }: ScoreInput): Factor | undefined {
  const manifests = files.filter((f) => f.kind === "dependency" || f.kind === "lockfile");
  if (manifests.length === 0) return undefined;
  const bumps = files.flatMap((f) => f.dependencies ?? []);
  const major = bumps.filter((b) => b.major);
  const reason = major.length
    ? `major version bump: ${list(major.map((b) => `${b.name} ${b.from} → ${b.to}`))}`
    : bumps.length
      ? `${bumps.length} dependenc${bumps.length > 1 ? "ies" : "y"} changed: ${list(bumps.map((b) => `${b.name}${b.from ? ` ${b.from} → ${b.to}` : ` ${b.to} (new)`}`))}`
      : "lock file changed";
  return { name: "Dependencies", points: major.length ? 10 : 4, reason, evidence: [], files: manifests.map((f) => f.path) };
}

function sensitive({ files }: ScoreInput): Factor | undefined {
  const hits = files.filter((f) => f.sensitive?.length);
  if (hits.length === 0) return undefined;
  const kinds = [...new Set(hits.flatMap((f) => f.sensitive!))];
  const points = Math.max(...kinds.map((k) => ({ auth: 10, payment: 12, security: 8 })[k]));
  return {
    name: "Sensitive code path",
    points,
    reason: `${kinds.join(" and ")} code: ${list(hits.map((f) => f.path))}`,
    evidence: [],
    files: hits.map((f) => f.path),
  };
}

function infrastructure({ files }: ScoreInput): Factor | undefined {
  const infra = files.filter((f) => f.kind === "infrastructure");
  const ci = files.filter((f) => f.kind === "ci");
  if (!infra.length && !ci.length) return undefined;
  return {
    name: "Infrastructure",
    points: (infra.length ? 8 : 0) + (ci.length ? 2 : 0),
    reason: list([...infra, ...ci].map((f) => f.path)),
    evidence: [],
    files: [...infra, ...ci].map((f) => f.path),
  };
}

function size({ files, profiles }: ScoreInput): Factor | undefined {
  const lines = files.reduce((n, f) => n + f.additions + f.deletions, 0);
  const linePoints = lines > 1000 ? 10 : lines > 400 ? 6 : lines > 100 ? 3 : 0;
  const spread = Math.min(9, Math.max(0, profiles.length - 1) * 3);
  if (linePoints + spread === 0) return undefined;
  return {
    name: "Size and spread",
    points: linePoints + spread,
    reason: `${lines} lines in ${files.length} files${profiles.length ? ` across ${profiles.length} service${profiles.length === 1 ? "" : "s"}` : ", no mapped service"}`,
    evidence: [],
  };
}

function instability({ profiles }: ScoreInput): Factor | undefined {
  const reasons: string[] = [];
  const evidence: string[] = [];
  let points = 0;
  for (const p of profiles) {
    if (p.alerts.length) {
      points += 10;
      reasons.push(`${p.service}: ${list(p.alerts.map((a) => a.name))} firing`);
      evidence.push(...p.alerts.map((a) => a.id));
    }
    if (p.restarts && (p.restarts.failing > 0 || p.restarts.recent > 0)) {
      points += 6;
      const failing = p.restarts.failing ? `${p.restarts.failing} failing pod${p.restarts.failing === 1 ? "" : "s"}` : "";
      const recent = p.restarts.recent ? `${p.restarts.recent} restart${p.restarts.recent === 1 ? "" : "s"} within the hour` : "";
      reasons.push(`${p.service}: ${[failing, recent].filter(Boolean).join(", ")}`);
      evidence.push(p.restarts.id);
    }
    if (p.errorRate?.rising) {
      points += 6;
      reasons.push(`${p.service}: error rate rising`);
      evidence.push(p.errorRate.id);
    }
  }
  return points ? { name: "Recent instability", points: Math.min(16, points), reason: reasons.join("; "), evidence } : undefined;
}

function untested({ files }: ScoreInput): Factor | undefined {
  const code = files.filter((f) => f.kind === "code" && f.additions + f.deletions > 0);
  if (code.length === 0 || files.some((f) => f.kind === "test")) return undefined;
  return {
    name: "No tests changed",
    points: 5,
    reason: `${code.length} code file${code.length > 1 ? "s" : ""} changed and no test`,
    evidence: [],
  };
}

export const FACTORS = [
  exposure,
  errorBudget,
  dependents,
  migration,
  ...MIGRATION_RISK,
  manifests,
  configuration,
  dependenciesFactor,
  sensitive,
  infrastructure,
  size,
  instability,
  untested,
];

export function levelOf(score: number, thresholds: RepoConfig["impact"]["thresholds"]): RiskLevel {
  return score >= thresholds.critical ? "critical" : score >= thresholds.high ? "high" : score >= thresholds.medium ? "medium" : "low";
}

export type Score = {
  /** 0..100: the factors' sum, capped, and raised to the floor's threshold when a factor sets one. */
  score: number;
  level: RiskLevel;
  factors: Factor[];
  /** The factors' sum before the cap (above 100: the score says "capped"). */
  raw: number;
  /** Set when a factor's floor raised the level above what the points alone give. */
  floor?: { level: RiskLevel; by: string[] };
};

/**
 * The blast radius: a sum of explained factors, capped at 100 (the raw sum is kept so the report
 * can say so), and its level — never below the floor of an irreversible factor. Deterministic.
 */
export function scoreBlastRadius(input: ScoreInput, thresholds: RepoConfig["impact"]["thresholds"]): Score {
  const factors = FACTORS.map((f) => f(input))
    .filter((f): f is Factor => !!f && f.points > 0)
    .sort((a, b) => b.points - a.points || a.name.localeCompare(b.name));
  const raw = factors.reduce((n, f) => n + f.points, 0);
  const summed = Math.min(100, raw);
  const floors = factors.filter((f) => f.floor);
  const floorLevel = floors.reduce<RiskLevel | undefined>(
    (best, f) => (!best || levelRank(f.floor!) > levelRank(best) ? f.floor : best),
    undefined,
  );
  if (floorLevel && floorLevel !== "low" && levelRank(floorLevel) > levelRank(levelOf(summed, thresholds))) {
    const score = Math.max(summed, thresholds[floorLevel]);
    return {
      score,
      level: floorLevel,
      factors,
      raw,
      floor: { level: floorLevel, by: floors.filter((f) => f.floor === floorLevel).map((f) => f.name) },
    };
  }
  return { score: summed, level: levelOf(summed, thresholds), factors, raw };
}
