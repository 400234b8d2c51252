import { Agent, request } from "node:http";
import { cpus, loadavg } from "node:os";
import { median } from "./stats.js";
import { startStatefulGitHub } from "../test/helpers/fake-github-state.js";
import { appEnv, percentile, prDelivery, scratch, startRedis, startServer, type Proc } from "./queue/processes.js";

/**
 * bench:ack — how long GitHub waits for the webhook's 200: Insight's server (in-process queue,
 * and INSIGHT_QUEUE=redis where it only verifies and enqueues) against a bare Probot app with a
 * no-op handler, all started in this run against the same fake GitHub. Sequential deliveries,
 * then 20 in flight at once. Each delivery is a different PR (no coalescing, no dedupe).
 * Goal: p99 ≤ 1.2× bare Probot.
 */
const SEQUENTIAL = Number(process.env.BENCH_ACK_SEQUENTIAL ?? 200);
const CONCURRENT = Number(process.env.BENCH_ACK_CONCURRENT ?? 400);
const IN_FLIGHT = 20;
const WARMUP = 30;

function post(port: number, d: ReturnType<typeof prDelivery>, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/api/github/webhooks", headers: d.headers, agent }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end(d.body);
  });
}

let pr = 1;
async function measure(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  for (let i = 0; i < WARMUP; i++) await post(port, prDelivery(pr++), agent);
  const sequential: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) sequential.push(await post(port, prDelivery(pr++), agent));
  const concurrent: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < CONCURRENT) concurrent.push(await post(port, prDelivery(pr++), agent));
    }),
  );
  agent.destroy();
  return { sequential, concurrent };
}

const dir = await scratch();
const github = await startStatefulGitHub();
const redis = await startRedis(dir);
const procs: Proc[] = [redis.proc];
const variants: Array<{ name: string; entry: string; env: Record<string, string>; ready?: string }> = [
  { name: "bare Probot (baseline)", entry: "bench/queue/bare-probot.ts", env: {}, ready: "/" },
  { name: "Insight, in-process queue", entry: "src/server.ts", env: { INSIGHT_QUEUE: "memory" } },
  {
    name: "Insight, INSIGHT_QUEUE=redis",
    entry: "src/server.ts",
    env: { INSIGHT_QUEUE: "redis", INSIGHT_REDIS_URL: redis.url, INSIGHT_REDIS_PREFIX: "bench-ack" },
  },
];
const rows: Array<{ name: string; seq: number[]; conc: number[] }> = [];
try {
  for (const v of variants) {
    const { proc, port } = await startServer(v.entry, appEnv(dir, github.host, v.env), v.ready);
    procs.push(proc);
    const r = await measure(port);
    rows.push({ name: v.name, seq: r.sequential, conc: r.concurrent });
    proc.killGroup("SIGKILL");
  }
} finally {
  for (const p of procs) p.killGroup("SIGKILL");
  await github.close();
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const base = rows[0]!;
console.log(
  `bench:ack — webhook acknowledgement (pull_request.opened, signed), ${SEQUENTIAL} sequential and ${CONCURRENT} with ${IN_FLIGHT} in flight, after ${WARMUP} warm-up deliveries`,
);
console.log("| server | sequential median | sequential p99 | 20 concurrent median | 20 concurrent p99 | p99 vs bare (seq / conc) |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  const ratio = (a: number[], b: number[]) => (percentile(a, 99) / percentile(b, 99)).toFixed(2);
  console.log(
    `| ${r.name} | ${fmt(median(r.seq))} | ${fmt(percentile(r.seq, 99))} | ${fmt(median(r.conc))} | ${fmt(percentile(r.conc, 99))} | ${ratio(r.seq, base.seq)}× / ${ratio(r.conc, base.conc)}× |`,
  );
}
console.log(
  `Goal: p99 ≤ 1.2× bare Probot. Machine: ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ")} at the end.`,
);
process.exit(0);
