import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { ConfigError } from "./format-issues.js";
import { parseRepoConfig } from "./load-repo-config.js";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "./repo-config.js";

/**
 * The repo config for the CLI: an explicit file, else `.github/insight.yml` under `root` when it
 * exists, else the defaults. Invalid → ConfigError listing each field.
 */
export async function loadLocalRepoConfig(path: string | undefined, root = "."): Promise<{ config: RepoConfig; file?: string }> {
  const file = path ?? (existsSync(`${root}/.github/insight.yml`) ? `${root}/.github/insight.yml` : undefined);
  if (!file) return { config: DEFAULT_REPO_CONFIG };
  let raw: unknown;
  try {
    raw = parse(await readFile(file, "utf8")) ?? {};
  } catch (err) {
    throw new ConfigError(file, [`(file) → ${(err as Error).message.split("\n")[0]}`]);
  }
  const result = parseRepoConfig(raw, [file]);
  if (result.status === "invalid") throw new ConfigError(file, result.error.problems);
  return { config: result.config, file };
}
