/**
 * Nezha's Online Boutique layout (IntelligentDDS/Nezha `rca_data/<day>`): `fault_list.json`,
 * `metric/<pod>_metric.csv` (one row a minute), `metric/front_service.csv`,
 * `metric/source_50.csv` / `destination_50.csv` (per-call latency, `<caller>_<callee>` columns) and
 * either `trace_edges.csv` (minute,caller,callee,calls) or the raw `trace/<HH_MM>_trace.csv` spans.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseCsv } from "../csv.js";
import type { Signal } from "../../src/signals/types.js";
import type { RankEdge } from "../../src/analysis/ranking/rank-services.js";
import { InputError, metricSignal, serviceOfPod, slice, type RealCase } from "./case.js";
import { spanEdges } from "./spans.js";

const MINUTE = 60_000;
/** The fault window: from the injection, 5 minutes (Nezha's faults last about 3–4), cut at the next injection. */
const WINDOW_MS = 5 * MINUTE;
const BASELINE_MS = 60 * MINUTE;
const SOURCE = "nezha";

/**
 * `2022-08-22 03:51:19.799087274 +0000 UTC m=+0.305041286` (Go's time.String) or `2022-08-22 03:53:54`
 * (UTC) → epoch ms. The TimeStamp column is not trusted: a few values are mistyped.
 */
export function parseNezhaTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:\s*([+-])(\d{2}):?(\d{2}))?/.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, frac, sign, oh, om] = m;
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0);
  const offset = sign ? (sign === "-" ? -1 : 1) * (+oh! * 60 + +om!) * MINUTE : 0;
  const date = new Date(ms);
  // Date.UTC rolls 2022-02-31 over to March: a date that does not exist is a bad time, not another day.
  if (date.getUTCMonth() !== +mo! - 1 || date.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +s! > 60) return NaN;
  return ms - offset;
}

type Table = { file: string; header: string[]; rows: string[][] };

function table(file: string, required: string[]): Table {
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8")).filter((r) => r.length > 1 || (r[0] ?? "") !== "");
  if (!header) throw new InputError(file, "empty file");
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length)
    throw new InputError(file, `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (has ${header.join(", ")})`);
  return { file, header, rows };
}

/** Row times from the `Time` (or `time`) string; a row whose time does not parse is an error naming its line. */
function times(t: Table, column: string): number[] {
  const i = t.header.indexOf(column);
  return t.rows.map((r, n) => {
    const at = parseNezhaTime(r[i] ?? "");
    if (!Number.isFinite(at)) throw new InputError(`${t.file}:${n + 2}`, `bad ${column} "${(r[i] ?? "").slice(0, 60)}"`);
    return at;
  });
}

/** Numeric columns as series (empty cells and non-numbers skipped, per point). */
function columns(t: Table, at: number[], skip: string[]): Array<{ column: string; points: Array<[number, number]> }> {
  return t.header.flatMap((column, i) => {
    if (skip.includes(column)) return [];
    const points: Array<[number, number]> = [];
    t.rows.forEach((r, n) => {
      const v = r[i] === undefined || r[i] === "" ? NaN : Number(r[i]);
      if (Number.isFinite(v)) points.push([at[n]!, v]);
    });
    return points.length ? [{ column, points }] : [];
  });
}

