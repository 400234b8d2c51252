/**
 * `npm run bench:impact`: the PR-impact pipeline on a 3,000-file pull request (GitHub's listing
 * limit) with seven fixture MCP sources over stdio. Reports, as medians:
 *   - the whole pipeline (classify, collect, score, render comment and check run);
 *   - the collection alone in the same run (the source latency);
 *   - the difference: Insight's own time beyond source latency (goal < 2 s);
 *   - this process's peak RSS (goal < 200 MB).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { assessImpact } from "../src/analysis/assess-impact.js";
import { classifyChanges } from "../src/analysis/classify-change.js";
import type { ChangeSet } from "../src/core/change-set.js";
import { repoConfigSchema } from "../src/config/repo-config.js";
import { collectForChange } from "../src/pipeline/impact.js";
import { renderImpactCheck, renderImpactComment } from "../src/render/impact.js";
import { ADAPTERS } from "../src/signals/adapters/registry.js";
import { McpPool } from "../src/signals/mcp-pool.js";
import { production, productionServices } from "../test/helpers/scenario.js";
import { fixtureSourcesConfig } from "./fixture-sources.js";
import { median, mib, peakRss } from "./stats.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const log = pino({ level: "silent" });
const config = repoConfigSchema.parse({
  services: {
    api: { ...productionServices.api, paths: ["services/api/**", "db/**"] },
    web: { ...productionServices.web, paths: ["services/web/**"] },
    payments: { paths: ["services/payments/**"], prometheus: { labels: { service: "payments" } } },
  },
});

/** 3,000 files: code with patches across three services, tests, a migration, manifests, a lock file. */
function bigPullRequest(): ChangeSet {
  const files = Array.from({ length: 3000 }, (_, i) => {
    const service = ["api", "web", "payments"][i % 3]!;
    const body = Array.from({ length: 12 }, (_, j) => `+export const value${i}_${j} = compute(${j}); // ${"x".repeat(40)}`).join("\n");
    return {
      path: `services/${service}/src/module${i}.ts`,
      status: "modified" as const,
      additions: 12,
      deletions: 2,
      patch: `@@ -1,2 +1,12 @@\n-old\n-old\n${body}`,
    };
  });
  files[0] = {
    path: "db/migrations/V9__orders_status.sql",
    status: "modified",
    additions: 2,
    deletions: 0,
    patch: "@@ -0,0 +1,2 @@\n+ALTER TABLE orders ADD COLUMN status text NOT NULL;\n+CREATE INDEX idx ON orders (status);",
  };
  files[1] = {
    path: "services/api/k8s/deployment.yaml",
    status: "modified",
    additions: 1,
    deletions: 1,
    patch: "@@ -3 +3 @@\n-  replicas: 3\n+  replicas: 2",
  };
  files[2] = {
    path: "services/api/src/orders.test.ts",
    status: "modified",
    additions: 5,
    deletions: 0,
    patch: "@@ -0,0 +1 @@\n+it('works', () => {})",
  };
  return {
    ref: "acme/shop#3000",
    base: { ref: "main", sha: "a".repeat(40) },
    head: { ref: "big", sha: "b".repeat(40) },
    files,
    changedFiles: 3000,
    filesNotListed: 0,
  };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "insight-bench-impact-"));
  const { now: _fixed, ...live } = production;
  const mcpServers = await fixtureSourcesConfig(dir, live);
  const pool = new McpPool(mcpServers, { log });
  const services = { pool, mcpServers, adapters: ADAPTERS };
  try {
    await Promise.all(Object.keys(mcpServers.mcpServers).map((n) => pool.connection(n)));
    const pipeline = async () => {
      const changes = bigPullRequest();
      const started = performance.now();
      const files = classifyChanges(changes, config);
      const { collection } = await collectForChange(services, { repo: undefined, files, config, log, now: Date.now() });
      const collected = performance.now();
      if (!collection || collection.sources.some((s) => s.status === "error"))
        throw new Error(`a source failed: ${JSON.stringify(collection?.sources.map((s) => [s.source, s.error]))}`);
      const a = assessImpact({ changes, config, collection, files });
      const body = renderImpactComment(a, { elapsedMs: 0, config });
      renderImpactCheck(a, config);
      const done = performance.now();
      return { total: done - started, collect: collected - started, bodyLength: body.length, level: a.level, score: a.score };
    };
    await pipeline();
    const baseline = process.memoryUsage();
    const runs = [];
    const peaks: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { result, peak } = await peakRss(pipeline);
      runs.push(result);
      peaks.push(peak);
    }
    const beyond = runs.map((r) => r.total - r.collect);
    console.log(`PR impact, 3,000-file pull request, 7 stdio sources, ${RUNS} runs (medians)`);
    console.log(`  whole pipeline           ${median(runs.map((r) => r.total)).toFixed(0)} ms`);
    console.log(`  collection alone         ${median(runs.map((r) => r.collect)).toFixed(0)} ms (the sources' latency)`);
    console.log(
      `  beyond source latency    ${median(beyond).toFixed(0)} ms (goal < 2000 ms; ratio to collection ${(median(beyond) / median(runs.map((r) => r.collect))).toFixed(2)})`,
    );
    console.log(
      `  peak RSS                 ${mib(median(peaks))} median of runs, ${mib(Math.max(...peaks))} at most (goal < 200 MB); ${mib(baseline.rss)} before the runs`,
    );
    console.log(`  result                   ${runs[0]!.level} ${runs[0]!.score}/100, comment ${runs[0]!.bodyLength} characters`);
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
