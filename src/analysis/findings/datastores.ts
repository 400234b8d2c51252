/**
 * Datastore findings as anomalies the RCA chains can cite: statements that changed (N+1 bursts, plan
 * regressions), idle-in-transaction connections held by one service, Redis evictions judged by their
 * rate, Neo4j transactions running for minutes and databases not online, Elasticsearch cluster health
 * (red/yellow, unassigned shards) and thread-pool rejections, and database CPU or IO wait.
 *
 * Counters are rates: a cumulative counter (Redis `evicted_keys`, pg_stat_statements' calls, the
 * exporters' `*_total`) is judged by how fast it grew between two readings (the state before the
 * window and now) or by a rate series, never by its total. Pure.
 */
import type { Holder } from "../../signals/adapters/postgres/index.js";
import type { Signal, Window } from "../../signals/types.js";
import type { Anomaly } from "../find-anomalies.js";
import { normaliseSql, statementFindings } from "./postgres.js";
import { SIGNAL } from "../../signals/catalog.js";

/** Idle-in-transaction sessions one holder must keep for a leak to be named (and the share of all of them). */
const LEAK_MIN = 10;

function leaks(signals: Signal[]): Anomaly[] {
  const out: Anomaly[] = [];
  for (const s of signals.filter((x) => x.name === SIGNAL.pgConnections)) {
    const rows = (s.data?.byClient ?? []) as Holder[];
    const idle = rows.reduce((n, h) => n + h.idle_in_transaction, 0);
    const top = rows[0];
    if (!top || top.idle_in_transaction < LEAK_MIN || top.idle_in_transaction < 0.5 * idle) continue;
    const who = `${top.service ?? top.application_name} (application_name ${top.application_name}, user ${top.usename}, from ${top.client_addr})`;
    out.push({
      service: top.service,
      kind: "datastore",
      detail: `${top.idle_in_transaction} PostgreSQL connections idle in transaction held by ${who}${top.oldest_xact_s ? `, the oldest open for ${Math.round(top.oldest_xact_s / 60)} min` : ""}: a transaction that is never committed or rolled back`,
      severity: Math.min(1, 0.5 + top.idle_in_transaction / 100),
      evidence: [s.id],
      callers: top.service ? [top.service] : [],
    });
  }
  return out;
}

/** A counter's growth per second between the reading before the window and now; undefined without both (or after a restart). */
function counterRate(
  now: Signal,
  before: Signal[],
  read: (s: Signal) => number | undefined,
  clock: (s: Signal) => number | undefined,
): number | undefined {
  const b = before.find((x) => x.id === now.id);
  const [v0, v1, t0, t1] = [b && read(b), read(now), b && clock(b), clock(now)];
  if (v0 === undefined || v1 === undefined || t0 === undefined || t1 === undefined || t1 <= t0 || v1 < v0) return undefined;
  return (v1 - v0) / ((t1 - t0) / 1000);
}

function redisEvictions(signals: Signal[], before: Signal[], window: Window): Anomaly[] {
  const out: Anomaly[] = [];
  for (const s of signals.filter((x) => x.name === SIGNAL.redisEvictedKeys)) {
    const memory = signals.find((x) => x.name === SIGNAL.redisMemoryUsed && x.source === s.source);
    const usage = Number(memory?.data?.usage ?? 0);
    // Readings carry no clock of their own: the one before the window was taken at its start, this one at its end.
    const clockOf = (x: Signal) => (before.includes(x) ? window.from : window.to);
    const rate = counterRate(s, before, (x) => x.value, clockOf);
    // The exporter's rate series, where Prometheus scrapes Redis: its level in the window.
    const series = signals
      .find((x) => x.name === SIGNAL.redisEvictionsRate)
      ?.series?.[0]?.points.filter(([t]) => t >= window.from && t <= window.to)
      .map(([, v]) => v);
    const exporterRate = series?.length ? series.reduce((a, b) => a + b, 0) / series.length : undefined;
    // Else the adapter's two readings a moment apart, in a window that reaches now.
    const sampled = typeof s.data?.perSecondNow === "number" ? s.data.perSecondNow : undefined;
    const perSec = rate ?? exporterRate ?? sampled;
    if (perSec === undefined || perSec < 1 || usage < 0.9) continue;
    out.push({
      service: s.service,
      kind: "cache-evictions",
      detail: `Redis evicting ${perSec >= 10 ? perSec.toFixed(0) : perSec.toFixed(1)} keys/s in the window (evicted_keys ${rate !== undefined ? "grew" : exporterRate !== undefined ? "rate from the exporter" : "grew between two readings now"}), memory at ${(usage * 100).toFixed(0)}% of maxmemory${memory?.data?.policy ? `, policy ${String(memory.data.policy)}` : ""}`,
      severity: Math.min(1, 0.6 + Math.log10(perSec) / 10),
      evidence: [s.id, ...(memory ? [memory.id] : [])],
    });
  }
  return out;
}

