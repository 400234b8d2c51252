/**
 * bench:history — the repository memory on a generated history (bench/history/generate-history.ts,
 * seeded): precision@3 of "Seen before" against two baselines, and the ROC AUC of the History
 * factor, of the PR score without history and of both together for "this change will be reverted
 * or cause an incident", all in the same run. Every PR is scored with only what was known when it
 * was opened.
 */
import { assessImpact } from "../src/analysis/assess-impact.js";
import { repoConfigSchema } from "../src/config/repo-config.js";
import { historyRisk } from "../src/history/change-risk.js";
import { similarIncidents } from "../src/history/similar-incidents.js";
import { generateHistory } from "./history/generate-history.js";
import { median } from "./stats.js";

const SEED = Number(process.env.SEED ?? 42);
const PRS = Number(process.env.PRS ?? 600);
const WARMUP = 100;

/** ROC AUC by the Mann-Whitney statistic (ties count half). */
export function rocAuc(scores: number[], labels: boolean[]): number {
  const pos = scores.filter((_, i) => labels[i]);
  const neg = scores.filter((_, i) => !labels[i]);
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

const { history, prs, modes } = generateHistory({ prs: PRS, seed: SEED });
const config = repoConfigSchema.parse({
  services: Object.fromEntries(
    ["api", "web", "worker", "billing"].map((s) => [
      s,
      { paths: [`services/${s}/**`, `k8s/${s}/**`], tier: s === "billing" || s === "api" ? "critical" : "medium" },
    ]),
  ),
});

// Similar incidents: precision@3 against "same failure mode".
const p3: number[] = [];
const p3Service: number[] = [];
const p3Random: number[] = [];
for (const [i, q] of history.incidents.entries()) {
  const past = history.incidents.slice(0, i);
  const relevant = past.filter((p) => modes.get(p.number) === modes.get(q.number));
  if (past.length < 10 || relevant.length === 0) continue;
  const top = similarIncidents(
    { number: q.number, at: q.openedAt, keywords: q.signals, services: q.services, category: q.category, mechanism: q.mechanism },
    past,
    { limit: 3, min: 0 },
  );
  p3.push(top.filter((t) => modes.get(t.incident.number) === modes.get(q.number)).length / 3);
  const sameService = past.filter((p) => p.services.some((s) => q.services.includes(s))).slice(-3);
  p3Service.push(sameService.filter((t) => modes.get(t.number) === modes.get(q.number)).length / 3);
  p3Random.push(relevant.length / past.length);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// Change risk: AUC with and without history.
const labels: boolean[] = [];
const withHistory: number[] = [];
const withoutHistory: number[] = [];
const combined: number[] = [];
const ms: number[] = [];
for (const pr of prs.slice(WARMUP)) {
  const t = performance.now();
  const risk = historyRisk(pr.record, history, { asOf: pr.record.at });
  ms.push(performance.now() - t);
  const base = assessImpact({
    changes: {
      ref: pr.record.id,
      base: { ref: "main", sha: "a" },
      head: { ref: "pr", sha: "b" },
      files: pr.files,
      changedFiles: pr.files.length,
      filesNotListed: 0,
    },
    config,
    noCollection: "bench",
  }).score;
  labels.push(pr.bad);
  withHistory.push(risk.score);
  withoutHistory.push(base);
  combined.push(base + (risk.factor?.points ?? 0));
}

const f = (x: number) => x.toFixed(3);
console.log(
  `bench:history — generated history, seed ${SEED}: ${PRS} merged PRs (${prs.filter((p) => p.bad).length} reverted or caused an incident), ${history.changes.length - PRS} reverts and fixes, ${history.incidents.length} incidents in ${new Set(modes.values()).size} failure modes`,
);
console.log("");
console.log(`Seen before, precision@3 over ${p3.length} incidents (relevant = same failure mode):`);
console.log(`  memory (signals, services, mechanism, category)   ${f(mean(p3))}`);
console.log(`  baseline: last 3 incidents on the same service    ${f(mean(p3Service))}`);
console.log(`  baseline: random past incidents (expected)        ${f(mean(p3Random))}`);
console.log("");
console.log(
  `Will this change be reverted or cause an incident? ROC AUC over ${labels.length} PRs (after ${WARMUP} warm-up), ${labels.filter(Boolean).length} positive:`,
);
console.log(`  PR score without history (same run)              ${f(rocAuc(withoutHistory, labels))}`);
console.log(`  History factor alone                             ${f(rocAuc(withHistory, labels))}`);
console.log(`  PR score with the History factor                 ${f(rocAuc(combined, labels))}`);
console.log(
  `  History factor fired on ${combined.filter((c, i) => c !== withoutHistory[i]).length} of ${labels.length} PRs; history per PR: median ${median(ms).toFixed(2)} ms`,
);
