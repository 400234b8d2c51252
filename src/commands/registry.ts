import type { RepoConfig } from "../config/repo-config.js";

export type CommandName = keyof RepoConfig["commands"];

/** What a slash command is, who may run it and where. */
export type CommandSpec = {
  name: CommandName;
  summary: string;
  usage: string;
  /**
   * `write`: needs write, maintain or admin on the repository (commands that push or change
   * state); `none`: anyone who may comment; `own`: the command checks its own rules (approvals).
   */
  permission: "write" | "none" | "own";
  where: "issue" | "pull_request" | "any";
};

/** Every slash command, in the order the help text lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "rca",
    summary: "Root-cause analysis of an incident over the configured sources",
    usage: "/insight rca [since=2h] [until=<time>] [service=a,b]",
    permission: "none",
    where: "issue",
  },
  {
    name: "impact",
    summary: "Blast radius of this pull request from production signals",
    usage: "/insight impact",
    permission: "none",
    where: "pull_request",
  },
  {
    name: "fix",
    summary: "Propose a fix branch and a draft PR for the top hypothesis (needs approval)",
    usage: "/insight fix [h2]",
    permission: "write",
    where: "issue",
  },
  {
    name: "approve",
    summary: "Approve a proposed fix (write access or configured approver; not the requester)",
    usage: "/insight approve",
    permission: "own",
    where: "any",
  },
  {
    name: "reject",
    summary: "Reject a proposed fix and close its draft PR",
    usage: "/insight reject [reason]",
    permission: "write",
    where: "any",
  },
  { name: "rollback", summary: "Open a revert PR of a merged fix", usage: "/insight rollback", permission: "write", where: "pull_request" },
  {
    name: "health",
    summary: "Scan every configured source and update the health report issue",
    usage: "/insight health",
    permission: "none",
    where: "any",
  },
  {
    name: "postmortem",
    summary: "Draft a postmortem from the incident's analysis",
    usage: "/insight postmortem",
    permission: "none",
    where: "issue",
  },
  { name: "help", summary: "Show this help", usage: "/insight help", permission: "none", where: "any" },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
