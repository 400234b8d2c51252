import { reply } from "../github/reply.js";
import { NOTHING_TO_SCAN, scanAndPublish, type HealthServices } from "../jobs/health-report.js";
import { renderHealthDone } from "../render/health.js";
import type { CommandHandler } from "./run-command.js";

/**
 * `/insight health`: scans now the way the scheduled scan does (`scanAndPublish`) and answers
 * where it was asked (unless that is the health issue itself).
 */
export function healthCommand(s: HealthServices): CommandHandler {
  return async (job, _command, ctx) => {
    if (Object.keys(ctx.config.services).length === 0) return reply(job, ctx, NOTHING_TO_SCAN);
    const { report, published } = await scanAndPublish(s, ctx, job);
    if (published.issue !== job.issueNumber) await reply(job, ctx, renderHealthDone(report.scan, published.fresh.length, published.issue));
  };
}
