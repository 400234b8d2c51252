import { runHealth, type HealthServices } from "../jobs/processors/health.js";
import type { CommandHandler } from "./run-command.js";

/** `/insight health`: scans now and answers where it was asked. */
export function healthCommand(s: HealthServices): CommandHandler {
  return (job, _command, ctx) =>
    runHealth(s, ctx, {
      repo: job.repo,
      installationId: job.installationId,
      trigger: "command",
      issueNumber: job.issueNumber,
      actor: job.actor,
    });
}
