import { run } from "probot";
import { createApp, type AppDeps, type InsightApp } from "./app.js";
import type { EvoMapServices } from "./capsule/services.js";
import { describeOutcome } from "./pipeline/merged-fix-capsule.js";
import { startEvoMapLoop } from "./capsule/setup.js";
import type { OperatorEnv } from "./config/env.js";
import { GitHubWriter } from "./github/writer.js";
import { applyDotEnv, credentialState, envWarnings, loadEnv } from "./config/env.js";
import { ConfigError } from "./config/format-issues.js";
import { defaultDeps } from "./default-deps.js";
import { redisQueueFromEnv } from "./jobs/queue-from-env.js";
import { createLogger, createServerLogger } from "./security/logger.js";
import { REPLY_MARKER } from "./core/identifiers.js";

/**
 * `npm start`. Reads `.env` the way Probot does, validates the environment, and starts the app;
 * a missing or bad variable stops start-up with a message naming it. Probot's setup wizard (register
 * the App from app.yml) runs only when asked for: `npm run setup`. SIGTERM drains the queue (running
 * jobs finish, debounced ones run now) before the process exits.
 */
async function main() {
  applyDotEnv();
  // smee.io cannot always be reached; a channel is only created when one is configured.
  process.env.NO_SMEE_SETUP ??= "true";
  if (process.argv.includes("--setup")) return setup();
  const credentials = credentialState(process.env);
  const env = loadEnv(process.env, { requireCredentials: true, hint: credentials === "none" ? SETUP_HINT : undefined });
  const log = createLogger({ level: env.LOG_LEVEL });
  for (const warning of envWarnings(process.env)) log.warn(warning);
  const deps = await defaultDeps(env);
  const redisQueue = await redisQueueFromEnv(env);
  if (redisQueue) {
    // Scale-out: this process verifies and enqueues; `insight worker` processes run jobs and the health schedule.
    deps.makeQueue = redisQueue;
    deps.healthScheduler = undefined;
  }
  const insight = createApp(deps);
  // Probot logs through our logger, so its lines are redacted like ours (an MCP URL's password, a token in an error).
  const server = await run(insight.appFn, { log: await createServerLogger(env.LOG_LEVEL) });
  const evomapLoop = deps.evomap && startEvoMap(deps.evomap, insight, deps, env);
  const health = deps.healthScheduler?.(insight);
  health?.start();
  process.once("SIGTERM", async () => {
    log.info("SIGTERM: stopping the server and draining the queue");
    evomapLoop?.stop();
    health?.stop();
    await server.stop();
    const result = await insight.queue()?.drain(env.INSIGHT_DRAIN_TIMEOUT_MS);
    await deps.pool?.close();
    await (deps.stores ? deps.stores.close() : deps.audit.close());
    process.exit(result && !result.drained ? 1 : 0);
  });
}

const SETUP_HINT = "no GitHub App credentials in the environment or .env: run 'npm run setup' to register the App with Probot's wizard";

/** Probot's registration wizard: only without credentials, since with them Probot would start an empty app. */
async function setup() {
  if (credentialState(process.env) !== "none") {
    throw new ConfigError("environment", [
      "APP_ID / PRIVATE_KEY are already set (environment or .env): the setup wizard registers a new App only without them",
    ]);
  }
  loadEnv(process.env);
  await run(() => {});
}

/** EvoMap's heartbeat and outbox drain; decisions reached later are told on their incident. */
function startEvoMap(evomap: EvoMapServices, insight: InsightApp, deps: AppDeps, env: OperatorEnv) {
  const log = createLogger({ level: env.LOG_LEVEL });
  evomap.publisher.onDecided = async (entry, outcome) => {
    const octokit = await insight.auth(entry.context.installationId);
    const writer = new GitHubWriter({
      octokit,
      audit: deps.audit,
      log,
      delivery: `evomap:${entry.key}`,
      actor: "insight",
      dryRun: env.INSIGHT_DRY_RUN,
    });
    await writer.createComment(
      entry.context.repo,
      entry.context.incident,
      `${REPLY_MARKER}\n${describeOutcome(outcome, evomap.client.hubUrl)}`,
      "EvoMap decided on a queued capsule",
    );
  };
  return startEvoMapLoop(evomap, log);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`DevOps Insight cannot start: ${err.message}\n`);
  } else {
    process.stderr.write(`DevOps Insight cannot start: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
});
