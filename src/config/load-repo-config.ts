import { ConfigError, formatIssues } from "./format-issues.js";
import { repoConfigSchema, DEFAULT_REPO_CONFIG, type RepoConfig } from "./repo-config.js";

export const REPO_CONFIG_PATH = ".github/insight.yml";

/** The slice of ProbotOctokit that reads config (the @probot/octokit-plugin-config plugin). */
export type ConfigReader = {
  config: {
    get(options: { owner: string; repo: string; path: string }): Promise<{
      config: Record<string, unknown>;
      files: Array<{ url: string; config: Record<string, unknown> | null }>;
    }>;
  };
};

export type RepoConfigResult =
  | { status: "ok"; config: RepoConfig; source: "file" | "default"; files: string[] }
  | { status: "invalid"; error: ConfigError; files: string[] };

/**
 * Reads `.github/insight.yml` from the default branch (with the org `.github` repository as
 * fallback and `_extends`), validates it, and returns either the config or every problem found.
 * A file that cannot be parsed is a problem to report, never a crash.
 */
export async function loadRepoConfig(octokit: ConfigReader, repo: { owner: string; repo: string }): Promise<RepoConfigResult> {
  let raw: Record<string, unknown>;
  let files: string[] = [];
  try {
    const result = await octokit.config.get({ ...repo, path: REPO_CONFIG_PATH });
    files = result.files.filter((f) => f.config !== null).map((f) => f.url);
    if (files.length === 0) return { status: "ok", config: DEFAULT_REPO_CONFIG, source: "default", files };
    raw = result.config;
  } catch (err) {
    const status = (err as { status?: number }).status;
    // Only a file that is there but unreadable is the user's to fix; anything else is ours.
    if (status !== undefined && status !== 404) throw err;
    const message = (err as Error).message.replace(/^\[@probot\/octokit-plugin-config\]\s*/, "");
    return { status: "invalid", error: new ConfigError(REPO_CONFIG_PATH, [`(file) → ${message}`]), files };
  }
  return parseRepoConfig(raw, files);
}

/** Validates an already-parsed config object. */
export function parseRepoConfig(raw: unknown, files: string[] = []): RepoConfigResult {
  const body = raw && typeof raw === "object" ? { ...(raw as Record<string, unknown>) } : raw;
  if (body && typeof body === "object") delete (body as Record<string, unknown>)._extends;
  const parsed = repoConfigSchema.safeParse(body ?? {});
  if (!parsed.success) {
    return { status: "invalid", error: new ConfigError(REPO_CONFIG_PATH, formatIssues(parsed.error)), files };
  }
  return { status: "ok", config: parsed.data, source: "file", files };
}
