import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ChangeEvent } from "../analysis/rca.js";
import { classifyChanges } from "../analysis/classify-change.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { Window } from "../signals/types.js";
import { GIT_TIMEOUT_MS } from "./local-git.js";

const run = promisify(execFile);

/**
 * Commits on the current branch's first-parent line (merges as they landed) from 6 hours before
 * the window to its end, each classified and mapped to services: the change history of `insight rca`.
 */
export async function localChangeHistory(repo: string, window: Window, config: RepoConfig): Promise<ChangeEvent[]> {
  const since = new Date(window.from - 6 * 3_600_000).toISOString();
  const until = new Date(window.to).toISOString();
  const { stdout } = await run("git", ["-C", repo, "log", "--first-parent", `--since=${since}`, `--until=${until}`, "--format=%x1e%H%x09%ct%x09%s", "--name-only"], { maxBuffer: 64 * 1024 * 1024, timeout: GIT_TIMEOUT_MS });
  return stdout
    .split("\x1e")
    .filter((chunk) => chunk.trim())
    .map((chunk) => {
      const [head, ...files] = chunk.trim().split("\n");
      const [sha, at, subject] = head!.split("\t");
      const classified = classifyChanges({ ref: sha!, base: { ref: "", sha: "" }, head: { ref: "", sha: sha! }, changedFiles: files.length, filesNotListed: 0, files: files.filter(Boolean).map((path) => ({ path, status: "modified" as const, additions: 0, deletions: 0 })) }, config);
      return { id: sha!.slice(0, 7), kind: "commit" as const, title: subject ?? "", at: Number(at) * 1000, services: [...new Set(classified.flatMap((f) => f.services))], files: classified.map((f) => f.path), changeKinds: [...new Set(classified.map((f) => f.kind))] };
    })
    .sort((a, b) => a.at - b.at);
}