/** `CpuUsageRate(%)` → `cpu_usage_rate`. */
const metricName = (column: string) =>
  column
    .replace(/\(.*?\)/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();

/** Every metric of a day as signals: pod metrics (node metrics apart), the entry service's, per-call latency. */
export function readNezhaMetrics(dir: string): Signal[] {
  const mdir = join(dir, "metric");
  if (!existsSync(mdir)) throw new InputError(dir, "no metric/ folder");
  const signals: Signal[] = [];
  for (const f of readdirSync(mdir)
    .filter((x) => x.endsWith("_metric.csv"))
    .sort()) {
    const t = table(join(mdir, f), ["Time", "PodName"]);
    const pod = basename(f, "_metric.csv");
    const service = serviceOfPod(pod);
    for (const c of columns(t, times(t, "Time"), ["Time", "TimeStamp", "PodName"])) {
      // Node metrics belong to the node the pod runs on, not to the service: kept, without a service.
      const node = c.column.startsWith("Node");
      const name = node ? `node.${metricName(c.column.slice(4))}` : `pod.${metricName(c.column.replace(/^Pod/, ""))}`;
      signals.push(metricSignal({ source: SOURCE, ...(node ? {} : { service }), name, points: c.points, labels: { pod, service } }));
    }
  }
  const front = join(mdir, "front_service.csv");
  if (existsSync(front)) {
    const t = table(front, ["Time"]);
    for (const c of columns(t, times(t, "Time"), ["Time", "TimeStamp", "ServiceName"])) {
      signals.push(metricSignal({ source: SOURCE, service: "frontend", name: `entry.${metricName(c.column)}`, points: c.points }));
    }
  }
  // Per-call latency, at the caller (source_50) and at the callee (destination_50): the callee's latency as its callers see it.
  for (const [file, side] of [
    ["source_50.csv", "client"],
    ["destination_50.csv", "server"],
  ] as const) {
    if (!existsSync(join(mdir, file))) continue;
    const t = table(join(mdir, file), ["time"]);
    for (const c of columns(t, times(t, "time"), ["time", "timestamp"])) {
      const [caller, callee] = c.column.split("_");
      if (!caller || !callee) throw new InputError(join(mdir, file), `column "${c.column}" is not <caller>_<callee>`);
      signals.push(
        metricSignal({ source: SOURCE, service: callee, name: `call.latency_p50_${side}`, points: c.points, labels: { caller } }),
      );
    }
  }
  return signals;
}

/** Call edges by minute, from `trace_edges.csv` or, without it, from the raw spans in `trace/`. */
export function readNezhaEdges(dir: string, day: string): Array<RankEdge & { at: number }> {
  const file = join(dir, "trace_edges.csv");
  if (existsSync(file)) {
    const t = table(file, ["minute", "caller", "callee", "calls"]);
    const [m, a, b, n] = ["minute", "caller", "callee", "calls"].map((c) => t.header.indexOf(c));
    return t.rows.map((r, i) => {
      const hm = /^(\d{2})_(\d{2})$/.exec(r[m!] ?? "");
      if (!hm) throw new InputError(`${file}:${i + 2}`, `bad minute "${r[m!]}" (expected HH_MM)`);
      return { at: parseNezhaTime(`${day} ${hm[1]}:${hm[2]}:00`), from: r[a!]!, to: r[b!]!, calls: Number(r[n!]) || 1 };
    });
  }
  const tdir = join(dir, "trace");
  if (!existsSync(tdir)) throw new InputError(dir, "neither trace_edges.csv nor a trace/ folder");
  return readdirSync(tdir)
    .filter((f) => f.endsWith(".csv"))
    .sort()
    .flatMap((f) => spanEdges(join(tdir, f)));
}

/** The day's faults as cases: signals cut to the hour before the fault and its window, edges of that span. */
export function readNezhaDay(dir: string): RealCase[] {
  const day = basename(dir);
  const listFile = join(dir, "fault_list.json");
  if (!existsSync(listFile)) throw new InputError(dir, "no fault_list.json");
  let list: Record<string, Array<Record<string, string>>>;
  try {
    list = JSON.parse(readFileSync(listFile, "utf8"));
  } catch (e) {
    throw new InputError(listFile, `not JSON (${(e as Error).message})`);
  }
  const faults = Object.values(list)
    .flat()
    .map((f, i) => {
      const at = parseNezhaTime(String(f.inject_time ?? ""));
      if (!Number.isFinite(at)) throw new InputError(listFile, `fault ${i + 1}: bad inject_time "${f.inject_time}"`);
      if (!f.inject_pod) throw new InputError(listFile, `fault ${i + 1}: no inject_pod`);
      return { at, pod: String(f.inject_pod), type: String(f.inject_type ?? "") };
    })
    .sort((a, b) => a.at - b.at);
  const signals = readNezhaMetrics(dir);
  const edges = readNezhaEdges(dir, day.match(/^\d{4}-\d{2}-\d{2}$/) ? day : new Date(faults[0]?.at ?? 0).toISOString().slice(0, 10));
  return faults.map((f, i) => {
    const window = { from: f.at, to: Math.min(f.at + WINDOW_MS, (faults[i + 1]?.at ?? Infinity) - 1) };
    const baseline = { from: f.at - BASELINE_MS, to: f.at - 1 };
    const seen = edges.filter((e) => e.at >= baseline.from - MINUTE && e.at <= window.to);
    const merged = new Map<string, RankEdge>();
    for (const e of seen) {
      const key = `${e.from}>${e.to}`;
      merged.set(key, { from: e.from, to: e.to, calls: (merged.get(key)?.calls ?? 0) + (e.calls ?? 1) });
    }
    return {
      id: `${day} ${new Date(f.at).toISOString().slice(11, 19)} ${f.pod} ${f.type}`,
      group: day,
      truth: serviceOfPod(f.pod),
      faultType: f.type,
      window,
      baseline,
      signals: slice(signals, baseline.from, window.to),
      baroSignals: slice(
        signals.filter((s) => s.series?.[0]?.labels.pod),
        baseline.from,
        window.to,
      ),
      edges: [...merged.values()],
    };
  });
}
