import type { ApplicationFunction, Logger, Probot } from "probot";
import type { AuditLog } from "./audit/types.js";
import type { EvoMapServices } from "./capsule/services.js";
import type { HealthScheduler } from "./jobs/health-schedule.js";
import { createCommandProcessor, type CommandHandlers } from "./commands/run-command.js";
import type { OperatorEnv } from "./config/env.js";
import type { McpServersConfig } from "./config/mcp-servers.js";
import type { Octokit } from "./core/github.js";
import { onCheckFailed, onCheckRunRerun } from "./handlers/checks.js";
import { onIssueComment } from "./handlers/issue-comment.js";
import { onIssueClosed, onIssueLabelled } from "./handlers/issues.js";
import { onPullRequestChanged, onPullRequestClosed } from "./handlers/pull-request.js";
import { createHealthHandler } from "./http/health.js";
import { metrics } from "./http/metrics.js";
import { dedupeQueue } from "./jobs/dedupe.js";
import { InProcessQueue } from "./jobs/in-process-queue.js";
import { createJobRunner, type ProcessorRegistry } from "./jobs/run-job.js";
import type { JobQueue, JobRunner } from "./jobs/types.js";
import type { McpPool } from "./signals/mcp-pool.js";
import type { SharedStores } from "./store/open-stores.js";

/** Everything the app needs from outside; tests pass fakes or in-memory versions. */
export type AppDeps = {
  env: OperatorEnv;
  audit: AuditLog;
  /** The shared stores `audit` came from (PostgreSQL or files), closed on shutdown; absent in tests that pass an audit log alone. */
  stores?: SharedStores;
  mcpServers: McpServersConfig;
  /** The MCP client pool, closed on shutdown. */
  pool?: McpPool;
  /** EvoMap's client and publisher, when the operator enabled it. */
  evomap?: EvoMapServices;
  /** The scheduled health scans, when the operator set an interval; built once the app is loaded. */
  healthScheduler?: (app: InsightApp) => HealthScheduler;
  /** Processors of analysis jobs by kind (`command` is built here from `commands`). */
  processors: Omit<ProcessorRegistry, "command">;
  /** Slash command handlers by name (`help` is built in). */
  commands: CommandHandlers;
  /** Builds the queue around the job runner; default: the in-process queue. */
  makeQueue?: (run: JobRunner, log: Logger) => JobQueue;
};

export type InsightApp = {
  /** The Probot application function. */
  appFn: ApplicationFunction;
  /** The queue, once Probot has loaded the app (for drain on shutdown, and tests). */
  queue(): JobQueue | undefined;
  /** An installation's client, once Probot has loaded the app (for work outside webhooks). */
  auth(installationId: number): Promise<Octokit>;
  /** The App's own client (JWT): lists installations. */
  appAuth(): Promise<Octokit>;
};

/** Wires handlers, queue, job runner and the /health and /metrics endpoints. */
export function createApp(deps: AppDeps): InsightApp {
  let queue: JobQueue | undefined;
  let loaded: Probot | undefined;
  const appFn: ApplicationFunction = (app: Probot, options) => {
    loaded = app;
    const run = createRunner(deps, async (installationId) => (await app.auth(installationId)) as Octokit, app.log);
    const inner =
      deps.makeQueue?.(run, app.log) ??
      // Half the slots at most per installation: one busy organisation cannot hold every worker.
      new InProcessQueue({
        run,
        log: app.log,
        concurrency: deps.env.INSIGHT_CONCURRENCY,
        perInstallationConcurrency: Math.max(1, Math.ceil(deps.env.INSIGHT_CONCURRENCY / 2)),
        debounceMs: deps.env.INSIGHT_DEBOUNCE_MS,
      });
    // Redeliveries are dropped across replicas when the dedupe set is shared (PostgreSQL).
    queue = deps.stores ? dedupeQueue(inner, deps.stores.dedupe) : inner;
    const handlerDeps = { queue, appId: deps.env.APP_ID ? Number(deps.env.APP_ID) : undefined };

    app.on(
      ["pull_request.opened", "pull_request.reopened", "pull_request.ready_for_review", "pull_request.synchronize"],
      onPullRequestChanged(handlerDeps),
    );
    app.on("pull_request.closed", onPullRequestClosed(handlerDeps));
    app.on(["issues.opened", "issues.labeled"], onIssueLabelled(handlerDeps));
    app.on("issues.closed", onIssueClosed(handlerDeps));
    app.on("issue_comment.created", onIssueComment(handlerDeps));
    app.on(["check_run.rerequested", "check_run.requested_action"], onCheckRunRerun(handlerDeps));
    app.on(["check_run.completed", "check_suite.completed"], onCheckFailed(handlerDeps));

    metrics.watch({ queue: () => queue, audit: deps.audit });
    options?.addHandler?.(createHealthHandler(() => queue, deps.audit));
  };
  return {
    appFn,
    queue: () => queue,
    auth: async (installationId) => {
      if (!loaded) throw new Error("the app is not loaded yet");
      return (await loaded.auth(installationId)) as Octokit;
    },
    appAuth: async () => {
      if (!loaded) throw new Error("the app is not loaded yet");
      return (await loaded.auth()) as Octokit;
    },
  };
}

/** The timed job runner over the app's processors and commands (the server's queue, or an `insight worker`). */
export function createRunner(
  deps: Pick<AppDeps, "env" | "audit" | "mcpServers" | "processors" | "commands">,
  auth: (installationId: number) => Promise<Octokit>,
  log: Logger,
): JobRunner {
  return metrics.timeJobs(
    createJobRunner({
      env: deps.env,
      audit: deps.audit,
      mcpServers: deps.mcpServers,
      processors: { ...deps.processors, command: createCommandProcessor(deps.commands) },
      auth: async (installationId) => watchRateLimit(installationId, await auth(installationId)),
      log,
    }),
  );
}

/** Every response of the installation's client reports its rate-limit headroom to /metrics. */
function watchRateLimit(installationId: number, octokit: Octokit): Octokit {
  octokit.hook.after("request", (response) => metrics.observeRateLimit(installationId, response.headers as Record<string, unknown>));
  return octokit;
}
