/**
 * `npm run bench:logs`: grouping accuracy of our template miner on each LogHub 2k system against
 * its ground truth, beside Drain's published figure (ICSE-SEIP'19 table), with Drain's published
 * per-system parameters (log format, variable regexes, st, depth); and, for the RCA engine's real
 * use, with our default masks and parameters on the same lines. Also lines per second.
 * Ours is the Drain tree plus one pass of our own: groups whose templates agree once their
 * leftover numbers are variables are merged (see mineTemplates).
 * Data: ../shared/data/loghub (read in place, never copied).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mineTemplates } from "../src/analysis/log-templates.js";
import { csvRecords, parseCsv } from "./csv.js";
import { median } from "./stats.js";

const DATA = process.env.LOGHUB_DIR ?? join(process.cwd(), "..", "shared", "data", "loghub");
type Setting = { log_file: string; log_format: string; regex: string[]; st: number; depth: number };
const settings = JSON.parse(readFileSync(join(DATA, "drain_benchmark_settings.json"), "utf8")).datasets as Record<string, Setting>;
const published = (() => {
  const rows = parseCsv(readFileSync(join(DATA, "_published", "icse19_grouping_accuracy_loghub2k.csv"), "utf8"));
  const header = rows[0]!;
  const drain = rows.find((r) => r[0] === "Drain")!;
  return Object.fromEntries(header.slice(1).map((h, i) => [h, Number(drain[i + 1])]));
})();

/** logparser's header regex: each <Field> a lazy named group, spaces → \s+, anchored. */
function formatRegex(format: string): RegExp {
  const pattern = format
    .split(/(<[^<>]+>)/)
    .map((part) => {
      const m = /^<([^<>]+)>$/.exec(part);
      return m ? `(?<${m[1]}>.*?)` : part.replace(/ +/g, "\\s+");
    })
    .join("");
  return new RegExp(`^${pattern}$`);
}

/** Grouping accuracy: a line counts when its predicted group holds exactly its true group's lines. */
export function groupingAccuracy(truth: string[], predicted: number[]): number {
  const byTruth = new Map<string, number[]>();
  const byPred = new Map<number, number[]>();
  truth.forEach((t, i) => byTruth.set(t, [...(byTruth.get(t) ?? []), i]));
  predicted.forEach((p, i) => byPred.set(p, [...(byPred.get(p) ?? []), i]));
  let correct = 0;
  for (const lines of byPred.values()) {
    const t = truth[lines[0]!]!;
    const trueLines = byTruth.get(t)!;
    if (trueLines.length === lines.length && lines.every((l) => truth[l] === t)) correct += lines.length;
  }
  return correct / truth.length;
}

const rows: Array<{ system: string; drainParams: number; defaults: number; published: number; linesPerSec: number }> = [];
for (const [system, s] of Object.entries(settings)) {
  const raw = readFileSync(join(DATA, s.log_file), "utf8").replace(/\r/g, "").split("\n").filter((l) => l.trim() !== "");
  const re = formatRegex(s.log_format);
  const contents: string[] = [];
  for (const line of raw) {
    const m = re.exec(line.trim());
    if (m?.groups) contents.push(m.groups.Content!);
  }
  const truth = csvRecords(readFileSync(join(DATA, system, `${system}_2k.log_structured.csv`), "utf8"));
  if (truth.length !== contents.length) throw new Error(`${system}: ${contents.length} lines parsed, ${truth.length} in the ground truth`);
  const labels = truth.map((r) => r.EventId!);
  const masks = s.regex.map((r) => new RegExp(r, "g"));
  const times: number[] = [];
  let assignment: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    assignment = mineTemplates(contents, { threshold: s.st, depth: s.depth, masks }).assignment;
    times.push(performance.now() - t0);
  }
  const defaults = mineTemplates(contents).assignment;
  rows.push({ system, drainParams: groupingAccuracy(labels, assignment), defaults: groupingAccuracy(labels, defaults), published: published[system] ?? NaN, linesPerSec: contents.length / (median(times) / 1000) });
}

const avg = (k: "drainParams" | "defaults" | "published") => rows.reduce((n, r) => n + r[k], 0) / rows.length;
console.log("LogHub 2k grouping accuracy (GA) — ours with Drain's published parameters, ours with our defaults, Drain as published");
console.log("system        ours(Drain params)  ours(defaults)  Drain(published)   Δ vs Drain   lines/s");
for (const r of rows) {
  console.log(`${r.system.padEnd(13)} ${r.drainParams.toFixed(3).padStart(18)}  ${r.defaults.toFixed(3).padStart(14)}  ${r.published.toFixed(3).padStart(16)}   ${(r.drainParams - r.published >= 0 ? "+" : "") + (r.drainParams - r.published).toFixed(3)}   ${Math.round(r.linesPerSec).toLocaleString("en")}`);
}
console.log(`${"average".padEnd(13)} ${avg("drainParams").toFixed(3).padStart(18)}  ${avg("defaults").toFixed(3).padStart(14)}  ${avg("published").toFixed(3).padStart(16)}   ${(avg("drainParams") - avg("published")).toFixed(3)}   median ${Math.round(median(rows.map((r) => r.linesPerSec))).toLocaleString("en")}`);
console.log("(goal: average at or above Drain's 0.866)");
