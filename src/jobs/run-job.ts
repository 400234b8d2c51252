import { randomBytes } from "node:crypto";
import type { Logger } from "probot";
import type { AuditLog } from "../audit/types.js";
import type { OperatorEnv } from "../config/env.js";
import { loadRepoConfig } from "../config/load-repo-config.js";
import type { McpServersConfig } from "../config/mcp-servers.js";
import type { RepoConfig } from "../config/repo-config.js";
import { fullName, type Octokit } from "../core/github.js";
import { GitHubWriter } from "../github/writer.js";
import { renderConfigError } from "../render/config-error.js";
import { redact } from "../security/redact.js";
import type { CommandJob, Job, JobKind, JobOf, JobRunner } from "./types.js";
import { REPLY_MARKER } from "../core/identifiers.js";

/** What a processor gets: an authenticated client, the one writer, the repo's validated config. */
export type JobContext = {
  octokit: Octokit;
  writer: GitHubWriter;
  log: Logger;
  config: RepoConfig;
  /** `default`: the repository has no `.github/insight.yml` (its services may be inferred from its layout). */
  configSource?: "file" | "default";
  env: OperatorEnv;
  mcpServers: McpServersConfig;
};

/** Runs one job. The runner ignores what it resolves to; a command that runs a processor first may use it (the PR impact processor returns the PR it read). */
export type JobProcessor<K extends JobKind = JobKind> = (job: JobOf<K>, ctx: JobContext) => Promise<unknown>;
export type ProcessorRegistry = { [K in JobKind]?: JobProcessor<K> };

export type JobServices = {
  env: OperatorEnv;
  audit: AuditLog;
  mcpServers: McpServersConfig;
  processors: ProcessorRegistry;
  auth: (installationId: number) => Promise<Octokit>;
  log: Logger;
};

/** The issue or PR a job can answer on, for reporting a bad config. */
function threadOf(job: Job): number | undefined {
  switch (job.kind) {
    case "pr-impact":
    case "pr-merged":
    case "fix-push":
      return job.pullNumber;
    case "rca":
    case "command":
      return job.issueNumber;
    case "ci-failure":
      return job.pullNumbers[0];
    case "health":
      return undefined; // a scan has no thread: `/insight health` runs in the command job, which has one
  }
}

/**
 * Turns a queued job into work: authenticate as the installation, build the writer, read and
 * validate `.github/insight.yml`, then hand over to the processor registered for the job's kind.
 * An invalid config is reported once on the thread (a sticky comment, edited in place) instead.
 */
export function createJobRunner(services: JobServices): JobRunner {
  return async (job, attempt) => {
    const log = services.log.child({ delivery: job.delivery, job: job.kind, repo: fullName(job.repo) });
    const processor = services.processors[job.kind] as JobProcessor | undefined;
    if (!processor) {
      log.info({ kind: job.kind }, "No processor registered for this job kind");
      return;
    }
    const octokit = await services.auth(job.installationId);
    const writer = new GitHubWriter({
      octokit,
      audit: services.audit,
      log,
      delivery: job.delivery,
      actor: job.actor,
      dryRun: services.env.INSIGHT_DRY_RUN,
    });
    if (job.kind === "command" && job.limited) return refuseOverLimit(job, writer);
    const loaded = await loadRepoConfig(octokit, job.repo);
    if (loaded.status === "invalid") {
      log.warn({ problems: loaded.error.problems }, "Repository config is invalid");
      const thread = threadOf(job);
      if (thread !== undefined) {
        await writer.upsertSticky({
          repo: job.repo,
          issueNumber: thread,
          key: "config-error",
          body: renderConfigError(loaded.error.problems, loaded.files),
          reason: "repository config is invalid",
        });
      }
      return;
    }
    try {
      await processor(job, {
        octokit,
        writer,
        log,
        config: loaded.config,
        configSource: loaded.source,
        env: services.env,
        mcpServers: services.mcpServers,
      });
    } catch (err) {
      // A queue that runs the job again (retry, rate-limit pause) answers only after the last run.
      if (!attempt?.willRetry(err)) await reportFailure(job, err, { writer, log, audit: services.audit });
      throw err;
    }
  };
}

/**
 * A job that throws still answers: a reply on its thread with an error reference, and the error
 * logged and audited under that reference. The reply names nothing of the error itself (no
 * message, no stack: either may carry a secret or an internal address).
 */
async function reportFailure(job: Job, err: unknown, o: { writer: GitHubWriter; log: Logger; audit: AuditLog }): Promise<void> {
  const errorRef = `E-${randomBytes(5).toString("hex")}`;
  const e = err as Error;
  o.log.error(
    { errorRef, err: { type: e?.name, message: redact(String(e?.message ?? err)), stack: redact(String(e?.stack ?? "")) } },
    "Job failed",
  );
  await o.audit.append({
    actor: job.actor,
    delivery: job.delivery,
    action: "job.failed",
    target: `${fullName(job.repo)}#${threadOf(job) ?? ""}`,
    reason: "unexpected error",
    outcome: "error",
    detail: { errorRef, kind: job.kind },
  });
  const thread = threadOf(job);
  if (thread === undefined) return;
  const text = `${REPLY_MARKER}\n⚠️ Something went wrong and I could not finish this. Nothing more was changed. The operators of this Insight installation can look it up under error reference \`${errorRef}\`; trying again later may work.`;
  await o.writer
    .createComment(job.repo, thread, text, `job failed (${errorRef})`)
    .catch((replyErr: Error) =>
      o.log.warn({ errorRef, status: (replyErr as { status?: number }).status }, "Could not post the error reference"),
    );
}

/** The one answer to a user over the command rate limit (the queue drops the rest of the flood without one). */
async function refuseOverLimit(job: CommandJob, writer: GitHubWriter): Promise<void> {
  const { limit, windowMs, retryAfterMs } = job.limited!;
  const target = `${fullName(job.repo)}#${job.issueNumber}`;
  await writer.recordDecision({
    action: "command.rate-limit",
    target,
    reason: `more than ${limit} commands in ${windowMs / 1000} s`,
    outcome: "refused",
    detail: { commentId: job.commentId, retryAfterMs },
  });
  const minutes = windowMs % 60_000 === 0 ? `${windowMs / 60_000} minute${windowMs === 60_000 ? "" : "s"}` : `${windowMs / 1000} s`;
  await writer.createComment(
    job.repo,
    job.issueNumber,
    `${REPLY_MARKER}\nSorry @${job.actor}, you have sent more than ${limit} Insight commands in ${minutes} on this installation: this one and the next ones are not run. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`,
    "command rate limit",
  );
}
