import type { CommandSpec } from "../commands/registry.js";

/** The help reply: the commands this repository has switched on, with their usage. */
export function renderHelp(commands: readonly CommandSpec[], lead?: string): string {
  const rows = commands.map((c) => `| \`${c.usage}\` | ${c.summary}${c.permission === "write" ? " · needs write access" : ""} |`);
  return [
    ...(lead ? [lead, ""] : []),
    "**DevOps Insight commands** — write them at the start of a comment line.",
    "",
    "| command | what it does |",
    "| --- | --- |",
    ...rows,
  ].join("\n");
}
