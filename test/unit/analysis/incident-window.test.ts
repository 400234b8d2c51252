import { describe, expect, it } from "@jest/globals";
import { incidentWindow, timesInText } from "../../../src/analysis/incident-window.js";

/**
 * Times as people write them in incident issues, read the way the writer meant them. The issue is
 * opened at `created` (UTC); `zone` is the repository's configured zone for times written without one.
 * Each row: [phrasing, zone, created (UTC), the times meant (UTC, ISO)].
 */
const C = "2026-11-23T09:00:00Z"; // a Monday morning, UTC
type Row = [string, string, string, string[]];

const rows: Row[] = [
  // ISO and RFC 3339 stamps
  ["errors since 2026-11-23T02:10Z", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["first alert 2026-11-23T02:10:33.120Z", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["2026-11-23 02:10 UTC", "Europe/Berlin", C, ["2026-11-23T02:10:00Z"]],
  ["2026-11-23T04:10+02:00 first page", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["2026-11-23T04:10+0200", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["2026-11-22T21:10-05:00", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["2026-11-23T07:40+05:30 in Bangalore", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["2026-11-23T03:10 (no zone written)", "Europe/Berlin", C, ["2026-11-23T02:10:00Z"]],
  ["2026-11-22T18:10 local", "America/Los_Angeles", C, ["2026-11-23T02:10:00Z"]],
  ["from 2026-11-23T02:10Z to 2026-11-23T02:55Z", "UTC", C, ["2026-11-23T02:10:00Z", "2026-11-23T02:55:00Z"]],
  ["2026-11-23 02:10:59 UTC", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["2026-11-23T02:10:00.000000Z (nanos)", "UTC", C, ["2026-11-23T02:10:00Z"]],
  // a clock time with a zone
  ["started at 02:10 UTC", "Europe/Berlin", C, ["2026-11-23T02:10:00Z"]],
  ["started at 02:10Z", "Europe/Berlin", C, ["2026-11-23T02:10:00Z"]],
  ["started at 02:10 GMT", "Asia/Tokyo", C, ["2026-11-23T02:10:00Z"]],
  ["pages from 18:10 PST", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["pages from 21:10 EST", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["03:10 CET", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["11:10 JST", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["07:40 IST", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["04:10 UTC+2", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["21:10 GMT-05:00", "UTC", C, ["2026-11-23T02:10:00Z"]],
  // a clock time in the configured zone
  ["02:10", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["around 03:10", "Europe/Berlin", C, ["2026-11-23T02:10:00Z"]],
  ["since 18:10", "America/Los_Angeles", C, ["2026-11-23T02:10:00Z"]],
  ["at 2:10", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["02:10:45 first 500", "UTC", C, ["2026-11-23T02:10:00Z"]],
  // 12-hour clocks
  ["at 2:10am", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["at 2:10 a.m.", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["at 6:10 PM PST", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["around 2am UTC", "UTC", C, ["2026-11-23T02:00:00Z"]],
  ["12:30am", "UTC", C, ["2026-11-23T00:30:00Z"]],
  ["12:30pm yesterday", "UTC", C, ["2026-11-22T12:30:00Z"]],
  // ranges: a zone written once applies to both ends
  ["between 02:10 and 02:40 UTC", "Europe/Berlin", C, ["2026-11-23T02:10:00Z", "2026-11-23T02:40:00Z"]],
  ["02:10–02:40 UTC", "Europe/Berlin", C, ["2026-11-23T02:10:00Z", "2026-11-23T02:40:00Z"]],
  ["02:10 - 02:40 UTC", "Asia/Tokyo", C, ["2026-11-23T02:10:00Z", "2026-11-23T02:40:00Z"]],
  ["from 18:10 to 18:40 PST", "UTC", C, ["2026-11-23T02:10:00Z", "2026-11-23T02:40:00Z"]],
  ["02:10 UTC until 02:40 UTC", "UTC", C, ["2026-11-23T02:10:00Z", "2026-11-23T02:40:00Z"]],
  // relative days
  ["yesterday 14:00–15:00", "UTC", C, ["2026-11-22T14:00:00Z", "2026-11-22T15:00:00Z"]],
  ["yesterday at 15:00 CET", "UTC", C, ["2026-11-22T14:00:00Z"]],
  ["last night", "UTC", C, ["2026-11-22T22:00:00Z", "2026-11-23T06:00:00Z"]],
  ["last night", "Europe/Berlin", C, ["2026-11-22T21:00:00Z", "2026-11-23T05:00:00Z"]],
  // a time later in the day than the issue is yesterday's
  ["23:50 alerts", "UTC", C, ["2026-11-22T23:50:00Z"]],
  // month names
  ["Nov 23, 02:10 UTC", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["23 Nov 2026 02:10 UTC", "UTC", C, ["2026-11-23T02:10:00Z"]],
  ["November 22nd at 14:00 UTC", "UTC", C, ["2026-11-22T14:00:00Z"]],
  ["Nov 20 14:00 UTC (three days before)", "UTC", C, ["2026-11-20T14:00:00Z"]],
  ["on 21 November at 03:10", "Europe/Berlin", C, ["2026-11-21T02:10:00Z"]],
  ["Sun Nov 22 2026 18:10 PST", "UTC", C, ["2026-11-23T02:10:00Z"]],
  // daylight saving: the writer's zone on that date
  ["2026-07-01T04:10 (summer, Berlin)", "Europe/Berlin", "2026-07-01T09:00:00Z", ["2026-07-01T02:10:00Z"]],
  ["04:10", "Europe/Berlin", "2026-07-01T09:00:00Z", ["2026-07-01T02:10:00Z"]],
  ["2026-03-29T03:30", "Europe/Berlin", "2026-03-29T09:00:00Z", ["2026-03-29T01:30:00Z"]],
  // across a year boundary
  ["Dec 31 23:30 UTC", "UTC", "2027-01-01T01:00:00Z", ["2026-12-31T23:30:00Z"]],
];

/** Text that holds numbers shaped like times but is not a time. */
const notTimes: Array<[string, string]> = [
  ["a stack trace line", "at Object.<anonymous> (/app/src/orders.js:12:30)"],
  ["a file and line", "see orders.ts:14:05 for the throw"],
  ["a port mapping", "ports: 8080:80 and 5432:5432"],
  ["a ratio", "read/write ratio 10:1 as usual"],
  ["a version", "upgraded to v2.10.5 and 1.12"],
  ["a duration in a log", "took 12.30 s"],
  ["an IPv6 address", "fe80::1:30 on eth0"],
];

const iso = (t: number) => new Date(t).toISOString().replace(".000Z", "Z");

describe("times written in incident issues", () => {
  it(`reads ${rows.length} phrasings in their zones`, () => {
    expect(rows.length).toBeGreaterThanOrEqual(50);
  });
  it.each(rows)("%s (%s, opened %s)", (text, zone, created, expected) => {
    const got = timesInText(text, Date.parse(created), zone).map(iso).sort();
    expect(got).toEqual([...expected].sort());
  });
  it.each(notTimes)("reads no time in %s", (_name, text) => {
    expect(timesInText(text, Date.parse(C), "UTC")).toEqual([]);
  });
});

describe("the incident window from the issue", () => {
  const base = { args: {}, createdAt: Date.parse(C), now: Date.parse(C) + 60_000, window: "2h", baseline: "24h" };
  it("pads the times written by 30 minutes and reads the baseline before", () => {
    const w = incidentWindow({ ...base, text: "between 02:10 and 02:40 UTC", zone: "Europe/Berlin" });
    expect([iso(w.window.from), iso(w.window.to)]).toEqual(["2026-11-23T01:40:00Z", "2026-11-23T03:10:00Z"]);
    expect(iso(w.baseline.from)).toBe("2026-11-22T01:40:00Z");
    expect(w.from).toBe("issue text");
  });
  it("ignores times after now and more than a week before the issue", () => {
    const w = incidentWindow({ ...base, text: "2026-11-25T02:10Z and 2026-10-01T02:10Z", zone: "UTC" });
    expect(w.from).toBe("default");
  });
  it("says which until it could not read", () => {
    expect(() => incidentWindow({ ...base, args: { until: "soonish" }, text: "", zone: "UTC" })).toThrow(/until="soonish" is not a time/);
  });
});
