import { reply } from "../github/reply.js";
import { findHealthIssue, healthInput, NOTHING_TO_SCAN, publishHealthReport, type HealthServices } from "../jobs/health-report.js";
import { healthPipeline } from "../pipeline/health.js";
import { renderHealthDone } from "../render/health.js";
import type { CommandHandler } from "./run-command.js";

/**
 * `/insight health`: scans now the way the scheduled scan does — the health issue as the last
 * scan left it, the health pipeline over every configured service, the issue edited in place —
 * and answers where it was asked (unless that is the health issue itself).
 */
export function healthCommand(s: HealthServices): CommandHandler {
  return async (job, _command, ctx) => {
    const started = Date.now();
    if (Object.keys(ctx.config.services).length === 0) return reply(job, ctx, NOTHING_TO_SCAN);
    const existing = await findHealthIssue(ctx.octokit, job.repo);
    const report = await healthPipeline(s, healthInput(s, ctx, job.repo, started));
    const done = await publishHealthReport(s, ctx, job, { report, existing, elapsedMs: Date.now() - started });
    if (done.issue !== job.issueNumber) await reply(job, ctx, renderHealthDone(report.scan, done.fresh.length, done.issue));
  };
}
