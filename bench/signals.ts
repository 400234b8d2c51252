/**
 * `npm run bench:signals`: seven fixture MCP servers over stdio (real JSON-RPC over pipes), each
 * with its own latency per tool call. Reports, as medians over the runs:
 *   - fan-out wall time of one collection over all seven, as a ratio to the slowest source
 *     collected alone in the same run (goal ≤ 1.2);
 *   - this process's peak RSS during a collection where one source answers 10 MB, beside the
 *     same collection without it.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { parseMcpServers } from "../src/config/mcp-servers.js";
import { repoConfigSchema } from "../src/config/repo-config.js";
import { ADAPTERS } from "../src/signals/adapters/registry.js";
import { collectSignals } from "../src/signals/collect.js";
import { McpPool } from "../src/signals/mcp-pool.js";
import { production, productionServices } from "../test/helpers/scenario.js";
import { median, mib, peakRss } from "./stats.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SOURCES = [
  ["metrics", "prometheus-mcp", "prometheus", 40],
  ["db", "dbhub", "postgres", 60],
  ["cache", "redis-mcp-server", "redis", 20],
  ["k8s", "kubernetes-mcp-server", "kubernetes", 80],
  ["logs", "elasticsearch-0.3", "elasticsearch", 120],
  ["apm", "skywalking-mcp", "skywalking", 100],
  ["graph", "mcp-neo4j-cypher", "neo4j", 150],
] as const;

const log = pino({ level: "silent" });
const config = repoConfigSchema.parse({ services: productionServices });
const services = Object.entries(config.services).map(([name, c]) => ({ name, config: c }));
const now = Date.parse(production.now!);
const window = { from: now - 30 * 60_000, to: now };

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "insight-bench-"));
  const servers: Record<string, unknown> = {};
  for (const [name, flavour, adapter, latencyMs] of SOURCES) {
    const file = join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify({ ...production, latencyMs }));
    servers[name] = { command: process.execPath, args: ["--import", "tsx", "fixtures/mcp/server.ts", flavour, file], insight: { adapter, repositories: ["*/*"], timeoutMs: 10_000, concurrency: 4 } };
  }
  for (const [name, mb] of [["big10", 10], ["big9", 9]] as const) {
    const file = join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify({ ...production, faults: { execute_sql: { bytes: mb * 1024 * 1024 } } }));
    servers[name] = { command: process.execPath, args: ["--import", "tsx", "fixtures/mcp/server.ts", "dbhub", file], insight: { adapter: "postgres", repositories: ["*/*"], timeoutMs: 10_000, concurrency: 1 } };
  }
  const mcp = parseMcpServers({ mcpServers: servers, insight: { budgetMs: 30_000 } });
  const pool = new McpPool(mcp, { log });
  const collect = (only: string[]) => collectSignals({ pool, config: mcp, adapters: ADAPTERS, repo: undefined, services, window, log, only });
  const timed = async (only: string[]) => {
    const started = performance.now();
    const result = await collect(only);
    if (result.sources.some((s) => s.status !== "ok" && !s.source.startsWith("big"))) throw new Error(`a source failed: ${JSON.stringify(result.sources.map((s) => [s.source, s.status, s.error]))}`);
    return performance.now() - started;
  };
  try {
    // Start every server once (process start is not what is measured) and warm the code paths.
    await Promise.all(Object.keys(servers).map((n) => pool.connection(n)));
    const seven = SOURCES.map(([n]) => n);
    await timed(seven);
    const fanout: number[] = [];
    const slowest: number[] = [];
    const ratios: number[] = [];
    const sequential: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const singles = [];
      for (const name of seven) singles.push(await timed([name]));
      const all = await timed(seven);
      fanout.push(all);
      sequential.push(singles.reduce((a, b) => a + b, 0));
      slowest.push(Math.max(...singles));
      ratios.push(all / Math.max(...singles));
    }
    const without = await peakRss(() => collect(seven));
    const with9 = await peakRss(() => collect([...seven, "big9"]));
    const with10 = await peakRss(() => collect([...seven, "big10"]));
    const outcome = (r: typeof with9, n: string) => {
      const s = r.result.sources.find((x) => x.source === n)!;
      return `${s.status}: ${s.error}`;
    };
    console.log(`signals fan-out, ${SOURCES.length} stdio sources, ${RUNS} runs (medians)`);
    console.log(`  slowest single source  ${median(slowest).toFixed(0)} ms`);
    console.log(`  all seven in parallel  ${median(fanout).toFixed(0)} ms`);
    console.log(`  ratio fan-out / slowest single  ${median(ratios).toFixed(2)} (goal ≤ 1.2)`);
    console.log(`  all seven one after another  ${median(sequential).toFixed(0)} ms  (ratio fan-out / sequential ${median(fanout.map((f, i) => f / sequential[i]!)).toFixed(2)})`);
    console.log(`  latency per tool call: ${SOURCES.map((s) => `${s[0]} ${s[3]} ms`).join(", ")}`);
    console.log(`peak RSS of this process`);
    console.log(`  seven sources             ${mib(without.peak)}`);
    console.log(`  plus a 9 MB answer        ${mib(with9.peak)}  (${outcome(with9, "big9")})`);
    console.log(`  plus a 10 MB answer       ${mib(with10.peak)}  (${outcome(with10, "big10")})`);
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
