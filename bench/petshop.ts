/**
 * `npm run bench:petshop`: root-cause ranking on the PetShop dataset (Hardt et al., CLeaR 2024;
 * CC-BY-4.0), 68 injected issues over 41 AWS components, beside the repository's published
 * baseline (anomaly traversal, MAD score, threshold 5; recall@1/@3 per traffic scenario and metric).
 *
 * Ours is the RCA engine's cause-versus-symptom rule on the same call graph: every component
 * reachable from the target is scored (robust z of the issue metric around the issue time against
 * the hours before); among the anomalous ones, those whose own callees are healthy are the causes,
 * ranked by score, then the other anomalous ones, then the rest.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { robustStats } from "../src/analysis/anomaly.js";
import { parseCsv } from "./csv.js";

const ROOT = process.env.PETSHOP_DIR ?? join(process.cwd(), "..", "shared", "data", "rca", "petshop", "dataset");
const THRESHOLD = 5;
const PUBLISHED: Record<string, [number, number]> = {
  "low_traffic latency": [0.571, 0.571], "low_traffic availability": [0.833, 1.0],
  "high_traffic latency": [0.571, 0.786], "high_traffic availability": [0.667, 1.0],
  "temporal_traffic latency": [1.0, 1.0], "temporal_traffic availability": [0.75, 1.0],
};

function graph(dir: string): Map<string, string[]> {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, "graph.csv"), "utf8")).filter((r) => r.length > 1);
  const nodes = header!.slice(1);
  return new Map(rows.map((r) => [r[0]!, nodes.filter((_, i) => Number(r[i + 1]) === 1)]));
}

type Metrics = { time: number[]; columns: Array<{ node: string; metric: string; stat: string; values: Array<number | undefined> }> };
function metrics(file: string): Metrics {
  const rows = parseCsv(readFileSync(file, "utf8")).filter((r) => r.length > 1);
  const [nodes, kinds, stats] = [rows[0]!, rows[1]!, rows[2]!];
  const data = rows.slice(4);
  return {
    time: data.map((r) => Number(r[0])),
    columns: nodes.slice(1).map((node, i) => ({ node, metric: kinds[i + 1]!, stat: stats[i + 1]!, values: data.map((r) => (r[i + 1] === "" ? undefined : Number(r[i + 1]))) })),
  };
}

/**
 * Robust z of the issue's worst point (in the bad direction) against normal operation: the
 * scenario's noissue data, or, where the snapshot lacks it (temporal_*), the issue's own samples
 * before the target time.
 */
function score(m: Metrics, normal: Metrics | undefined, node: string, metric: string, at: number): number {
  const cols = m.columns.filter((c) => c.node === node && c.metric === metric);
  let best = 0;
  for (const col of cols) {
    const ref = normal?.columns.find((c) => c.node === node && c.metric === metric && c.stat === col.stat);
    const before = ref ? ref.values.filter((v): v is number => v !== undefined) : col.values.filter((v, i) => v !== undefined && m.time[i]! < at - 5 * 60).map((v) => v!);
    // The value at the target time (the sample nearest to it), as the published scorer reads it.
    const nearest = col.values.map((v, i) => [v, Math.abs(m.time[i]! - at)] as const).filter(([v]) => v !== undefined).sort((a, b) => a[1] - b[1])[0];
    if (before.length < 2 || !nearest) continue;
    const { median, spread } = robustStats(before);
    const mad = Math.max(spread / 1.4826, 1e-9); // the raw MAD, as dowhy's MedianDeviationScorer
    best = Math.max(best, Math.abs(nearest[0]! - median) / mad);
  }
  return best;
}

function rank(g: Map<string, string[]>, m: Metrics, normal: Metrics | undefined, target: string, metric: string, at: number): string[] {
  const reachable = new Set<string>();
  const queue = [target];
  while (queue.length) {
    const n = queue.shift()!;
    if (reachable.has(n)) continue;
    reachable.add(n);
    queue.push(...(g.get(n) ?? []));
  }
  const scores = new Map([...reachable].map((n) => [n, score(m, normal, n, metric, at)]));
  const anomalous = (n: string) => (scores.get(n) ?? 0) >= THRESHOLD;
  const byScore = (a: string, b: string) => scores.get(b)! - scores.get(a)! || a.localeCompare(b);
  const causes = [...reachable].filter((n) => anomalous(n) && !(g.get(n) ?? []).some(anomalous)).sort(byScore);
  const others = [...reachable].filter((n) => anomalous(n) && !causes.includes(n)).sort(byScore);
  const rest = [...reachable].filter((n) => !anomalous(n)).sort(byScore);
  return [...causes, ...others, ...rest];
}

const results = new Map<string, { n: number; top1: number; top3: number }>();
for (const scenario of ["low_traffic", "high_traffic", "temporal_traffic1", "temporal_traffic2"]) {
  const dir = join(ROOT, scenario);
  const g = graph(dir);
  const normalFile = join(dir, "noissue", "metrics.csv");
  let normal: Metrics | undefined;
  try {
    normal = metrics(normalFile);
  } catch {
    console.log(`(${scenario}: no noissue data in the snapshot; baseline = the issue's samples before the target time)`);
  }
  for (const split of ["train", "test"]) {
    for (const issue of readdirSync(join(dir, split))) {
      const truth = JSON.parse(readFileSync(join(dir, split, issue, "target.json"), "utf8"));
      const ranking = rank(g, metrics(join(dir, split, issue, "metrics.csv")), normal, truth.target.node, truth.target.metric, truth.target.timestamp);
      const key = `${scenario.replace(/\d$/, "")} ${truth.target.metric}`;
      const r = results.get(key) ?? { n: 0, top1: 0, top3: 0 };
      const at = ranking.indexOf(truth.root_cause.node);
      r.n++;
      if (at === 0) r.top1++;
      if (at >= 0 && at < 3) r.top3++;
      results.set(key, r);
    }
  }
}

console.log("PetShop root-cause ranking: recall@1 / recall@3 (ours) beside the repository's published baseline");
console.log("scenario                  metric         issues   ours @1   @3     published @1   @3");
let all = { n: 0, top1: 0, top3: 0 };
let pub = { top1: 0, top3: 0 };
for (const [key, r] of [...results].sort()) {
  const [scenario, metric] = key.split(" ");
  const [p1, p3] = PUBLISHED[key] ?? [NaN, NaN];
  console.log(`${scenario!.padEnd(25)} ${metric!.padEnd(14)} ${String(r.n).padStart(6)}   ${(r.top1 / r.n).toFixed(3)}   ${(r.top3 / r.n).toFixed(3)}   ${p1.toFixed(3).padStart(12)}   ${p3.toFixed(3)}`);
  all = { n: all.n + r.n, top1: all.top1 + r.top1, top3: all.top3 + r.top3 };
  pub = { top1: pub.top1 + p1 * r.n, top3: pub.top3 + p3 * r.n };
}
console.log(`${"all (issue-weighted)".padEnd(40)} ${String(all.n).padStart(6)}   ${(all.top1 / all.n).toFixed(3)}   ${(all.top3 / all.n).toFixed(3)}   ${(pub.top1 / all.n).toFixed(3).padStart(12)}   ${(pub.top3 / all.n).toFixed(3)}`);
