import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ChangeSet, FileChange } from "../core/change-set.js";

const run = promisify(execFile);

/** A git command that runs longer is stopped (a huge repository, a hung filesystem). */
export const GIT_TIMEOUT_MS = 60_000;

async function git(repo: string, args: string[]): Promise<string> {
  const { stdout } = await run("git", ["-C", repo, ...args], { maxBuffer: 256 * 1024 * 1024, timeout: GIT_TIMEOUT_MS });
  return stdout;
}

const REF = /^[A-Za-z0-9._/@^~{}-]{1,200}$/;

/**
 * A change set from a local repository: `base...head` (the merge base, as GitHub compares PRs).
 * Refs are passed to git as arguments, never through a shell, and must look like refs.
 */
export async function localChanges(repo: string, baseRef: string, headRef = "HEAD"): Promise<ChangeSet> {
  for (const ref of [baseRef, headRef]) if (!REF.test(ref) || ref.startsWith("-")) throw new Error(`"${ref}" does not look like a git ref`);
  const [baseSha, headSha] = await Promise.all([
    git(repo, ["rev-parse", "--verify", `${baseRef}^{commit}`]),
    git(repo, ["rev-parse", "--verify", `${headRef}^{commit}`]),
  ]).catch((err: Error) => {
    throw new Error(
      `cannot resolve ${baseRef}...${headRef} in ${repo}: ${err.message.split("\n").find((l) => l.startsWith("fatal")) ?? err.message}`,
    );
  });
  const range = `${baseRef.trim()}...${headRef.trim()}`;
  const numstat = await git(repo, ["diff", "--numstat", "-z", "-M", range]);
  const status = await git(repo, ["diff", "--name-status", "-z", "-M", range]);
  const patches = await git(repo, ["diff", "-M", "--no-color", "--unified=3", range]);
  const files = parse(numstat, status, patches);
  return {
    ref: `local:${repo}`,
    base: { ref: baseRef, sha: baseSha.trim() },
    head: { ref: headRef, sha: headSha.trim() },
    files,
    changedFiles: files.length,
    filesNotListed: 0,
  };
}

function parse(numstat: string, status: string, patches: string): FileChange[] {
  const statuses = new Map<string, { status: FileChange["status"]; previous?: string }>();
  const s = status.split("\0").filter(Boolean);
  for (let i = 0; i < s.length; ) {
    const code = s[i++]!;
    if (code.startsWith("R") || code.startsWith("C")) {
      const from = s[i++]!;
      const to = s[i++]!;
      statuses.set(to, { status: code.startsWith("R") ? "renamed" : "copied", previous: from });
    } else {
      statuses.set(s[i++]!, { status: code === "A" ? "added" : code === "D" ? "removed" : "modified" });
    }
  }
  const byFile = new Map<string, string>();
  for (const chunk of patches.split(/^diff --git /m).slice(1)) {
    const to = /^\+\+\+ b\/(.+)$/m.exec(chunk)?.[1] ?? /^--- a\/(.+)$/m.exec(chunk)?.[1];
    const at = chunk.indexOf("\n@@");
    if (to && at >= 0) byFile.set(to, chunk.slice(at + 1));
  }
  const out: FileChange[] = [];
  const n = numstat.split("\0");
  for (let i = 0; i < n.length; i++) {
    const line = n[i]!;
    if (!line) continue;
    const [add, del, name] = line.split("\t");
    const path = name === "" ? n[(i += 2)]! : name!; // renames: "a\tb\t\0from\0to"
    const st = statuses.get(path) ?? { status: "modified" as const };
    out.push({
      path,
      previousPath: st.previous,
      status: st.status,
      additions: add === "-" ? 0 : Number(add),
      deletions: del === "-" ? 0 : Number(del),
      patch: byFile.get(path),
    });
  }
  return out;
}

/** The paths a unified diff (`git diff`, a `.patch` file) changes: the new path, or the old one for a deletion. */
export function diffPaths(diff: string): string[] {
  const paths = new Set<string>();
  for (const chunk of diff.split(/^diff --git /m)) {
    const to = /^\+\+\+ (?:b\/)?(.+?)\s*$/m.exec(chunk)?.[1];
    const from = /^--- (?:a\/)?(.+?)\s*$/m.exec(chunk)?.[1];
    const path = to && to !== "/dev/null" ? to : from !== "/dev/null" ? from : undefined;
    if (path) paths.add(path);
  }
  return [...paths];
}
