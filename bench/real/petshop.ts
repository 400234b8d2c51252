/**
 * PetShop (Hardt et al., CLeaR 2024; amazon-science/petshop-root-cause-analysis, CC-BY-4.0), as
 * bench:petshop reads it: `<scenario>/graph.csv` (row = caller, column = callee),
 * `<scenario>/noissue/metrics.csv` (normal operation) and `<scenario>/{train,test}/issue_<n>/`
 * with `metrics.csv` (5-minute samples, a 4-row header: component, metric, statistic, unix_timestamp)
 * and `target.json` (the root cause node, and when the issue was seen). Every component's every
 * metric becomes a signal; normal operation is its baseline, placed just before the issue's first
 * sample (its own dates are months apart). Scenarios without normal data (the snapshot lacks the
 * temporal ones') use high_traffic's as a stand-in, in a group of their own.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../csv.js";
import type { Signal } from "../../src/signals/types.js";
import type { RankEdge } from "../../src/analysis/ranking/rank-services.js";
import { InputError, metricSignal, type RealCase } from "./case.js";

type Column = { node: string; name: string; points: Array<[number, number]> };

export function readPetshopMetrics(file: string): { columns: Column[]; times: number[] } {
  const rows = parseCsv(readFileSync(file, "utf8")).filter((r) => r.length > 1);
  if (rows.length < 4 || rows[0]![0] !== "microservice" || rows[1]![0] !== "metric" || rows[2]![0] !== "statistic") {
    throw new InputError(file, "expected a 4-row header: microservice, metric, statistic, unix_timestamp");
  }
  const data = rows.slice(4);
  const times = data.map((r, i) => {
    const t = Number(r[0]);
    if (!Number.isFinite(t) || t < 946_684_800 || t > 4_102_444_800)
      throw new InputError(`${file}:${i + 5}`, `bad unix_timestamp "${r[0]}"`);
    return t * 1000;
  });
  const columns = rows[0]!.slice(1).map((node, i) => {
    const points: Array<[number, number]> = [];
    data.forEach((r, n) => {
      const v = r[i + 1] === undefined || r[i + 1] === "" ? NaN : Number(r[i + 1]);
      if (Number.isFinite(v)) points.push([times[n]!, v]);
    });
    return { node, name: `${rows[1]![i + 1]}.${rows[2]![i + 1]}`.toLowerCase(), points };
  });
  return { columns, times };
}

function readGraph(file: string): RankEdge[] {
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8")).filter((r) => r.length > 1);
  if (!header) throw new InputError(file, "empty file");
  const nodes = header.slice(1);
  return rows.flatMap((r) => nodes.filter((_, i) => Number(r[i + 1]) === 1).map((to) => ({ from: r[0]!, to })));
}

/** Every issue of every scenario under `root` (the dataset folder). */
export function readPetshopDir(root: string): RealCase[] {
  const scenarios = readdirSync(root)
    .filter((d) => existsSync(join(root, d, "graph.csv")))
    .sort();
  if (!scenarios.length) throw new InputError(root, "no <scenario>/graph.csv");
  const standInFile = join(root, "high_traffic", "noissue", "metrics.csv");
  const cases: RealCase[] = [];
  for (const scenario of scenarios) {
    const dir = join(root, scenario);
    const edges = readGraph(join(dir, "graph.csv"));
    const own = join(dir, "noissue", "metrics.csv");
    const normal = readPetshopMetrics(existsSync(own) ? own : standInFile);
    const group = `${scenario.replace(/\d$/, "")}${existsSync(own) ? "" : " (stand-in normal)"}`;
    for (const split of ["train", "test"].filter((s) => existsSync(join(dir, s)))) {
      for (const issue of readdirSync(join(dir, split)).sort()) {
        const idir = join(dir, split, issue);
        let truth: { target: { node: string; metric: string; timestamp: number }; root_cause: { node: string } };
        try {
          truth = JSON.parse(readFileSync(join(idir, "target.json"), "utf8"));
        } catch (e) {
          throw new InputError(join(idir, "target.json"), `unreadable (${(e as Error).message})`);
        }
        if (!truth?.root_cause?.node || !Number.isFinite(truth?.target?.timestamp))
          throw new InputError(join(idir, "target.json"), "needs root_cause.node and target.timestamp");
        const m = readPetshopMetrics(join(idir, "metrics.csv"));
        const start = Math.min(...m.times);
        const step = m.times.length > 1 ? m.times[1]! - m.times[0]! : 300_000;
        // Normal operation, moved to end one sample before the issue's first.
        const shift = start - step - Math.max(...normal.times);
        const signals: Signal[] = m.columns.map((c) => {
          const base =
            normal.columns.find((n) => n.node === c.node && n.name === c.name)?.points.map(([t, v]): [number, number] => [t + shift, v]) ??
            [];
          return metricSignal({ source: "petshop", service: c.node, name: c.name, points: [...base, ...c.points] });
        });
        const from = truth.target.timestamp * 1000;
        cases.push({
          id: `${scenario}/${split}/${issue}`,
          group: `${group} ${truth.target.metric}`,
          truth: truth.root_cause.node,
          window: { from, to: Math.max(...m.times) },
          baseline: { from: -Infinity, to: start - 1 },
          signals,
          edges,
        });
      }
    }
  }
  return cases;
}
