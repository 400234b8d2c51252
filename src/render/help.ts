/** What the help shows of a command (commands/registry.ts lists them). */
export type HelpEntry = { usage: string; summary: string; permission: string };

/** The help reply: the commands this repository has switched on, with their usage. */
export function renderHelp(commands: readonly HelpEntry[], lead?: string): string {
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
