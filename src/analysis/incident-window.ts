import type { Window } from "../signals/types.js";
import { parseDuration } from "../util/duration.js";

export type IncidentWindow = { window: Window; baseline: Window; from: "arguments" | "issue text" | "default"; note: string };

const HOUR = 3_600_000;
/** The longest window, and the longest baseline, an analysis reads: a longer ask is cut, and the reply says so. */
export const MAX_SPAN_MS = 7 * 24 * HOUR;
const MAX_SPAN = "7d";

/** UTC instant of a wall-clock time in an IANA zone (two passes settle DST edges). */
export function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, zone: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const offset = (at: number) => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(at).map((p) => [p.type, p.value]));
    return Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!) - at;
  };
  const first = guess - offset(guess);
  return guess - offset(first);
}

/** The calendar date (in `zone`) of an instant, shifted by `days`. */
function dateIn(at: number, zone: string, days = 0): [number, number, number] {
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at + days * 24 * HOUR).map((x) => [x.type, x.value]));
  return [+p.year!, +p.month!, +p.day!];
}

/** Times written in an issue: ISO stamps, `02:10 UTC`, `yesterday 14:00–15:00`, `last night`. Earliest and latest. */
export function timesInText(text: string, createdAt: number, zone: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?/g)) {
    const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
    const tz = m[6];
    if (!tz) out.push(zonedToUtc(y, mo, d, h, mi, zone));
    else if (tz === "Z" || tz === "UTC") out.push(Date.UTC(y, mo - 1, d, h, mi));
    else {
      const sign = tz.startsWith("-") ? -1 : 1;
      const [oh, om] = [Number(tz.slice(1, 3)), Number(tz.slice(-2))];
      out.push(Date.UTC(y, mo - 1, d, h, mi) - sign * (oh * 60 + om) * 60_000);
    }
  }
  if (out.length) return out;
  const yesterday = /\byesterday\b/i.test(text);
  if (/\blast night\b/i.test(text)) {
    const [y, mo, d] = dateIn(createdAt, zone, -1);
    const [y2, mo2, d2] = dateIn(createdAt, zone);
    return [zonedToUtc(y, mo, d, 22, 0, zone), zonedToUtc(y2, mo2, d2, 6, 0, zone)];
  }
  for (const m of text.matchAll(/\b([01]?\d|2[0-3]):([0-5]\d)\b(?:\s*(UTC|Z)\b)?/g)) {
    const [y, mo, d] = dateIn(createdAt, m[3] ? "UTC" : zone, yesterday ? -1 : 0);
    let t = m[3] ? Date.UTC(y, mo - 1, d, +m[1]!, +m[2]!) : zonedToUtc(y, mo, d, +m[1]!, +m[2]!, zone);
    if (!yesterday && t > createdAt + 5 * 60_000) t -= 24 * HOUR; // "02:10" written at 09:00 means today's; at 01:00, yesterday's
    out.push(t);
  }
  return out;
}

/**
 * The incident window: from the command's `since`/`until`, else the times written in the issue
 * (padded by 30 minutes before the first and after the last), else `window` before the issue was
 * opened. The baseline is the `baseline` span before the window.
 */
export function incidentWindow(params: { args: Record<string, string>; text: string; createdAt: number; now: number; zone: string; window: string; baseline: string }): IncidentWindow {
  const baselineSpan = Math.min(parseDuration(params.baseline), MAX_SPAN_MS);
  const baselineNote = parseDuration(params.baseline) > MAX_SPAN_MS ? `; baseline ${params.baseline} capped at ${MAX_SPAN}` : "";
  const make = (from: number, to: number, source: IncidentWindow["from"], note: string): IncidentWindow => {
    const capped = to - from > MAX_SPAN_MS;
    const start = capped ? to - MAX_SPAN_MS : from;
    return { window: { from: start, to }, baseline: { from: start - baselineSpan, to: start }, from: source, note: `${note}${capped ? ` capped at ${MAX_SPAN} (the longest window Insight reads)` : ""}${baselineNote}` };
  };
  if (params.args.since || params.args.until) {
    const to = params.args.until ? untilOf(params.args.until, params.now, params.zone) : params.now;
    const from = to - parseDuration(params.args.since ?? params.window);
    return make(from, to, "arguments", `since=${params.args.since ?? params.window}${params.args.until ? ` until=${params.args.until}` : ""}`);
  }
  const times = timesInText(params.text, params.createdAt, params.zone).filter((t) => t <= params.now && t > params.createdAt - 7 * 24 * HOUR);
  if (times.length) {
    const from = Math.min(...times) - 30 * 60_000;
    const to = Math.min(params.now, Math.max(Math.max(...times) + 30 * 60_000, from + HOUR));
    return make(from, to, "issue text", `times in the issue (${params.zone})`);
  }
  return make(params.createdAt - parseDuration(params.window), Math.min(params.now, params.createdAt + 15 * 60_000), "default", `${params.window} before the issue was opened`);
}

function untilOf(value: string, now: number, zone: string): number {
  const times = timesInText(value, now, zone);
  if (!times.length) throw new Error(`until="${value}" is not a time such as 2026-11-23T02:30Z or 02:30`);
  return times[0]!;
}
