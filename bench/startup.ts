import { execFileSync, spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { median } from "./stats.js";
import { startStatefulGitHub } from "../test/helpers/fake-github-state.js";
import { freePort, httpCall, startProcess } from "../test/helpers/spawn-server.js";
import { appEnv, scratch } from "./queue/processes.js";

/**
 * bench:startup — how long an operator waits: from `node` starting to the server answering, for
 * Insight's compiled server (`node bin/server.js` after `npm run build`, ready when GET /health
 * answers 200) against a bare Probot app started the same way (`run()` with one no-op handler,
 * ready at its first HTTP answer), both in this run, with the same credentials and fake GitHub.
 * Also `insight --help` against a bare `node -e ""`. Medians of RUNS starts each.
 * Goals: ready ≤ 1.5× bare Probot; `insight --help` < 0.5 s.
 */
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 7);
const BARE_PROBOT = `import { run } from "probot"; await run((app) => { app.on("pull_request", async () => undefined); });`;

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function timeToReady(
  args: string[],
  env: Record<string, string | undefined>,
  path: string,
  ok: (status: number) => boolean,
): Promise<number> {
  const port = await freePort();
  const started = now();
  const proc = startProcess(process.execPath, args, { cwd: process.cwd(), env: { ...env, PORT: String(port) } });
  try {
    for (;;) {
      const status = await httpCall(port, "GET", path).then(
        (r) => r.status,
        () => 0,
      );
      if (ok(status)) return now() - started;
      if (now() - started > 60_000) throw new Error(`not ready after 60 s:\n${proc.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    proc.killGroup("SIGKILL");
    await proc.exited(5_000);
  }
}

function timeCommand(args: string[]): number {
  const started = now();
  const r = spawnSync(process.execPath, args, { cwd: process.cwd(), env: { PATH: process.env.PATH }, stdio: "ignore" });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}`);
  return now() - started;
}

execFileSync("npm", ["run", "-s", "build"], { stdio: "inherit" });
const dir = await scratch();
const github = await startStatefulGitHub();
const env = appEnv(dir, github.host, { NODE_ENV: "production" });
const bare: number[] = [];
const insight: number[] = [];
const help: number[] = [];
const node: number[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so a change in the machine's load falls on both.
    bare.push(await timeToReady(["--input-type=module", "-e", BARE_PROBOT], env, "/", (s) => s > 0 && s < 500));
    insight.push(await timeToReady(["bin/server.js"], env, "/health", (s) => s === 200));
    node.push(timeCommand(["-e", ""]));
    help.push(timeCommand(["bin/insight.js", "--help"]));
  }
} finally {
  await github.close();
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
console.log(`bench:startup — medians of ${RUNS} starts each, interleaved`);
console.log("| what | median | vs baseline | goal |");
console.log("| --- | ---: | ---: | --- |");
console.log(`| bare Probot, start to first answer (baseline) | ${ms(median(bare))} | 1.00× | |`);
console.log(
  `| Insight server (dist/), start to /health 200 | ${ms(median(insight))} | ${(median(insight) / median(bare)).toFixed(2)}× | ≤ 1.5× |`,
);
console.log(`| bare \`node -e ""\` (baseline) | ${ms(median(node))} | 1.00× | |`);
console.log(`| \`insight --help\` | ${ms(median(help))} | ${(median(help) / median(node)).toFixed(2)}× | < 500 ms |`);
console.log(
  `Machine: ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ")} at the end.`,
);
process.exit(0);
