import type { Octokit } from "../core/github.js";
import { parseBoundedYaml, YAML_LIMITS } from "./bounded-yaml.js";
import { ConfigError, formatIssues } from "./format-issues.js";
import { repoConfigSchema, DEFAULT_REPO_CONFIG, type RepoConfig } from "./repo-config.js";

export const REPO_CONFIG_PATH = ".github/insight.yml";

/** The slice of the client that reads config: the contents API. */
export type ConfigReader = Pick<Octokit, "request">;

export type RepoConfigResult =
  | { status: "ok"; config: RepoConfig; source: "file" | "default"; files: string[] }
  | { status: "invalid"; error: ConfigError; files: string[] };

type Parsed = { ok: true; value: unknown } | { ok: false; problem: string; transient?: boolean };

/**
 * Parsed files by git blob sha: the same file is parsed once, however many jobs read it (a
 * refusal too, so a redelivered hostile file costs nothing). Bounded, oldest out first.
 */
export class RepoConfigCache {
  hits = 0;
  misses = 0;
  readonly #entries = new Map<string, Parsed>();
  constructor(readonly capacity = 1_000) {}

  async get(sha: string, parse: () => Promise<Parsed>): Promise<Parsed> {
    const cached = this.#entries.get(sha);
    if (cached) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const parsed = await parse();
    if (!parsed.ok && parsed.transient) return parsed; // a deadline missed under load: try again next time
    this.#entries.set(sha, parsed);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return parsed;
  }
}

export const defaultConfigCache = new RepoConfigCache();

/** How far `_extends` is followed. */
const MAX_EXTENDS = 3;
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;
type Where = { owner: string; repo: string; path: string };

class FileProblem extends Error {}

/** One file through the contents API (JSON form: its blob sha and size come before any parsing). */
async function readFile(
  octokit: ConfigReader,
  where: Where,
  cache: RepoConfigCache,
): Promise<{ url: string; config: Record<string, unknown> } | undefined> {
  const route = "GET /repos/{owner}/{repo}/contents/{path}";
  const url = octokit.request.endpoint(route, where).url;
  let data: unknown;
  try {
    ({ data } = await octokit.request(route, where));
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
  const file = data as { type?: string; sha?: string; size?: number; encoding?: string; content?: string };
  if (Array.isArray(data) || file.type !== "file" || typeof file.sha !== "string")
    throw new FileProblem(`${url} exists, but is not a file`);
  if ((file.size ?? 0) > YAML_LIMITS.bytes)
    throw new FileProblem(
      `the file is ${Math.ceil(file.size! / 1024).toLocaleString("en")} KB; the limit is ${YAML_LIMITS.bytes / 1024} KB`,
    );
  const parsed = await cache.get(file.sha, async () => {
    if (file.encoding !== "base64" || typeof file.content !== "string")
      return { ok: false, problem: `the contents API did not return the file's text (encoding ${file.encoding})` };
    return parseBoundedYaml(Buffer.from(file.content, "base64").toString("utf8"));
  });
  if (!parsed.ok) throw new FileProblem(parsed.problem);
  const value = parsed.value ?? {};
  if (typeof value !== "object" || Array.isArray(value)) throw new FileProblem("the file is not a mapping of settings");
  return { url, config: structuredClone(value) as Record<string, unknown> };
}

/**
 * Reads `.github/insight.yml` from the default branch (with the org `.github` repository as
 * fallback and `_extends`, as Probot's config plugin does), validates it, and returns either the
 * config or every problem found. Each file is size-capped and parsed off the event loop within a
 * budget, once per blob sha. A file that cannot be used is a problem to report, never a crash.
 */
export async function loadRepoConfig(
  octokit: ConfigReader,
  repo: { owner: string; repo: string },
  cache: RepoConfigCache = defaultConfigCache,
): Promise<RepoConfigResult> {
  const files: string[] = [];
  const configs: Array<Record<string, unknown>> = [];
  try {
    let where: Where | undefined = { ...repo, path: REPO_CONFIG_PATH };
    let file = await readFile(octokit, where, cache);
    if (!file && repo.repo !== ".github")
      file = await readFile(octokit, (where = { owner: repo.owner, repo: ".github", path: REPO_CONFIG_PATH }), cache);
    if (!file) return { status: "ok", config: DEFAULT_REPO_CONFIG, source: "default", files };
    for (let depth = 0; file; depth++) {
      files.push(file.url);
      configs.push(file.config);
      const ext = file.config._extends;
      if (ext === undefined) break;
      if (depth >= MAX_EXTENDS) throw new FileProblem(`_extends goes deeper than ${MAX_EXTENDS} files`);
      const m = typeof ext === "string" ? EXTENDS.exec(ext) : null;
      if (!m) throw new FileProblem(`invalid _extends ${JSON.stringify(ext).slice(0, 100)} (repo or owner/repo[:path.yml])`);
      where = { owner: m[1] ?? where.owner, repo: m[2]!, path: m[3] ?? REPO_CONFIG_PATH };
      file = await readFile(octokit, where, cache);
    }
  } catch (err) {
    // Only a file that is there but unusable is the user's to fix; anything else is ours.
    if (!(err instanceof FileProblem)) throw err;
    return { status: "invalid", error: new ConfigError(REPO_CONFIG_PATH, [`(file) → ${err.message}`]), files };
  }
  return parseRepoConfig(Object.assign({}, ...configs.reverse()), files);
}

const MAX_PROBLEMS = 20;
const clipProblem = (p: string) => (p.length > 300 ? `${p.slice(0, 300)}…` : p);

/** Validates an already-parsed config object. At most 20 problems are listed, each cut at 300 characters. */
export function parseRepoConfig(raw: unknown, files: string[] = []): RepoConfigResult {
  const body = raw && typeof raw === "object" ? { ...(raw as Record<string, unknown>) } : raw;
  if (body && typeof body === "object") delete (body as Record<string, unknown>)._extends;
  const parsed = repoConfigSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const problems = formatIssues(parsed.error);
    const shown = problems.slice(0, MAX_PROBLEMS).map(clipProblem);
    if (problems.length > MAX_PROBLEMS) shown.push(`(more) → ${problems.length - MAX_PROBLEMS} more problems not listed`);
    return { status: "invalid", error: new ConfigError(REPO_CONFIG_PATH, shown), files };
  }
  return { status: "ok", config: parsed.data, source: "file", files };
}
