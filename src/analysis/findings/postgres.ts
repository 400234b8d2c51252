/**
 * PostgreSQL culprits from what the adapter reads (src/signals/adapters/postgres): who holds the
 * connections (application, user, client address → a service), and which statements changed
 * between two readings of `pg_stat_statements` — an N+1 burst (calls per second up many times at a
 * small mean time) or a plan regression (mean time up many times at a steady call rate).
 *
 * Counters are rates: pg_stat_statements' calls and total time are cumulative since the last reset,
 * so a statement is judged by the calls per second and the mean time *between* two readings (the
 * window), against the same before it (from the reset, or the reading before that), never by its
 * totals. Pure; the statement text is redacted, then normalised and cut.
 */
import type { Holder } from "../../signals/adapters/postgres/index.js";
import type { Signal } from "../../signals/types.js";
import { redact } from "../../security/redact.js";
import { SIGNAL } from "../../signals/catalog.js";

export type StatementFinding = {
  kind: "n-plus-one" | "plan-regression";
  queryid: string;
  /** Redacted, literals replaced by `$n`/`$s`, whitespace collapsed, cut to 160 characters. */
  query: string;
  tables: string[];
  before: { callsPerSec: number; meanMs: number };
  during: { callsPerSec: number; meanMs: number; calls: number };
  /** Services whose database user issues it (from the connections grouping), when one is known. */
  callers: string[];
  detail: string;
  severity: number;
  evidence: string[];
};

type Row = { queryid?: string; calls?: number; total_ms?: number; query?: string; userid?: string; usename?: string };
type Snapshot = { at: number; since?: number; rows: Map<string, Row> };

const TABLE = /\b(?:FROM|JOIN|UPDATE|INTO|TABLE)\s+(?:ONLY\s+)?(?:"?[\w$]+"?\.)?"?([A-Za-z_][\w$]*)"?/gi;
export const tablesOf = (sql: string) =>
  [...new Set([...sql.matchAll(TABLE)].map((m) => m[1]!.toLowerCase()))].filter((t) => !["select", "lateral", "unnest"].includes(t));

/** SQL as a person reads it in a finding: redacted first, then literals masked, then cut. */
export function normaliseSql(sql: string, max = 160): string {
  const clean = redact(String(sql))
    .replace(/'(?:[^']|'')*'/g, "$s")
    .replace(/(?<![\w$.*])\d+(?:\.\d+)?\b/g, "$n")
    .replace(/\bIN\s*\(\s*\$(?:[ns]|\d+)(?:\s*,\s*\$(?:[ns]|\d+))+\s*\)/gi, "IN ($n, …)")
    .replace(/\s+/g, " ")
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function snapshot(s: Signal | undefined): Snapshot | undefined {
  const d = s?.data as { statements?: Row[]; readAt?: number; since?: number } | undefined;
  if (!d?.statements || typeof d.readAt !== "number") return undefined;
  return { at: d.readAt, since: d.since, rows: new Map(d.statements.filter((r) => r.queryid).map((r) => [String(r.queryid), r])) };
}

/** Connection holders of a `pg.connections` signal (the adapter names each one's service when one matches). */
export const connectionHolders = (s: Signal): Holder[] => (s.data?.byClient ?? []) as Holder[];

const MIN_CALLS = 30;

/**
 * Statements whose rate or mean time moved between the reading before the window and the one at its
 * end: an N+1 burst (≥ 5× the calls per second, ≥ 20/s, mean time not up) or a plan regression
 * (≥ 3× the mean time and ≥ 5 ms more per call). `before` holds the readings as of the window's start;
 * with none, nothing is judged (one reading of a cumulative counter says nothing about the window).
 */
