import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Queue } from "bullmq";
import { createHmac } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyAuditDb } from "../../src/store/pg/audit-log.js";
import { APP_ID, privateKey } from "../helpers/app-identity.js";
import { startStatefulGitHub } from "../helpers/fake-github-state.js";
import { freshDatabase } from "../helpers/pg-database.js";
import { freePort, httpCall, startProcess, waitFor } from "../helpers/spawn-server.js";
import { example } from "../helpers/webhooks.js";

const SECRET = "queue-integration-secret";
const PREFIX = "insight-queue-it";
type Proc = ReturnType<typeof startProcess>;

/** A redis-server of this test's own (the shared one on 6379 is never restarted), with an append-only file so a restart keeps the queue. */
function startRedis(port: number, dir: string): Proc {
  return startProcess(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
    { cwd: dir, env: { PATH: process.env.PATH } },
  );
}

/**
 * Scale-out on BullMQ, all real: a redis-server, the webhook server (`src/server.ts`) with
 * INSIGHT_QUEUE=redis, three `insight worker` processes, and a stateful GitHub over node:http.
 * Signed deliveries go to the server, which only enqueues; the workers run the PR-impact jobs.
 */
describe("one server and three workers on BullMQ", () => {
  let dir: string;
  let redisPort: number;
  let redis: Proc;
  let server: Proc;
  let serverPort: number;
  const workers: Proc[] = [];
  let github: Awaited<ReturnType<typeof startStatefulGitHub>>;
  let queue: Queue;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  // The first report comment on PR 7 is stored but its answer held back: its worker is killed waiting.
  let holdPr7 = true;

  const env = (extra: Record<string, string>) => ({
    PATH: process.env.PATH,
    APP_ID: String(APP_ID),
    PRIVATE_KEY_PATH: join(dir, "key.pem"),
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "info",
    INSIGHT_QUEUE: "redis",
    INSIGHT_REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
    INSIGHT_REDIS_PREFIX: PREFIX,
    INSIGHT_DEBOUNCE_MS: "1500",
    INSIGHT_JOB_LOCK_MS: "4000",
    // One audit chain, fix state and dedupe for every process (PostgreSQL, migrated below).
    INSIGHT_DATABASE_URL: db.url,
    INSIGHT_SIGNING_SECRET: "queue-integration-signing-secret-0123456789",
    ...extra,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-queue-"));
    db = await freshDatabase("insight_pgstore_queue_workers", { migrated: true });
    await writeFile(join(dir, "key.pem"), privateKey());
    redisPort = await freePort();
    redis = startRedis(redisPort, dir);
    github = await startStatefulGitHub({
      hold: (method, path) => method === "POST" && path.endsWith("/issues/7/comments") && holdPr7 && !(holdPr7 = false),
    });
    serverPort = await freePort();
    server = startProcess(process.execPath, ["--import", "tsx", "src/server.ts"], {
      cwd: process.cwd(),
      env: env({ PORT: String(serverPort), HOST: "127.0.0.1", INSIGHT_DATA_DIR: join(dir, "server") }),
    });
    for (let i = 0; i < 3; i++) {
      workers.push(
        startProcess(process.execPath, ["bin/insight.js", "worker", "--concurrency", "2"], {
          cwd: process.cwd(),
          env: env({ INSIGHT_DATA_DIR: join(dir, `worker-${i}`), INSIGHT_FROM_SOURCE: "1" }),
        }),
      );
    }
    queue = new Queue("jobs", { connection: { host: "127.0.0.1", port: redisPort, maxRetriesPerRequest: null }, prefix: PREFIX });
    await waitFor(async () => ((await httpCall(serverPort, "GET", "/health")).status === 200 ? true : undefined), "server start", 120_000);
    await waitFor(
      async () => (workers.every((w) => w.output().includes("Insight worker is taking jobs")) ? true : undefined),
      "three workers",
      120_000,
    );
  }, 180_000);

  afterAll(async () => {
    if (process.env.QUEUE_IT_LOGS)
      for (const [i, p] of [server, ...workers].entries()) await writeFile(join(process.env.QUEUE_IT_LOGS, `p${i}.log`), p?.output() ?? "");
    await queue?.close();
    for (const p of [server, ...workers, redis]) p?.killGroup();
    await github?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const sign = (body: string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  let deliveries = 0;
  function prEvent(number: number, action: "opened" | "synchronize", repo = "shop") {
    const payload = example("pull_request", action === "opened" ? "opened" : "synchronize");
    payload.number = number;
    payload.pull_request.number = number;
    payload.pull_request.state = "open";
    payload.pull_request.draft = false;
    payload.repository.name = repo;
    payload.repository.full_name = `acme/${repo}`;
    payload.repository.owner.login = "acme";
    payload.sender.type = "User";
    return { body: JSON.stringify(payload), id: `queue-it-${++deliveries}` };
  }
  const deliver = (e: { body: string; id: string }) =>
    httpCall(serverPort, "POST", "/api/github/webhooks", e.body, {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": e.id,
      "x-hub-signature-256": sign(e.body),
    });
  const commentsOn = (n: number) => github.comments.filter((c) => c.issue === n);
  const idle = () =>
    waitFor(
      async () => {
        const c = await queue.getJobCounts("waiting", "delayed", "active", "prioritized");
        return Object.values(c).every((n) => n === 0) ? true : undefined;
      },
      "the queue to empty",
      120_000,
    );

  it("kill -9 of a worker mid-job: the job completes on another worker with one comment, and the shared audit chain verifies", async () => {
    expect((await deliver(prEvent(7, "opened"))).status).toBe(200);
    await waitFor(async () => (github.held.length === 1 ? true : undefined), "the held comment", 60_000);
    const busy = workers.find((w) => /Job started/.test(w.output()) && w.output().includes("queue-it-1"));
    expect(busy).toBeDefined();
    busy!.killGroup("SIGKILL");
    await busy!.exited();
    // The comment reached GitHub before the kill; the job's lock expires and another worker runs it again.
    await waitFor(
      async () => (((await queue.getJobCounts("completed")).completed ?? 0) >= 1 ? true : undefined),
      "the job to complete elsewhere",
      120_000,
    );
    const rerun = workers.filter((w) => w !== busy).find((w) => w.output().includes("queue-it-1"));
    expect(rerun).toBeDefined();
    expect(commentsOn(7)).toHaveLength(1);
    expect(commentsOn(7)[0]!.body).toContain("insight:sticky:impact");
    // One chain written by four processes, one of them killed mid-job: intact.
    const audit = await verifyAuditDb(db.pool);
    expect(audit).toMatchObject({ ok: true });
    // The run that completed recorded its writes (the killed one's comment reached GitHub before its audit entry: see docs/running.md).
    const writes = await db.pool.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE line LIKE \'%"delivery":"queue-it-1"%\' AND line LIKE \'%"outcome":"ok"%\'',
    );
    expect(writes.rows.map((r) => r.action)).toContain("check_run.create");
    workers.splice(workers.indexOf(busy!), 1);
  }, 240_000);

  it("coalesces pushes to one PR within the debounce window into one run", async () => {
    const before = github.checkRuns.length;
    for (const e of [prEvent(8, "synchronize"), prEvent(8, "synchronize"), prEvent(8, "synchronize")])
      expect((await deliver(e)).status).toBe(200);
    await idle();
    expect(github.checkRuns.length - before).toBe(1);
    expect(commentsOn(8)).toHaveLength(1);
  }, 180_000);

  it("Redis restarted mid-run: deliveries refused while it is down are redelivered, and every PR gets exactly one report", async () => {
    const events = [20, 21, 22, 23, 24, 25].map((n) => prEvent(n, "opened"));
    for (const e of events.slice(0, 3)) expect((await deliver(e)).status).toBe(200);
    redis.killGroup("SIGTERM"); // a clean shutdown: the append-only file keeps the queue
    await redis.exited();
    const refused: typeof events = [];
    for (const e of events.slice(3)) if ((await deliver(e)).status !== 200) refused.push(e);
    redis = startRedis(redisPort, dir);
    await waitFor(
      async () =>
        (await httpCall(serverPort, "GET", "/health")).status === 200 && (await queue.getJobCounts("waiting")) ? true : undefined,
      "redis back",
      60_000,
    );
    // GitHub shows a failed delivery as failed and it is redelivered (by hand or by the App's redelivery job).
    expect(refused).toHaveLength(3);
    for (const e of refused) expect((await deliver(e)).status).toBe(200);
    await idle();
    for (const n of [20, 21, 22, 23, 24, 25]) expect([n, commentsOn(n).length]).toEqual([n, 1]);
    const failed = await queue.getJobCounts("failed");
    expect(failed.failed).toBe(0);
  }, 240_000);

  it("a secondary rate limit pauses that installation's jobs, not the worker", async () => {
    github.rateLimit("acme/slow", 6_000);
    expect((await deliver(prEvent(30, "opened", "slow"))).status).toBe(200);
    const paused = await waitFor(
      async () => (workers.some((w) => w.output().includes("GitHub rate limit: this installation's jobs are paused")) ? true : undefined),
      "the pause",
      60_000,
    );
    expect(paused).toBe(true);
    await idle();
    // It ran again after the pause and posted its one report; no attempt was lost to the pause.
    expect(commentsOn(30)).toHaveLength(1);
    expect((await queue.getJobCounts("failed")).failed).toBe(0);
  }, 180_000);

  it("the server's /metrics shows queue depth by state", async () => {
    const res = await httpCall(serverPort, "GET", "/metrics");
    expect(res.body).toMatch(/insight_queue_jobs\{state="dead-letter"\} 0/);
    expect(res.body).toMatch(/insight_queue_jobs\{state="delayed"\} \d+/);
  });
});
