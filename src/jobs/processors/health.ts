import { fullName } from "../../core/github.js";
import { reply } from "../../github/reply.js";
import { healthPipeline } from "../../pipeline/health.js";
import { renderHealthDone } from "../../render/health.js";
import { findHealthIssue, healthInput, NOTHING_TO_SCAN, publishHealthReport, type HealthServices } from "../health-report.js";
import type { JobProcessor } from "../run-job.js";

/**
 * The scheduled health scan of one repository as read → pipeline → render → write: the health
 * issue as the last scan left it, the health pipeline over every configured service, then the
 * issue edited in place (`publishHealthReport`). A job that carries the issue it was asked from
 * is answered there.
 */
export function createHealthProcessor(s: HealthServices): JobProcessor<"health"> {
  return async (job, ctx) => {
    const started = Date.now();
    const to = job.issueNumber ? { repo: job.repo, issueNumber: job.issueNumber, actor: job.actor } : undefined;
    if (Object.keys(ctx.config.services).length === 0) {
      if (to) await reply(to, ctx, NOTHING_TO_SCAN);
      return ctx.log.info({ repo: fullName(job.repo) }, "Health scan: no service configured");
    }
    const existing = await findHealthIssue(ctx.octokit, job.repo);
    const report = await healthPipeline(s, healthInput(s, ctx, job.repo, started));
    const done = await publishHealthReport(s, ctx, job, { report, existing, elapsedMs: Date.now() - started });
    if (to && to.issueNumber !== done.issue) await reply(to, ctx, renderHealthDone(report.scan, done.fresh.length, done.issue));
  };
}
