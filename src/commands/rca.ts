import { runRca } from "../jobs/rca-thread.js";
import type { Services } from "../pipeline/services.js";
import type { CommandHandler } from "./run-command.js";

/** `/insight rca [since=2h] [until=…] [service=a,b]`: the incident's analysis again, with the given window and services. */
export function rcaCommand(s: Services): CommandHandler {
  return (job, command, ctx) =>
    runRca(s, ctx, { repo: job.repo, issueNumber: job.issueNumber, actor: job.actor, args: command.args, rerun: true });
}
