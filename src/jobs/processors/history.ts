import type { JobProcessor } from "../run-job.js";
import { indexClosedIncident, indexMergedPull, type HistoryServices } from "../../history/service.js";

/** `issues.closed` (an incident) and merged PRs keep the repository memory current between syncs. */
export function createHistoryProcessor(h: HistoryServices): JobProcessor<"history"> {
  return async (job, ctx) => {
    if (job.event === "issue-closed") {
      const indexed = await indexClosedIncident(h, ctx, job.repo, job.number);
      return ctx.log.info(
        { issue: job.number, indexed },
        indexed ? "Incident added to the history index" : "Closed issue is not an analysed incident",
      );
    }
    await indexMergedPull(h, ctx, job.repo, job.number);
    ctx.log.info({ pr: job.number }, "Merged PR added to the history index");
  };
}
