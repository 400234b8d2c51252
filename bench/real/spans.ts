/**
 * Service call edges from raw spans (Nezha's `trace/*.csv`: TraceID,SpanID,ParentID,PodName,
 * OperationName,StartTimeUnixNano,…): each span whose parent runs in another service is a call from
 * the parent's service to the span's, counted by the minute the span started.
 */
import { readFileSync } from "node:fs";
import { parseCsv } from "../csv.js";
import { InputError, serviceOfPod } from "./case.js";

const REQUIRED = ["TraceID", "SpanID", "ParentID", "PodName", "StartTimeUnixNano"];

export function spanEdges(file: string): Array<{ at: number; from: string; to: string; calls: number }> {
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8")).filter((r) => r.length > 1);
  if (!header) return [];
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length) throw new InputError(file, `missing columns ${missing.join(", ")}`);
  const [trace, span, parent, pod, start] = REQUIRED.map((c) => header.indexOf(c)) as [number, number, number, number, number];
  const serviceOf = new Map<string, string>();
  for (const r of rows) serviceOf.set(`${r[trace]}/${r[span]}`, serviceOfPod(r[pod] ?? ""));
  const counts = new Map<string, { at: number; from: string; to: string; calls: number }>();
  rows.forEach((r, i) => {
    const from = serviceOf.get(`${r[trace]}/${r[parent]}`);
    const to = serviceOfPod(r[pod] ?? "");
    if (!from || from === to) return;
    const ns = Number(r[start]);
    if (!Number.isFinite(ns) || ns <= 0) throw new InputError(`${file}:${i + 2}`, `bad StartTimeUnixNano "${r[start]}"`);
    const at = Math.floor(ns / 1e6 / 60_000) * 60_000;
    const key = `${at}|${from}|${to}`;
    const c = counts.get(key) ?? { at, from, to, calls: 0 };
    c.calls++;
    counts.set(key, c);
  });
  return [...counts.values()];
}