export function statementFindings(now: Signal[], before: Signal[]): StatementFinding[] {
  const earlier = new Map(before.filter((s) => s.name === SIGNAL.pgTopStatements).map((s) => [s.id, s]));
  const out: StatementFinding[] = [];
  for (const s of now.filter((x) => x.name === SIGNAL.pgTopStatements)) {
    // The reading as of the window's start; else the adapter's own earlier reading (a live window), which shares the reset time.
    const own = s.data?.earlier as { readAt?: number; statements?: Row[] } | undefined;
    const fallback = own ? ({ ...s, data: { ...own, since: s.data?.since } } as Signal) : undefined;
    const [b, n] = [snapshot(earlier.get(s.id) ?? fallback), snapshot(s)];
    if (!b || !n || n.at <= b.at) continue;
    const users = new Map<string, string | undefined>();
    for (const c of now.filter((x) => x.name === SIGNAL.pgConnections && x.source === s.source))
      for (const h of connectionHolders(c)) if (h.service) users.set(h.usename, h.service);
    const span = (n.at - b.at) / 1000;
    // Before the window: from the reset to the first reading; without a reset time, the reading itself cannot be split.
    const beforeSpan = b.since !== undefined && b.since < b.at ? (b.at - b.since) / 1000 : undefined;
    for (const [id, row] of n.rows) {
      const was = b.rows.get(id);
      const [c1, t1] = [row.calls ?? 0, row.total_ms ?? 0];
      // A statement missing from the earlier reading was not among the busiest then: it counts from zero only when the list was not cut.
      const [c0, t0] = was ? [was.calls ?? 0, was.total_ms ?? 0] : b.rows.size < 50 ? [0, 0] : [NaN, NaN];
      if (!Number.isFinite(c0) || c1 < c0) continue; // reset in between: no rate
      const calls = c1 - c0;
      if (calls < MIN_CALLS) continue;
      const during = { callsPerSec: calls / span, meanMs: (t1 - t0) / calls, calls };
      const beforeRate = beforeSpan ? c0 / beforeSpan : undefined;
      const beforeMean = c0 > 0 ? t0 / c0 : undefined;
      const query = normaliseSql(row.query ?? "");
      const callers = [...new Set([users.get(String(row.usename ?? "")), s.service].filter((x): x is string => !!x))];
      const common = { queryid: id, query, tables: tablesOf(query), callers, evidence: [s.id] };
      const by = row.usename
        ? ` (issued by ${callers[0] ? `${callers[0]}, ` : ""}user ${String(row.usename)})`
        : callers[0]
          ? ` (issued by ${callers[0]})`
          : "";
      const rate = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(1));
      if (
        beforeRate !== undefined &&
        during.callsPerSec >= 20 &&
        during.callsPerSec >= 5 * Math.max(beforeRate, 0.01) &&
        (beforeMean === undefined || during.meanMs <= 2 * beforeMean + 1)
      ) {
        const ratio = beforeRate > 0 ? during.callsPerSec / beforeRate : Infinity;
        out.push({
          ...common,
          kind: "n-plus-one",
          before: { callsPerSec: beforeRate, meanMs: beforeMean ?? during.meanMs },
          during,
          detail: `N+1 burst: \`${query}\` ${rate(beforeRate)} → ${rate(during.callsPerSec)} calls/s${Number.isFinite(ratio) ? ` (×${ratio.toFixed(0)})` : ""} at ${during.meanMs.toFixed(2)} ms each${by}`,
          severity: Math.min(1, 0.55 + Math.log10(Math.min(ratio, 1000)) / 6),
        });
      } else if (beforeMean !== undefined && during.meanMs >= 3 * beforeMean && during.meanMs - beforeMean >= 5) {
        const ratio = during.meanMs / Math.max(beforeMean, 0.001);
        out.push({
          ...common,
          kind: "plan-regression",
          before: { callsPerSec: beforeRate ?? NaN, meanMs: beforeMean },
          during,
          detail: `plan regression: \`${query}\` mean ${beforeMean.toFixed(1)} → ${during.meanMs.toFixed(1)} ms per call (×${ratio.toFixed(0)}) over ${calls} calls${by}`,
          severity: Math.min(1, 0.55 + Math.log10(Math.min(ratio, 1000)) / 6),
        });
      }
    }
  }
  return out.sort((a, b) => b.severity - a.severity);
}
