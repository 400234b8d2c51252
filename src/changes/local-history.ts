import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ChangeEvent, ChangeTouch } from "../analysis/rca.js";
import { readMigration } from "../analysis/migrations.js";
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
  const { stdout } = await run(
    "git",
    ["-C", repo, "log", "--first-parent", `--since=${since}`, `--until=${until}`, "--format=%x1e%H%x09%ct%x09%s", "--name-only"],
    { maxBuffer: 64 * 1024 * 1024, timeout: GIT_TIMEOUT_MS },
  );
  const changes: ChangeEvent[] = [];
  for (const chunk of stdout.split("\x1e").filter((c) => c.trim())) {
    const [head, ...files] = chunk.trim().split("\n");
    const [sha, at, subject] = head!.split("\t");
    const classified = classifyChanges(
      {
        ref: sha!,
        base: { ref: "", sha: "" },
        head: { ref: "", sha: sha! },
        changedFiles: files.length,
        filesNotListed: 0,
        files: files.filter(Boolean).map((path) => ({ path, status: "modified" as const, additions: 0, deletions: 0 })),
      },
      config,
    );
    // GitHub's merge commits name the PR they land: the change is that PR.
    const pr = /^Merge pull request (#\d+)/.exec(subject ?? "")?.[1];
    const title = pr
      ? (await run("git", ["-C", repo, "log", "-1", "--format=%b", sha!], { timeout: GIT_TIMEOUT_MS })).stdout.split("\n")[0]?.trim() ||
        subject
      : subject;
    const touches = await migrationTouches(
      repo,
      sha!,
      classified.filter((f) => f.kind === "migration").map((f) => f.path),
    );
    changes.push({
      id: pr ?? sha!.slice(0, 7),
      kind: pr ? "pr" : "commit",
      title: title ?? "",
      at: Number(at) * 1000,
      services: [...new Set(classified.flatMap((f) => f.services))],
      files: classified.map((f) => f.path),
      changeKinds: [...new Set(classified.map((f) => f.kind))],
      ...(touches.length ? { touches } : {}),
    });
  }
  return changes.sort((a, b) => a.at - b.at);
}

const MAX_MIGRATIONS = 10;
const MAX_MIGRATION_BYTES = 256 * 1024;

/** What the commit's migrations do (their tables and locking operations), read from the files as committed; bounded in number and size. */
async function migrationTouches(repo: string, sha: string, paths: string[]): Promise<ChangeTouch[]> {
  const out: ChangeTouch[] = [];
  for (const path of paths.slice(0, MAX_MIGRATIONS)) {
    try {
      const { stdout } = await run("git", ["-C", repo, "show", `${sha}:${path}`], {
        maxBuffer: MAX_MIGRATION_BYTES,
        timeout: GIT_TIMEOUT_MS,
      });
      out.push(
        ...readMigration(path, stdout.split("\n")).ops.map((op) => ({
          kind: "migration" as const,
          file: path,
          table: op.table,
          op: op.op,
          locking: op.locking,
          detail: op.detail,
        })),
      );
    } catch {
      // A deleted or oversized file: the change keeps its file list; its migration is judged by path alone.
    }
  }
  return out;
}
