import { quoted, safe } from "../../safe-values.js";
import type { SourceClient } from "../../source-client.js";
import { replyOf, ToolFailure, type ToolOutput } from "../../tool-output.js";
import { esqlAnswer, esqlTable, indicesAnswer, shardsAnswer, type EsqlTable } from "./schema.js";
import type { ServiceTarget, CatalogSignal, Window } from "../../types.js";
import { num } from "../shared.js";
import { hasTools, type Adapter, type AdapterContext, type Flavour } from "../types.js";
import { SIGNAL } from "../../catalog.js";

export type LogLine = { time?: string; level?: string; message: string };
type Buckets = Array<{ time: number; level: string; count: number }>;
type Logs = { total: number; buckets: Buckets; samples: LogLine[] };
type Fields = { timestamp: string; level: string; message: string; service: string };
type Reader = (
  c: SourceClient,
  index: string,
  service: string,
  f: Fields,
  w: Window,
  bucketMinutes: number,
  samples: number,
) => Promise<Logs>;

const LEVELS = ["ERROR", "WARN", "WARNING", "FATAL", "CRITICAL", "error", "warn", "warning", "fatal", "critical"];

/**
 * The window's samples come from both ends: the newest half and the oldest half. A template's first-seen
 * time is read from the samples, so the newest lines alone would date every template that started early
 * in the window (and kept going) at the window's last minutes.
 */
const halves = (samples: number) => ({ newest: Math.ceil(samples / 2), oldest: Math.floor(samples / 2) });

/** Newest first, each line once (the two ends overlap when the window holds fewer lines than asked). */
export function mergeEnds(newest: LogLine[], oldest: LogLine[]): LogLine[] {
  const seen = new Set<string>();
  const out: LogLine[] = [];
  for (const l of [...newest, ...[...oldest].reverse()]) {
    const key = `${l.time ?? ""}\u0000${l.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(l);
  }
  return out;
}

/** @elastic/mcp-server-elasticsearch 0.3.x: `search` answers in text parts (total, aggregations, one part per hit). */
const searchReader: Reader = async (c, index, service, f, w, minutes, samples) => {
  const { newest, oldest } = halves(samples);
  const filter = [
    { range: { [f.timestamp]: { gte: new Date(w.from).toISOString(), lte: new Date(w.to).toISOString() } } },
    { terms: { [f.level]: LEVELS } },
    { term: { [f.service]: service } },
  ];
  const out = await c.call("search", {
    index,
    queryBody: {
      size: newest,
      sort: [{ [f.timestamp]: "desc" }],
      query: { bool: { filter } },
      aggs: {
        per_bucket: {
          date_histogram: { field: f.timestamp, fixed_interval: `${minutes}m` },
          aggs: { by_level: { terms: { field: f.level } } },
        },
      },
    },
  });
  const logs = parseSearchText(out, f);
  if (logs.total <= logs.samples.length || !oldest) return logs;
  const first = parseSearchText(
    await c.call("search", { index, queryBody: { size: oldest, sort: [{ [f.timestamp]: "asc" }], query: { bool: { filter } } } }),
    f,
  );
  return { ...logs, samples: mergeEnds(logs.samples, first.samples) };
};

export function parseSearchText(out: ToolOutput, f: Fields): Logs {
  let total = 0;
  let buckets: Buckets = [];
  const samples: LogLine[] = [];
  for (const part of out.texts) {
    const t = /^Total results: (\d+)/.exec(part);
    if (t) total = Number(t[1]);
    else if (part.startsWith("Aggregations:")) {
      const aggs = JSON.parse(part.slice("Aggregations:".length)) as {
        per_bucket?: { buckets: Array<{ key: number; by_level?: { buckets: Array<{ key: string; doc_count: number }> } }> };
      };
      buckets = (aggs.per_bucket?.buckets ?? []).flatMap((b) =>
        (b.by_level?.buckets ?? []).map((l) => ({ time: b.key, level: l.key, count: l.doc_count })),
      );
    } else {
      const doc: Record<string, string> = {};
      for (const line of part.split("\n")) {
        const m = /^([^:]+?)(?: \(highlighted\))?: (.*)$/.exec(line);
        if (!m) continue;
        let v = m[2]!;
        try {
          v = JSON.parse(v);
        } catch {
          /* highlighted text is not JSON */
        }
        doc[m[1]!] = String(v).replace(/<\/?em>/g, "");
      }
      if (doc[f.message]) samples.push({ time: doc[f.timestamp], level: doc[f.level], message: doc[f.message]! });
    }
  }
  return { total, buckets, samples };
}

/** ES|QL (0.4.x `esql`, Kibana `platform.core.execute_esql`): columns and values, wherever they sit in the answer. */
function esqlReader(tool: string): Reader {
  return async (c, index, service, f, w, minutes, samples) => {
    const q = (name: string) => `\`${name}\``;
    const where = `FROM ${index} | WHERE ${q(f.timestamp)} >= ${quoted(new Date(w.from).toISOString(), "time")} AND ${q(f.timestamp)} <= ${quoted(new Date(w.to).toISOString(), "time")} AND ${q(f.level)} IN (${LEVELS.map((l) => `"${l}"`).join(", ")}) AND ${q(f.service)} == ${quoted(service, "service")}`;
    const counts = table(
      await c.call(tool, {
        query: `${where} | STATS n = COUNT(*) BY bucket = BUCKET(${q(f.timestamp)}, ${minutes} minutes), lvl = ${q(f.level)} | SORT bucket`,
      }),
      tool,
    );
    const { newest, oldest } = halves(samples);
    const keep = `KEEP ${q(f.timestamp)}, ${q(f.level)}, ${q(f.message)}`;
    const lines = (rows: Array<Record<string, unknown>>) =>
      rows.map((r) => ({ time: r[f.timestamp] as string, level: r[f.level] as string, message: String(r[f.message] ?? "") }));
    const last = lines(table(await c.call(tool, { query: `${where} | SORT ${q(f.timestamp)} DESC | ${keep} | LIMIT ${newest}` }), tool));
    const buckets = counts.map((r) => ({ time: Date.parse(String(r.bucket)), level: String(r.lvl), count: num(r.n) ?? 0 }));
    const total = buckets.reduce((n, b) => n + b.count, 0);
    const first =
      total > last.length && oldest
        ? lines(table(await c.call(tool, { query: `${where} | SORT ${q(f.timestamp)} ASC | ${keep} | LIMIT ${oldest}` }), tool))
        : [];
    return { total, buckets, samples: mergeEnds(last, first) };
  };
}

