import { fullName } from "../../core/github.js";
import { scanAndPublish, type HealthServices } from "../health-report.js";
import type { JobProcessor } from "../run-job.js";

/**
 * The scheduled health scan of one repository (`scanAndPublish`: the health issue, the health
 * pipeline, the issue edited in place). `/insight health` runs the same scan in its command job
 * and answers where it was asked.
 */
export function createHealthProcessor(s: HealthServices): JobProcessor<"health"> {
  return async (job, ctx) => {
    if (Object.keys(ctx.config.services).length === 0)
      return ctx.log.info({ repo: fullName(job.repo) }, "Health scan: no service configured");
    await scanAndPublish(s, ctx, job);
  };
}
