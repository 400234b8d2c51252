import { Queue } from "bullmq";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { RedisQueue } from "../src/jobs/bullmq-queue.js";
import type { PrImpactJob } from "../src/jobs/types.js";
import { startStatefulGitHub } from "../test/helpers/fake-github-state.js";
import { freshDatabase } from "../test/helpers/pg-database.js";
import { startProcess, waitFor } from "../test/helpers/spawn-server.js";
import { appEnv, scratch, startRedis, type Proc } from "./queue/processes.js";

/**
 * bench:scale — jobs per second with 1, 2 and 4 `insight worker` processes on one fixture
 * workload: PR-impact jobs spread over 8 installations, against a fake GitHub that answers each
 * request after GITHUB_LATENCY_MS (GitHub's API is the slow part of a real job), with the shared
 * audit chain in PostgreSQL. Jobs are put straight into Redis (the server's producer), the clock
 * runs from the first enqueue to the last completion. The machine's cores bound the ratio.
 */
const JOBS = Number(process.env.BENCH_SCALE_JOBS ?? 96);
const GITHUB_LATENCY_MS = Number(process.env.BENCH_SCALE_LATENCY_MS ?? 40);
const PER_WORKER = 2;
const INSTALLATIONS = 8;

const dir = await scratch();
const github = await startStatefulGitHub({ delayMs: GITHUB_LATENCY_MS });
const redis = await startRedis(dir);
const db = await freshDatabase("insight_pgstore_bench_scale", { migrated: true });
const log = pino({ level: "silent" });
const rows: Array<{ workers: number; seconds: number; perSecond: number }> = [];

try {
  for (const n of [1, 2, 4]) {
    const prefix = `bench-scale-${n}`;
    const env = appEnv(dir, github.host, {
      INSIGHT_QUEUE: "redis",
      INSIGHT_REDIS_URL: redis.url,
      INSIGHT_REDIS_PREFIX: prefix,
      INSIGHT_DATABASE_URL: db.url,
      INSIGHT_INSTALLATION_CONCURRENCY: "2",
      INSIGHT_DEBOUNCE_MS: "0",
      LOG_LEVEL: "info",
    });
    const workers: Proc[] = [];
    for (let i = 0; i < n; i++)
      workers.push(
        startProcess(process.execPath, ["bin/insight.js", "worker", "--concurrency", String(PER_WORKER)], {
          cwd: process.cwd(),
          env: { ...env, INSIGHT_DATA_DIR: join(dir, `w${n}-${i}`), INSIGHT_FROM_SOURCE: "1" },
        }),
      );
    await waitFor(
      async () => (workers.every((w) => w.output().includes("Insight worker is taking jobs")) ? true : undefined),
      `${n} workers`,
      180_000,
    );
    const producer = new RedisQueue({ url: redis.url, prefix, log, debounceMs: 0, attempts: 3 });
    const queue = new Queue("jobs", { connection: { url: redis.url }, prefix });
    const started = performance.now();
    for (let i = 0; i < JOBS; i++) {
      const installationId = 100 + (i % INSTALLATIONS);
      const job: PrImpactJob = {
        id: `scale-${n}-${i}`,
        delivery: `scale-${n}-${i}`,
        installationId,
        repo: { owner: `org${installationId}`, repo: "shop" },
        actor: "dev",
        kind: "pr-impact",
        pullNumber: 1000 + i,
        headSha: "a".repeat(40),
        draft: false,
        trigger: "opened",
        coalesceKey: `pr-impact:org${installationId}/shop#${1000 + i}`,
      };
      await producer.enqueue(job);
    }
    await waitFor(
      async () => {
        const c = await queue.getJobCounts("completed", "failed");
        return (c.completed ?? 0) + (c.failed ?? 0) >= JOBS ? c : undefined;
      },
      "the workload",
      600_000,
    );
    const seconds = (performance.now() - started) / 1000;
    const failed = (await queue.getJobCounts("failed")).failed ?? 0;
    if (failed)
      throw new Error(
        `${failed} jobs failed with ${n} workers; GitHub answered 404 to: ${[...new Set(github.requests.filter((r) => r.status === 404).map((r) => `${r.method} ${r.path}`))].slice(0, 10).join(", ")}`,
      );
    rows.push({ workers: n, seconds, perSecond: JOBS / seconds });
    for (const w of workers) w.killGroup("SIGKILL");
    await queue.close();
    await producer.close();
  }
} finally {
  redis.proc.killGroup("SIGKILL");
  await github.close();
  await db.drop();
}

console.log(
  `bench:scale — ${JOBS} PR-impact jobs over ${INSTALLATIONS} installations, GitHub answering in ${GITHUB_LATENCY_MS} ms, ${PER_WORKER} jobs at once per worker, audit chain in PostgreSQL`,
);
console.log(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      " / ",
    )} (1/5/15 min) at the end: on a shared machine more processes also win a larger share of the CPU, so the ratio can exceed the worker count`,
);
console.log("| workers | seconds | jobs/s | vs 1 worker |");
console.log("| ---: | ---: | ---: | ---: |");
for (const r of rows)
  console.log(`| ${r.workers} | ${r.seconds.toFixed(1)} | ${r.perSecond.toFixed(2)} | ${(r.perSecond / rows[0]!.perSecond).toFixed(2)}× |`);
process.exit(0);