function table(out: ToolOutput, tool: string): Array<Record<string, unknown>> {
  const find = (v: unknown): EsqlTable | undefined => {
    if (!v || typeof v !== "object") return undefined;
    const o = v as Record<string, unknown>;
    const table = esqlTable.safeParse(o);
    if (table.success) return table.data;
    for (const child of Object.values(o)) {
      const hit = find(child);
      if (hit) return hit;
    }
    return undefined;
  };
  const t = find(out.structured) ?? find(replyOf(out, tool, esqlAnswer));
  if (!t) throw new ToolFailure(`${tool} answered no columns/values table`, tool);
  return t.values.map((row) => Object.fromEntries(t.columns.map((col, i) => [col.name, row[i]])));
}

/** How a flavour names list_indices' pattern argument (0.3 camelCase, 0.4 snake_case); none: no health tools. */
type HealthArgs = { pattern: string } | undefined;

const FLAVOURS: Array<Flavour & { read: Reader; health: HealthArgs }> = [
  {
    id: "kibana-agent-builder",
    detect: (t) => hasTools(t, "platform.core.execute_esql"),
    tools: ["platform.core.execute_esql"],
    required: ["platform.core.execute_esql"],
    read: esqlReader("platform.core.execute_esql"),
    health: undefined,
  },
  {
    id: "elasticsearch-mcp 0.4 (esql)",
    detect: (t) => hasTools(t, "esql"),
    tools: ["esql", "list_indices", "get_shards"],
    required: ["esql"],
    read: esqlReader("esql"),
    health: { pattern: "index_pattern" },
  },
  {
    id: "elasticsearch-mcp 0.3 (search)",
    detect: (t) => hasTools(t, "search", "list_indices"),
    tools: ["search", "list_indices", "get_shards"],
    required: ["search"],
    read: searchReader,
    health: { pattern: "indexPattern" },
  },
];

/**
 * Cluster health from what the servers expose: each index's health (list_indices) and the shards
 * (get_shards, `_cat/shards`): red when an index is red or a primary is unassigned, yellow when a
 * replica is. One missing tool costs only its part.
 */
