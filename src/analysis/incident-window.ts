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
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
      })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!) - at;
  };
  const first = guess - offset(guess);
  return guess - offset(first);
}

/** The calendar date (in `zone`) of an instant, shifted by `days`. */
function dateIn(at: number, zone: string, days = 0): [number, number, number] {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(at + days * 24 * HOUR)
      .map((x) => [x.type, x.value]),
  );
  return [+p.year!, +p.month!, +p.day!];
}

/**
 * Times written in an issue: ISO stamps, `02:10 UTC`, `6:10 PM PST`, `02:10–02:40 CET`, `Nov 23, 02:10`,
 * `yesterday 14:00–15:00`, `last night`. A time with no zone is in `zone` (the repository's).
 */
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
  const clocks = [...text.matchAll(CLOCK)].map((m) => ({ m, at: m.index!, end: m.index! + m[0].length, zone: zoneOf(m.groups!.zone) }));
  // A zone written once after a range ("02:10–02:40 UTC", "from 18:10 to 18:40 PST") holds for both ends.
  for (let i = clocks.length - 2; i >= 0; i--) {
    const [a, b] = [clocks[i]!, clocks[i + 1]!];
    if (!a.m.groups!.zone && b.m.groups!.zone && RANGE_JOIN.test(text.slice(a.end, b.at))) a.zone = b.zone;
  }
  for (const { m, at, zone: written } of clocks) {
    const g = m.groups!;
    let h = Number(g.h ?? g.h12);
    const mi = Number(g.mi ?? g.mi12 ?? 0);
    const half = (g.ampm ?? g.ampm12)?.[0]?.toLowerCase();
    if (half) h = (h % 12) + (half === "p" ? 12 : 0);
    const dated = dateBefore(text, at, createdAt);
    const day = (z: string | number): [number, number, number] =>
      dated ?? (typeof z === "number" ? dateAt(createdAt + z * 60_000, yesterday ? -1 : 0) : dateIn(createdAt, z, yesterday ? -1 : 0));
    const zoneUsed = written ?? zone;
    const [y, mo, d] = day(zoneUsed);
    let t = typeof zoneUsed === "number" ? Date.UTC(y, mo - 1, d, h, mi) - zoneUsed * 60_000 : zonedToUtc(y, mo, d, h, mi, zoneUsed);
    if (!dated && !yesterday && t > createdAt + 5 * 60_000) t -= 24 * HOUR; // "02:10" written at 09:00 means today's; at 01:00, yesterday's
    out.push(t);
  }
  return out;
}

/** UTC offsets (minutes) of the zone abbreviations people write; ambiguous ones take their most common meaning. */
const ABBREVIATIONS: Record<string, number> = {
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  BST: 60,
  CET: 60,
  CEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  IST: 330,
  SGT: 480,
  HKT: 480,
  JST: 540,
  KST: 540,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
  HST: -600,
  AKST: -540,
  AKDT: -480,
  PST: -480,
  PDT: -420,
  MST: -420,
  MDT: -360,
  CST: -360,
  CDT: -300,
  EST: -300,
  EDT: -240,
};
const ZONE = `(?:(?:UTC|GMT)\\s?[+-]\\d{1,2}(?::?\\d{2})?|${Object.keys(ABBREVIATIONS).join("|")})`;
/**
 * A clock time: `02:10`, `2:10:45`, `2:10pm`, `2 a.m.`, with an optional zone after it. Not a time:
 * what stands after a colon or a digit (`orders.js:12:30`, `8080:80`, `fe80::1:30`) or runs on into
 * more colons and digits.
 */
const CLOCK = new RegExp(
  `(?<![\\w:.])(?:(?<h>[01]?\\d|2[0-3]):(?<mi>[0-5]\\d)(?::[0-5]\\d(?:\\.\\d+)?)?(?![\\d:])(?:\\s*(?<ampm>[ap])\\.?m\\b\\.?)?` +
    `|(?<h12>1[0-2]|0?[1-9])(?::(?<mi12>[0-5]\\d))?\\s*(?<ampm12>[ap])\\.?m\\b\\.?)(?:\\s*(?<zone>${ZONE})(?![\\w]))?`,
  "gi",
);
const RANGE_JOIN = /^\s*(?:-|–|—|to|and|until|till|through)\s*$/i;