type Tx = { transactionId?: string; query?: string; elapsedMs?: number; status?: string; username?: string };

function neo4j(signals: Signal[]): Anomaly[] {
  const out: Anomaly[] = [];
  for (const s of signals) {
    if (s.name === SIGNAL.neo4jLongTransactions && (s.value ?? 0) > 0) {
      const txs = ((s.data?.transactions ?? []) as Tx[]).sort((a, b) => (b.elapsedMs ?? 0) - (a.elapsedMs ?? 0));
      const t = txs[0];
      out.push({
        service: s.service,
        kind: "datastore",
        severity: Math.min(1, 0.5 + (t?.elapsedMs ?? 0) / 1_200_000),
        evidence: [s.id],
        detail: `${txs.length} Neo4j transaction${txs.length === 1 ? "" : "s"} running over 30 s; the longest ${t?.transactionId ?? "?"} for ${Math.round((t?.elapsedMs ?? 0) / 1000)} s${t?.status ? ` (${t.status})` : ""}: \`${normaliseSql(t?.query ?? "", 120)}\``,
      });
    } else if (s.name === SIGNAL.neo4jDatabases && (s.value ?? 0) > 0) {
      out.push({
        service: s.service,
        kind: "datastore",
        severity: 0.8,
        evidence: [s.id],
        detail: `Neo4j database${(s.value ?? 0) > 1 ? "s" : ""} not online: ${((s.data?.notOnline ?? []) as string[]).join(", ")}`,
      });
    }
  }
  return out;
}

function elasticsearch(signals: Signal[], before: Signal[], window: Window): Anomaly[] {
  const out: Anomaly[] = [];
  for (const s of signals) {
    const d = s.data ?? {};
    if (s.name === SIGNAL.esClusterHealth && (d.status === "red" || d.status === "yellow")) {
      const unassigned = Number(d.unassignedShards ?? 0);
      const indices = ((d.indices ?? []) as Array<{ index: string; health: string }>)
        .filter((i) => i.health === d.status)
        .map((i) => i.index);
      out.push({
        // Yellow (a replica unassigned, as on any one-node cluster) is stated but too weak to be a cause on its own.
        service: s.service,
        kind: "datastore",
        severity: d.status === "red" ? 0.85 : 0.25,
        evidence: [s.id],
        detail: `Elasticsearch cluster ${String(d.status)}${unassigned ? `: ${unassigned} unassigned shard${unassigned === 1 ? "" : "s"}` : ""}${indices.length ? ` (${indices.slice(0, 5).join(", ")}${d.status === "red" ? " missing a primary" : " without replicas"})` : ""}`,
      });
    } else if (s.name === SIGNAL.esThreadPoolRejected) {
      // A cumulative counter per pool: its rate series from the exporter, or its growth between two readings.
      const points = s.series?.[0]?.points.filter(([t]) => t >= window.from && t <= window.to).map(([, v]) => v) ?? [];
      const perSec = points.length
        ? Math.max(...points)
        : counterRate(
            s,
            before,
            (x) => x.value,
            (x) => (before.includes(x) ? window.from : window.to),
          );
      if (!perSec || perSec < 0.1) continue;
      out.push({
        service: s.service,
        kind: "datastore",
        severity: Math.min(1, 0.55 + Math.log10(1 + perSec) / 6),
        evidence: [s.id],
        detail: `Elasticsearch rejecting ${perSec >= 10 ? perSec.toFixed(0) : perSec.toFixed(2)} requests/s on thread pool${d.pool ? ` ${String(d.pool)}` : "s"} (queue full)`,
      });
    }
  }
  return out;
}

