/** A `/insight` command as parsed from a comment (commands/parse-command.ts), carried by a command job. */
export type ParsedCommand = {
  /** Lower-cased command name; `help` when the line names none. */
  name: string;
  args: Record<string, string>;
  positional: string[];
  /** 1-based line of the comment the command stood on. */
  line: number;
};