/** A written zone as minutes east of UTC. */
function zoneOf(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const t = text.toUpperCase().replace(/\s/g, "");
  const offset = /^(?:UTC|GMT)([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(t);
  if (offset) return (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3] ?? 0));
  return ABBREVIATIONS[t];
}

/** The calendar date of an instant in a fixed offset, shifted by `days`. */
function dateAt(at: number, days: number): [number, number, number] {
  const d = new Date(at + days * 24 * HOUR);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH = "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?";
const DAY_MONTH = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH}(?:,?\\s+(\\d{4}))?`, "gi");
const MONTH_DAY = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?`, "gi");

/**
 * A date written just before a clock time (`Nov 23, 02:10`, `23 Nov 2026 02:10`, `November 22nd at
 * 14:00`): its year is the issue's, or the year before when that date would come after the issue.
 */
function dateBefore(text: string, at: number, createdAt: number): [number, number, number] | undefined {
  const before = text.slice(Math.max(0, at - 40), at);
  let found: [number, number, number | undefined] | undefined;
  let end = -1;
  const consider = (day: number, month: string, year: string | undefined, stop: number) => {
    if (stop > end && /^[\s,]*(?:at\s*)?$/i.test(before.slice(stop)) && day >= 1 && day <= 31) {
      found = [day, MONTHS.indexOf(month.slice(0, 3).toLowerCase()) + 1, year ? Number(year) : undefined];
      end = stop;
    }
  };
  for (const m of before.matchAll(DAY_MONTH)) consider(Number(m[1]), m[2]!, m[3], m.index! + m[0].length);
  for (const m of before.matchAll(MONTH_DAY)) consider(Number(m[2]), m[1]!, m[3], m.index! + m[0].length);
  if (!found) return undefined;
  const [day, month, year] = found;
  const created = new Date(createdAt);
  let y = year ?? created.getUTCFullYear();
  if (!year && Date.UTC(y, month - 1, day) > createdAt + 24 * HOUR) y -= 1;
  return [y, month, day];
}

/**
 * The incident window: from the command's `since`/`until`, else the times written in the issue
 * (padded by 30 minutes before the first and after the last), else `window` before the issue was
 * opened. The baseline is the `baseline` span before the window.
 */
export function incidentWindow(params: {
  args: Record<string, string>;
  text: string;
  createdAt: number;
  now: number;
  zone: string;
  window: string;
  baseline: string;
}): IncidentWindow {
  const baselineSpan = Math.min(parseDuration(params.baseline), MAX_SPAN_MS);
  const baselineNote = parseDuration(params.baseline) > MAX_SPAN_MS ? `; baseline ${params.baseline} capped at ${MAX_SPAN}` : "";
  const make = (from: number, to: number, source: IncidentWindow["from"], note: string): IncidentWindow => {
    const capped = to - from > MAX_SPAN_MS;
    const start = capped ? to - MAX_SPAN_MS : from;
    return {
      window: { from: start, to },
      baseline: { from: start - baselineSpan, to: start },
      from: source,
      note: `${note}${capped ? ` capped at ${MAX_SPAN} (the longest window Insight reads)` : ""}${baselineNote}`,
    };
  };
  if (params.args.since || params.args.until) {
    const to = params.args.until ? untilOf(params.args.until, params.now, params.zone) : params.now;
    const from = to - parseDuration(params.args.since ?? params.window);
    return make(
      from,
      to,
      "arguments",
      `since=${params.args.since ?? params.window}${params.args.until ? ` until=${params.args.until}` : ""}`,
    );
  }
  const times = timesInText(params.text, params.createdAt, params.zone).filter(
    (t) => t <= params.now && t > params.createdAt - 7 * 24 * HOUR,
  );
  if (times.length) {
    const from = Math.min(...times) - 30 * 60_000;
    const to = Math.min(params.now, Math.max(Math.max(...times) + 30 * 60_000, from + HOUR));
    return make(from, to, "issue text", `times in the issue (${params.zone})`);
  }
  return make(
    params.createdAt - parseDuration(params.window),
    Math.min(params.now, params.createdAt + 15 * 60_000),
    "default",
    `${params.window} before the issue was opened`,
  );
}

function untilOf(value: string, now: number, zone: string): number {
  const times = timesInText(value, now, zone);
  if (!times.length) throw new Error(`until="${value}" is not a time such as 2026-11-23T02:30Z or 02:30`);
  return times[0]!;
}