/** Database CPU or IO wait: the exporters' series where Prometheus has them, or PostgreSQL's own sessions waiting on IO. */
function waits(signals: Signal[], window: Window): Anomaly[] {
  const out: Anomaly[] = [];
  for (const s of signals) {
    if (/^(db|redis|pg)\.(cpu_usage|iowait)$/.test(s.name) && s.series?.[0]?.points.length) {
      const inside = s.series[0].points.filter(([t]) => t >= window.from && t <= window.to).map(([, v]) => v);
      const outside = s.series[0].points.filter(([t]) => t < window.from).map(([, v]) => v);
      const peak = inside.length ? Math.max(...inside) : 0;
      const usual = outside.length ? [...outside].sort((a, b) => a - b)[Math.floor(outside.length / 2)]! : 0;
      const cpu = s.name.endsWith("cpu_usage");
      const limit = cpu ? 0.85 : 0.2;
      if (peak < limit || peak < 1.5 * usual) continue;
      out.push({
        service: s.service,
        kind: "datastore",
        severity: Math.min(1, 0.5 + peak / 2),
        evidence: [s.id],
        detail: `${s.name.startsWith("redis") ? "Redis" : "database"} ${cpu ? "CPU" : "IO wait"} at ${(peak * 100).toFixed(0)}% in the window (usually ${(usual * 100).toFixed(0)}%)`,
      });
    } else if (s.name === SIGNAL.pgActiveWaits) {
      const io = Number(s.data?.io ?? 0);
      if (io >= 5 && io >= 0.5 * (s.value ?? 0))
        out.push({
          service: s.service,
          kind: "datastore",
          severity: 0.6,
          evidence: [s.id],
          detail: `${io} of ${s.value} active PostgreSQL sessions waiting on IO`,
        });
    }
  }
  return out;
}

/** Deadlocks and rollbacks in the window: pg_stat_database's counters grown between the reading before it and now. */
function transactions(signals: Signal[], before: Signal[]): Anomaly[] {
  const out: Anomaly[] = [];
  for (const s of signals.filter((x) => x.name === SIGNAL.pgDatabase)) {
    const b = before.find((x) => x.id === s.id)?.data;
    const d = s.data ?? {};
    if (!b) continue;
    const grew = (k: string) => Number(d[k] ?? NaN) - Number(b[k] ?? NaN);
    const [deadlocks, rollbacks, commits] = [grew("deadlocks"), grew("xact_rollback"), grew("xact_commit")];
    if (deadlocks >= 1)
      out.push({
        service: s.service,
        kind: "datastore",
        severity: Math.min(1, 0.45 + deadlocks / 20),
        evidence: [s.id],
        detail: `${deadlocks} PostgreSQL deadlock${deadlocks === 1 ? "" : "s"} in the window (pg_stat_database.deadlocks ${String(b.deadlocks)} → ${String(d.deadlocks)})`,
      });
    const share = rollbacks / (rollbacks + commits);
    if (rollbacks >= 50 && share >= 0.2)
      out.push({
        service: s.service,
        kind: "datastore",
        severity: Math.min(1, 0.4 + share / 2),
        evidence: [s.id],
        detail: `${(share * 100).toFixed(0)}% of PostgreSQL transactions rolled back in the window (${rollbacks} of ${rollbacks + commits})`,
      });
  }
  return out;
}

/** Every datastore finding of the window; `before` holds the state read as of its start. */
export function datastoreAnomalies(signals: Signal[], before: Signal[], window: Window): Anomaly[] {
  const statements: Anomaly[] = statementFindings(signals, before).map((f) => ({
    service: f.callers[0],
    kind: "db-statement",
    detail: f.detail,
    severity: f.severity,
    evidence: f.evidence,
    tables: f.tables,
    callers: f.callers,
  }));
  return [
    ...statements,
    ...leaks(signals),
    ...transactions(signals, before),
    ...redisEvictions(signals, before, window),
    ...neo4j(signals),
    ...elasticsearch(signals, before, window),
    ...waits(signals, window),
  ];
}
