import { createServer, type Server } from "node:http";
import { createProbot } from "probot";
import { createRunner } from "../app.js";
import { loadEnv } from "../config/env.js";
import { ConfigError } from "../config/format-issues.js";
import { defaultDeps } from "../default-deps.js";
import type { Octokit, RepoRef } from "../core/github.js";
import { createHealthHandler } from "../http/health.js";
import { metrics } from "../http/metrics.js";
import { RedisQueue } from "../jobs/bullmq-queue.js";
import { RedisWorker } from "../jobs/bullmq-worker.js";
import { HealthJobs } from "../jobs/health-jobs.js";
import { createServerLogger } from "../security/logger.js";
import { parseDuration } from "../util/duration.js";
import type { Cli } from "./output.js";

/**
 * `insight worker`: runs jobs from the BullMQ queue (INSIGHT_QUEUE=redis) that the webhook
 * server fills. Same configuration as the server (.env, PostgreSQL shared state when
 * INSIGHT_DATABASE_URL is set). `--port` serves /health and /metrics for this worker. SIGTERM
 * stops taking jobs and waits for running ones; a killed worker's jobs are taken over by others.
 */
export async function worker(options: { port?: number; concurrency?: number }, cli: Cli): Promise<number> {
  const env = loadEnv(cli.env, { requireCredentials: true });
  if (env.INSIGHT_QUEUE !== "redis" || !env.INSIGHT_REDIS_URL) {
    throw new ConfigError("environment", [
      "INSIGHT_QUEUE → must be redis for 'insight worker' (with INSIGHT_REDIS_URL): with the in-process queue the server runs jobs itself",
    ]);
  }
  const log = await createServerLogger(env.LOG_LEVEL, cli.env);
  const deps = await defaultDeps(env);
  const probot = createProbot({ overrides: { log } });
  const auth = async (installationId: number) => (await probot.auth(installationId)) as Octokit;
  const run = createRunner(deps, auth, log);
  const redis = { url: env.INSIGHT_REDIS_URL, prefix: env.INSIGHT_REDIS_PREFIX };
  // Scheduled health scans enqueue through the same producer as the webhook server.
  const producer = new RedisQueue({ ...redis, log, debounceMs: env.INSIGHT_DEBOUNCE_MS, attempts: env.INSIGHT_JOB_ATTEMPTS });
  const intervalMs = env.INSIGHT_HEALTH_INTERVAL ? parseDuration(env.INSIGHT_HEALTH_INTERVAL) : undefined;
  const health = intervalMs
    ? new HealthJobs({
        queue: producer.queue,
        jobs: producer,
        intervalMs,
        jitter: env.INSIGHT_HEALTH_JITTER,
        targets: (only) => installationTargets(probot, auth, only),
        log,
      })
    : undefined;
  const consumer = new RedisWorker({
    ...redis,
    log,
    run,
    concurrency: options.concurrency ?? env.INSIGHT_CONCURRENCY,
    perInstallation: env.INSIGHT_INSTALLATION_CONCURRENCY,
    lockMs: env.INSIGHT_JOB_LOCK_MS,
    attempts: env.INSIGHT_JOB_ATTEMPTS,
    onScheduled: (name, data) => health?.run(name, data) ?? Promise.resolve(),
  });
  await health?.start();
  metrics.watch({ queue: () => producer, audit: deps.audit });
  const server = options.port !== undefined ? await serve(options.port, cli.env.HOST, producer, deps.audit) : undefined;
  const stopped = consumer.run();
  log.info(
    {
      concurrency: options.concurrency ?? env.INSIGHT_CONCURRENCY,
      perInstallation: env.INSIGHT_INSTALLATION_CONCURRENCY,
      pid: process.pid,
    },
    "Insight worker is taking jobs",
  );
  const stop = new Promise<number>((resolve) => {
    process.once("SIGTERM", async () => {
      log.info("SIGTERM: finishing running jobs");
      const drained = await consumer.close(env.INSIGHT_DRAIN_TIMEOUT_MS);
      server?.close();
      await producer.close();
      await deps.pool?.close();
      await (deps.stores ? deps.stores.close() : deps.audit.close());
      resolve(drained ? 0 : 1);
    });
  });
  await Promise.race([stopped, stop]);
  return stop;
}

function serve(
  port: number,
  host: string | undefined,
  producer: RedisQueue,
  audit: Parameters<typeof createHealthHandler>[1],
): Promise<Server> {
  const handle = createHealthHandler(() => producer, audit);
  const server = createServer((req, res) => {
    void handle(req, res).then((handled) => handled || res.writeHead(404).end());
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

/** The installations (or just `only`) and the repositories each gives this App. */
async function installationTargets(probot: ReturnType<typeof createProbot>, auth: (id: number) => Promise<Octokit>, only?: number[]) {
  const app = (await probot.auth()) as Octokit;
  const ids = only ?? (await app.paginate(app.rest.apps.listInstallations, { per_page: 100 })).map((i) => i.id);
  const out: Array<{ installationId: number; repos: RepoRef[] }> = [];
  for (const id of ids) {
    const client = await auth(id);
    const repos = await client.paginate(client.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    out.push({ installationId: id, repos: repos.map((r) => ({ owner: r.owner.login, repo: r.name })) });
  }
  return out;
}
