import type { RepoConfig } from "../config/repo-config.js";

export type CommandName = keyof RepoConfig["commands"];

/** What a slash command is, who may run it and where. */
export type CommandSpec = {
  name: CommandName;
  summary: string;
  usage: string;
  /** Commands that write (branches, PRs, labels beyond a reply) need write permission. */
  needsWrite: boolean;
  where: "issue" | "pull_request" | "any";
};

/** Every slash command, in the order the help text lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  { name: "rca", summary: "Root-cause analysis of an incident over the configured sources", usage: "/insight rca [since=2h] [until=<time>] [service=a,b]", needsWrite: false, where: "issue" },
  { name: "impact", summary: "Blast radius of this pull request from production signals", usage: "/insight impact", needsWrite: false, where: "pull_request" },
  { name: "fix", summary: "Propose a fix branch and a draft PR for the top hypothesis (needs approval)", usage: "/insight fix", needsWrite: true, where: "issue" },
  { name: "approve", summary: "Approve a proposed fix (write access or configured approver; not the requester)", usage: "/insight approve", needsWrite: true, where: "any" },
  { name: "reject", summary: "Reject a proposed fix and close its draft PR", usage: "/insight reject [reason]", needsWrite: true, where: "any" },
  { name: "rollback", summary: "Open a revert PR of a merged fix", usage: "/insight rollback", needsWrite: true, where: "pull_request" },
  { name: "health", summary: "Scan every configured source and update the health report issue", usage: "/insight health", needsWrite: false, where: "any" },
  { name: "postmortem", summary: "Draft a postmortem from the incident's analysis", usage: "/insight postmortem", needsWrite: false, where: "issue" },
  { name: "help", summary: "Show this help", usage: "/insight help", needsWrite: false, where: "any" },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
