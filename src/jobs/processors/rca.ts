import type { Services } from "../../pipeline/services.js";
import { runRca } from "../rca-thread.js";
import type { JobProcessor } from "../run-job.js";

/** `issues.opened/labeled` with the incident label. */
export function createRcaProcessor(s: Services): JobProcessor<"rca"> {
  return async (job, ctx) => {
    if (!job.labels.includes(ctx.config.incident.label)) return ctx.log.debug({ labels: job.labels }, "Not the incident label");
    await runRca(s, ctx, { repo: job.repo, issueNumber: job.issueNumber, actor: job.actor, args: {}, rerun: false });
  };
}
