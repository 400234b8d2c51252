import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { ConfigError } from "./format-issues.js";

// Kept apart from env.ts (and zod) so that the CLI can read `.env` before it knows which command runs.

/** Which GitHub App credentials are set: none (only the setup wizard can run), some, or all three. */
export function credentialState(env: Record<string, string | undefined>): "none" | "partial" | "complete" {
  const set = [env.APP_ID, env.PRIVATE_KEY || env.PRIVATE_KEY_PATH, env.WEBHOOK_SECRET].filter((v) => !!v).length;
  return set === 0 ? "none" : set === 3 ? "complete" : "partial";
}

/**
 * Reads `.env` from `cwd` exactly as Probot's `run()` does (node's `parseEnv`, values assigned
 * over the process environment), so what Insight validates is what Probot will use. Returns the
 * file's path when there was one. A syntax Probot would reject is not special-cased: parseEnv is
 * lenient and so is Probot.
 */
export function applyDotEnv(target: Record<string, string | undefined> = process.env, cwd = process.cwd()): string | undefined {
  const path = join(cwd, ".env");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConfigError("environment", [`.env → cannot be read: ${(err as Error).message}`]);
  }
  Object.assign(target, parseEnv(text));
  return path;
}

/** Variables that look like Insight's but are not read by it (a common mistake after an upgrade). */
export function envWarnings(env: Record<string, string | undefined>): string[] {
  const warnings: string[] = [];
  if (env.DATABASE_URL && !env.INSIGHT_DATABASE_URL)
    warnings.push("DATABASE_URL is not read by Insight: shared state uses INSIGHT_DATABASE_URL");
  if (env.REDIS_URL && !env.INSIGHT_REDIS_URL)
    warnings.push("REDIS_URL only shares Probot's rate-limit state: the job queue uses INSIGHT_QUEUE=redis with INSIGHT_REDIS_URL");
  return warnings;
}
