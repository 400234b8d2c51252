import type { JobContext } from "../jobs/run-job.js";
import { untrustedInline } from "../render/untrusted.js";
import type { CommandJob } from "../jobs/types.js";
import { canWrite, getPermission, isCollaborator } from "../github/permissions.js";
import { fullName } from "../core/github.js";
import { renderHelp } from "../render/help.js";
import { COMMANDS, findCommand, type CommandName, type CommandSpec } from "./registry.js";
import type { ParsedCommand } from "./parse-command.js";
import { RateLimiter } from "../jobs/fairness.js";
import { refuse, reply } from "./reply.js";

/** Associations GitHub vouches for as collaborators; anyone else on a public repository is checked. */
const COLLABORATING = new Set(["OWNER", "COLLABORATOR"]);

export type CommandHandler = (job: CommandJob, command: ParsedCommand, ctx: JobContext) => Promise<void>;
export type CommandHandlers = Partial<Record<CommandName, CommandHandler>>;

export type StrangerReplyLimits = {
  /** Refusal replies one non-collaborator gets per window on one repository (default 1 an hour). */
  perActor: { limit: number; windowMs: number };
  /** Refusal replies to non-collaborators per window on one repository, all accounts together (default 5 an hour). */
  perRepo: { limit: number; windowMs: number };
  now: () => number;
};

const STRANGER_REPLIES: StrangerReplyLimits = {
  perActor: { limit: 1, windowMs: 3_600_000 },
  perRepo: { limit: 5, windowMs: 3_600_000 },
  now: Date.now,
};

/**
 * Processor of `command` jobs: acknowledge with 👀, then make sure the command exists here, is
 * switched on, is used in the right place and the user may run it; otherwise answer politely
 * with what to do instead. Refusals are audit entries too. On a public repository anyone may
 * comment, so a non-collaborator's command is refused first, before any other work.
 */
export function createCommandProcessor(handlers: CommandHandlers, limits: Partial<StrangerReplyLimits> = {}) {
  // Anyone can comment on a public repository: refusals to strangers are answered once, then only
  // audited, so that a flood of accounts cannot make Insight write a comment per attempt.
  const lim = { ...STRANGER_REPLIES, ...limits };
  const perActor = new RateLimiter(lim.perActor.limit, lim.perActor.windowMs);
  const perRepo = new RateLimiter(lim.perRepo.limit, lim.perRepo.windowMs);
  const mayAnswerStranger = (job: CommandJob): boolean => {
    const now = lim.now();
    const repo = fullName(job.repo).toLowerCase();
    return perActor.check(`${repo}:${job.actor.toLowerCase()}`, now).verdict === "ok" && perRepo.check(repo, now).verdict === "ok";
  };
  const help: CommandHandler = async (job, _command, ctx) => {
    await reply(job, ctx, renderHelp(available(ctx)));
  };
  const all: CommandHandlers = { help, ...handlers };
  const available = (ctx: JobContext): CommandSpec[] => COMMANDS.filter((c) => all[c.name] && ctx.config.commands[c.name]);

  return async (job: CommandJob, ctx: JobContext): Promise<void> => {
    if (job.publicRepo && !COLLABORATING.has(job.authorAssociation ?? "") && !(await isCollaborator(ctx.octokit, job.repo, job.actor))) {
      const name = "invalid" in job.command ? "invalid" : job.command.name;
      const text = `Thanks for your interest, @${job.actor}! This repository is public, and only collaborators of this repository can run \`/insight\` commands here. A maintainer can run it for you.`;
      const detail = { association: job.authorAssociation ?? "unknown" };
      return refuse(job, ctx, `command.${name}`, "not a collaborator", text, detail, mayAnswerStranger(job));
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
      return refuse(
        job,
        ctx,
        `command.${spec.name}`,
        "disabled",
        `\`/insight ${spec.name}\` is switched off in this repository's \`.github/insight.yml\` (\`commands.${spec.name}\`).`,
      );
    }
    if (spec.where === "issue" && job.isPullRequest) {
      return refuse(
        job,
        ctx,
        `command.${spec.name}`,
        "wrong-place",
        `\`/insight ${spec.name}\` works on incident issues, not on pull requests.`,
      );
    }
    if (spec.where === "pull_request" && !job.isPullRequest) {
      return refuse(job, ctx, `command.${spec.name}`, "wrong-place", `\`/insight ${spec.name}\` works on pull requests, not on issues.`);
    }
    if (spec.permission === "write") {
      const permission = await getPermission(ctx.octokit, job.repo, job.actor);
      if (!canWrite(permission)) {
        return refuse(
          job,
          ctx,
          `command.${spec.name}`,
          "permission",
          `Sorry @${job.actor}, \`/insight ${spec.name}\` needs write access to this repository (you have \`${permission}\`). Someone with write access can run it.`,
          { permission },
        );
      }
    }
    ctx.log.info({ command: spec.name, actor: job.actor }, "Running command");
    await handler(job, command, ctx);
  };
}