async function clusterHealth(ctx: AdapterContext, args: NonNullable<HealthArgs>): Promise<CatalogSignal[]> {
  const [indices, shards] = await Promise.all([
    ctx.attempt("index health", async () =>
      replyOf(await ctx.client.call("list_indices", { [args.pattern]: "*" }), "list_indices", indicesAnswer),
    ),
    ctx.attempt("shards", async () => replyOf(await ctx.client.call("get_shards", {}), "get_shards", shardsAnswer)),
  ]);
  const rows = Array.isArray(indices) ? indices : [];
  const shardRows = Array.isArray(shards) ? shards : [];
  if (!rows.length && !shardRows.length) return [];
  const unassigned = shardRows.filter((r) => r.state === "UNASSIGNED");
  const primaries = unassigned.filter((r) => r.prirep === "p" || r.prirep === "primary");
  const health = (h?: string) => String(h ?? "").toLowerCase();
  const status =
    rows.some((r) => health(r.health) === "red") || primaries.length
      ? "red"
      : rows.some((r) => health(r.health) === "yellow") || unassigned.length
        ? "yellow"
        : "green";
  const rank: Record<string, number> = { red: 0, yellow: 1 };
  const bad = rows
    .filter((r) => ["red", "yellow"].includes(health(r.health)))
    .sort((a, b) => (rank[health(a.health)] ?? 2) - (rank[health(b.health)] ?? 2));
  // An index whose primary is unassigned is red even when list_indices was not answered.
  for (const p of primaries) if (p.index && !bad.some((r) => r.index === p.index)) bad.unshift({ index: p.index, health: "red" });
  return [
    {
      id: `${ctx.source}:es:cluster-health`,
      source: ctx.source,
      adapter: "elasticsearch",
      kind: "state",
      name: SIGNAL.esClusterHealth,
      value: unassigned.length,
      query: `list_indices ${args.pattern}=* ; get_shards`,
      data: {
        status,
        unassignedShards: unassigned.length,
        unassignedPrimaries: primaries.length,
        indices: bad.slice(0, ctx.limits.rows).map((r) => ({ index: String(r.index ?? ""), health: health(r.health) })),
        indexCount: rows.length,
      },
    },
  ];
}

/** Logs: error and warning counts per service in time buckets, and message samples for template mining. */
export const elasticsearchAdapter: Adapter = {
  id: "elasticsearch",
  provides: ["logs"],
  flavours: FLAVOURS,
  async collect(ctx) {
    const { read, health } = ctx.flavour as (typeof FLAVOURS)[number];
    const targets = ctx.services.filter((s) => s.config.logs);
    const [logs, cluster] = await Promise.all([
      Promise.all(targets.map((svc) => collectService(ctx, read, svc))),
      health ? clusterHealth(ctx, health) : [],
    ]);
    return [...logs.flat(), ...cluster];
  },
};

async function collectService(ctx: AdapterContext, read: Reader, svc: ServiceTarget): Promise<CatalogSignal[]> {
  const logs = svc.config.logs!;
  const value = safe(logs.service ?? svc.name, "service field value");
  const index = logs.index;
  const minutes = Math.max(1, Math.ceil((ctx.window.to - ctx.window.from) / 60_000 / 60));
  const samples = Math.min(ctx.limits.logLines, 100);
  const result = await ctx.attempt(`${svc.name} logs`, () => read(ctx.client, index, value, logs.fields, ctx.window, minutes, samples));
  if (!result) return [];
  const query = `${index} ${logs.fields.service}=${value} ${logs.fields.level} in error/warn levels`;
  const base = { source: ctx.source, adapter: "elasticsearch" as const, service: svc.name, window: ctx.window, query };
  const levels = [...new Set(result.buckets.map((b) => b.level))];
  const series = levels.map((level) => ({
    labels: { level },
    points: result.buckets.filter((b) => b.level === level).map((b) => [b.time, b.count] as [number, number]),
  }));
  if (result.total > samples)
    ctx.note(`${svc.name} logs: ${samples} samples of ${result.total} error/warn lines (the oldest and newest halves of the window)`);
  return [
    {
      ...base,
      id: `${ctx.source}:${svc.name}:logs:errors`,
      kind: "metric",
      name: SIGNAL.logsErrorCount,
      value: result.total,
      unit: "lines",
      series,
    },
    ...(result.samples.length
      ? [
          {
            ...base,
            id: `${ctx.source}:${svc.name}:logs:samples`,
            kind: "log" as const,
            name: SIGNAL.logsSamples,
            data: { lines: result.samples },
          },
        ]
      : []),
  ];
}
