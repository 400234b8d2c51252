import type { JobContext } from "../jobs/run-job.js";
import { untrustedInline } from "../render/untrusted.js";
import type { CommandJob } from "../jobs/types.js";
import { canWrite, getPermission, isCollaborator } from "../github/permissions.js";
import { fullName } from "../github/types.js";
import { renderHelp } from "../render/help.js";
import { COMMANDS, findCommand, type CommandName, type CommandSpec } from "./registry.js";
import type { ParsedCommand } from "./parse-command.js";
import { refuse, reply } from "./reply.js";

/** Associations GitHub vouches for as collaborators; anyone else on a public repository is checked. */
const COLLABORATING = new Set(["OWNER", "COLLABORATOR"]);

export type CommandHandler = (job: CommandJob, command: ParsedCommand, ctx: JobContext) => Promise<void>;
export type CommandHandlers = Partial<Record<CommandName, CommandHandler>>;

/**
 * Processor of `command` jobs: acknowledge with 👀, then make sure the command exists here, is
 * switched on, is used in the right place and the user may run it; otherwise answer politely
 * with what to do instead. Refusals are audit entries too. On a public repository anyone may
 * comment, so a non-collaborator's command is refused first, before any other work.
 */
export function createCommandProcessor(handlers: CommandHandlers) {
  const help: CommandHandler = async (job, _command, ctx) => {
    await reply(job, ctx, renderHelp(available(ctx)));
  };
  const all: CommandHandlers = { help, ...handlers };
  const available = (ctx: JobContext): CommandSpec[] => COMMANDS.filter((c) => all[c.name] && ctx.config.commands[c.name]);

  return async (job: CommandJob, ctx: JobContext): Promise<void> => {
    if (job.publicRepo && !COLLABORATING.has(job.authorAssociation ?? "") && !(await isCollaborator(ctx.octokit, job.repo, job.actor))) {
      const name = "invalid" in job.command ? "invalid" : job.command.name;
      const text = `Thanks for your interest, @${job.actor}! This repository is public, and only collaborators of this repository can run \`/insight\` commands here. A maintainer can run it for you.`;
      return refuse(job, ctx, `command.${name}`, "not a collaborator", text, { association: job.authorAssociation ?? "unknown" });
    }
    await ctx.writer.addReaction(job.repo, { commentId: job.commentId }, "eyes", "acknowledge command");
    if ("invalid" in job.command) {
      return reply(job, ctx, renderHelp(available(ctx), `I could not read that command: ${untrustedInline(job.command.invalid)}.`));
    }
    const command = job.command;
    const spec = findCommand(command.name);
    const handler = spec && all[spec.name];
    if (!spec || !handler) {
      return reply(job, ctx, renderHelp(available(ctx), `\`/insight ${command.name}\` is not a command I know.`));
    }
    if (!ctx.config.commands[spec.name]) {
      return refuse(job, ctx, `command.${spec.name}`, "disabled", `\`/insight ${spec.name}\` is switched off in this repository's \`.github/insight.yml\` (\`commands.${spec.name}\`).`);
    }
    if (spec.where === "issue" && job.isPullRequest) {
      return refuse(job, ctx, `command.${spec.name}`, "wrong-place", `\`/insight ${spec.name}\` works on incident issues, not on pull requests.`);
    }
    if (spec.where === "pull_request" && !job.isPullRequest) {
      return refuse(job, ctx, `command.${spec.name}`, "wrong-place", `\`/insight ${spec.name}\` works on pull requests, not on issues.`);
    }
    if (spec.permission === "write") {
      const permission = await getPermission(ctx.octokit, job.repo, job.actor);
      if (!canWrite(permission)) {
        return refuse(job, ctx, `command.${spec.name}`, "permission", `Sorry @${job.actor}, \`/insight ${spec.name}\` needs write access to this repository (you have \`${permission}\`). Someone with write access can run it.`, { permission });
      }
    }
    ctx.log.info({ command: spec.name, actor: job.actor }, "Running command");
    await handler(job, command, ctx);
  };
}
