/**
 * RCD/RCAEval's Sock Shop layout: `<service>-<fault>/<rep>/{normal.csv,anomalous.csv}`, columns
 * `time` (unix seconds, 1 Hz) and `<svc>_cpu`, `<svc>_mem`, `<svc>_lat_50|_lat_90|_lat_99`,
 * `<svc>_lod`. The truth is the folder's service; normal.csv is the baseline, anomalous.csv the window.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../csv.js";
import type { Signal } from "../../src/signals/types.js";
import { InputError, metricSignal, type RealCase } from "./case.js";

const SUFFIX = /^(.+?)_(cpu|mem|lat_\d+|lod|[a-z]+)$/;

function readTable(file: string): { at: number[]; columns: Map<string, Array<[number, number]>> } {
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8")).filter((r) => r.length > 1);
  if (!header) throw new InputError(file, "empty file");
  const ti = header.indexOf("time");
  if (ti < 0) throw new InputError(file, `missing column time (has ${header.slice(0, 8).join(", ")}…)`);
  const at = rows.map((r, n) => {
    const t = Number(r[ti]);
    // Unix seconds: anything before 2000 or past 2100 is not a time of this data.
    if (!Number.isFinite(t) || t < 946_684_800 || t > 4_102_444_800)
      throw new InputError(`${file}:${n + 2}`, `bad time "${r[ti]}" (unix seconds expected)`);
    return t * 1000;
  });
  const columns = new Map<string, Array<[number, number]>>();
  header.forEach((h, i) => {
    if (i === ti || !h) return;
    const points: Array<[number, number]> = [];
    rows.forEach((r, n) => {
      const v = r[i] === undefined || r[i] === "" ? NaN : Number(r[i]);
      if (Number.isFinite(v)) points.push([at[n]!, v]);
    });
    columns.set(h, points);
  });
  return { at, columns };
}

/** One repetition: both files' columns as signals of their services. */
export function readRcaevalCase(dir: string, service: string, fault: string, rep: string): RealCase {
  const normal = readTable(join(dir, "normal.csv"));
  const anomalous = readTable(join(dir, "anomalous.csv"));
  if (!anomalous.at.length || !normal.at.length) throw new InputError(dir, "normal.csv or anomalous.csv has no rows");
  const signals: Signal[] = [];
  for (const [column, points] of anomalous.columns) {
    const m = SUFFIX.exec(column);
    if (!m) continue;
    const all = [...(normal.columns.get(column) ?? []), ...points].sort((a, b) => a[0] - b[0]);
    signals.push(
      metricSignal({ source: "rcaeval", service: m[1]!, name: `sockshop.${m[2]}`, points: all, labels: { pod: m[1]!, service: m[1]! } }),
    );
  }
  const window = { from: Math.min(...anomalous.at), to: Math.max(...anomalous.at) };
  const baseline = { from: Math.min(...normal.at), to: Math.min(Math.max(...normal.at), window.from - 1) };
  return { id: `${service}-${fault}/${rep}`, group: fault, truth: service, faultType: fault, window, baseline, signals, edges: [] };
}

/** Every `<service>-<fault>/<rep>` under `root`. */
export function readRcaevalDir(root: string): RealCase[] {
  const cases: RealCase[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    const m = /^(.+)-([a-z]+)$/.exec(name);
    if (!m) throw new InputError(dir, "folder name is not <service>-<fault>");
    for (const rep of readdirSync(dir).sort()) {
      const repDir = join(dir, rep);
      if (!statSync(repDir).isDirectory()) continue;
      if (!existsSync(join(repDir, "normal.csv")) || !existsSync(join(repDir, "anomalous.csv")))
        throw new InputError(repDir, "needs normal.csv and anomalous.csv");
      cases.push(readRcaevalCase(repDir, m[1]!, m[2]!, rep));
    }
  }
  if (!cases.length) throw new InputError(root, "no <service>-<fault>/<rep>/ folders");
  return cases;
}
