/**
 * `npm run bench:signals`: seven fixture MCP servers over stdio (real JSON-RPC over pipes), each
 * with its own latency per tool call. Reports, as medians over the runs:
 *   - fan-out wall time of one collection over all seven, as a ratio to the slowest source
 *     collected alone in the same run (goal ≤ 1.2);
 *   - this process's peak RSS during a collection where one source answers 10 MB, beside the
 *     same collection without it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { repoConfigSchema } from "../src/config/repo-config.js";
import { ADAPTERS } from "../src/signals/adapters/registry.js";
import { collectSignals } from "../src/signals/collect.js";
import { McpPool } from "../src/signals/mcp-pool.js";
import { production, productionServices } from "../test/helpers/scenario.js";
import { fixtureSourcesConfig, SEVEN_SOURCES } from "./fixture-sources.js";
import { median, mib, peakRss } from "./stats.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SOURCES = SEVEN_SOURCES;

const log = pino({ level: "silent" });
const config = repoConfigSchema.parse({ services: productionServices });
const services = Object.entries(config.services).map(([name, c]) => ({ name, config: c }));
const now = Date.parse(production.now!);
const window = { from: now - 30 * 60_000, to: now };

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "insight-bench-"));
  const big = (mb: number) => ({
    flavour: "dbhub",
    adapter: "postgres",
    scenario: { ...production, faults: { execute_sql: { bytes: mb * 1024 * 1024 } } },
  });
  const mcp = await fixtureSourcesConfig(dir, production, { big10: big(10), big9: big(9) });
  const pool = new McpPool(mcp, { log });
  const collect = (only: string[]) =>
    collectSignals({ pool, servers: mcp, adapters: ADAPTERS, repo: undefined, services, window, log, only });
  const timed = async (only: string[]) => {
    const started = performance.now();
    const result = await collect(only);
    if (result.sources.some((s) => s.status !== "ok" && !s.source.startsWith("big")))
      throw new Error(`a source failed: ${JSON.stringify(result.sources.map((s) => [s.source, s.status, s.error]))}`);
    return performance.now() - started;
  };
  try {
    // Start every server once (process start is not what is measured) and warm the code paths.
    await Promise.all(Object.keys(mcp.mcpServers).map((n) => pool.connection(n)));
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
    console.log(
      `  all seven one after another  ${median(sequential).toFixed(0)} ms  (ratio fan-out / sequential ${median(fanout.map((f, i) => f / sequential[i]!)).toFixed(2)})`,
    );
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
