import type { z } from "zod";

/** One line per problem, `field.path → problem`, in the order zod found them. */
export function formatIssues(error: z.ZodError, root = ""): string[] {
  return error.issues.map((issue) => {
    const path = [root, ...issue.path.map(String)].filter(Boolean).join(".");
    return `${path || "(root)"} → ${issue.message}`;
  });
}

/** A configuration that failed validation, carrying each problem as `field.path → problem`. */
export class ConfigError extends Error {
  readonly problems: string[];
  readonly source: string;

  constructor(source: string, problems: string[]) {
    super(`${source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.source = source;
    this.problems = problems;
  }
}
