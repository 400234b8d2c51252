import { fullName } from "../../core/github.js";
import { healthPipeline } from "../../pipeline/health.js";
import { findHealthIssue, healthInput, publishHealthReport, type HealthServices } from "../health-report.js";
import type { JobProcessor } from "../run-job.js";

/**
 * The scheduled health scan of one repository as read → pipeline → render → write: the health
 * issue as the last scan left it, the health pipeline over every configured service, then the
 * issue edited in place (`publishHealthReport`). `/insight health` does the same in its command
 * job and answers where it was asked.
 */
export function createHealthProcessor(s: HealthServices): JobProcessor<"health"> {
  return async (job, ctx) => {
    const started = Date.now();
    if (Object.keys(ctx.config.services).length === 0)
      return ctx.log.info({ repo: fullName(job.repo) }, "Health scan: no service configured");
    const existing = await findHealthIssue(ctx.octokit, job.repo);
    const report = await healthPipeline(s, healthInput(s, ctx, job.repo, started));
    await publishHealthReport(s, ctx, job, { report, existing, elapsedMs: Date.now() - started });
  };
}
