import { spawn } from "node:child_process";
import type { FileChange } from "../core/change-set.js";
import type { RepoConfig } from "../config/repo-config.js";
import { describeChange, isFixMessage, pullOfSubject, revertTarget } from "./describe-change.js";
import { LineOrigins } from "./line-origins.js";
import type { ChangeRecord } from "./types.js";

export type GitHistoryOptions = { config: RepoConfig; maxCommits?: number; timeoutMs?: number; onProgress?: (done: number) => void };

/** Patches beyond this are not classified (a vendored file, a generated lockfile); their lines are still tracked. */
const MAX_CLASSIFIED_PATCH = 64 * 1024;
const START = "\x1e";
const FIELD = "\x1f";
const END = "\x1d";

/**
 * The change record of a local clone, in one `git log -p -U0` pass over the first-parent line
 * (merges as they landed, oldest first): each change classified, reverts found by their message
 * ("This reverts commit …", `Revert "…"`), fix commits by their message and linked back to the
 * changes whose lines they changed or removed (SZZ, with line origins replayed in memory instead
 * of one `git blame` per fix). Bounded by `maxCommits` and a timeout.
 */
export async function gitChangeRecord(repo: string, options: GitHistoryOptions): Promise<ChangeRecord[]> {
  const maxCommits = options.maxCommits ?? 5000;
  const args = [
    "-C",
    repo,
    "log",
    "--first-parent",
    "--reverse",
    `--max-count=${maxCommits}`,
    "-p",
    "-U0",
    "-M",
    "--no-color",
    "--no-ext-diff",
    "--diff-merges=first-parent",
    `--format=${START}%H${FIELD}%ct${FIELD}%s${FIELD}%b${END}`,
  ];
  const state = new Builder(options);
  await new Promise<void>((resolve, reject) => {
    const child = spawn("git", args, { stdio: ["ignore", "pipe", "pipe"], timeout: options.timeoutMs ?? 120_000, killSignal: "SIGKILL" });
    let buffer = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    // Search only the new chunk for the next commit's start: a large commit arrives in many chunks.
    const pending: string[] = [];
    child.stdout.on("data", (chunk: string) => {
      let from = 0;
      let at = chunk.indexOf(START, buffer || pending.length ? 0 : 1);
      while (at >= 0) {
        pending.push(chunk.slice(from, at));
        const text = (buffer + pending.join("")).slice(1);
        if (text) state.commit(text);
        buffer = "";
        pending.length = 0;
        from = at;
        at = chunk.indexOf(START, at + 1);
      }
      pending.push(chunk.slice(from));
      if (pending.length > 64) buffer += pending.splice(0).join("");
    });
    child.stderr.on("data", (c: Buffer) => void (stderr.length < 4096 && (stderr += c.toString())));
    child.on("error", (e) => reject(new Error(`git could not run: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (signal) return reject(new Error(`git log was stopped after ${(options.timeoutMs ?? 120_000) / 1000} s`));
      if (code !== 0)
        return reject(new Error(`git log failed in ${repo}: ${stderr.split("\n").find((l) => l.startsWith("fatal")) ?? stderr.trim()}`));
      const rest = buffer + pending.join("");
      if (rest.startsWith(START)) state.commit(rest.slice(1));
      resolve();
    });
  });
  return state.changes;
}

class Builder {
  readonly changes: ChangeRecord[] = [];
  readonly #origins = new LineOrigins();
  readonly #bySha = new Map<string, number>();
  readonly #byTitle = new Map<string, number>();
  readonly #ids = new Set<string>();
  constructor(private readonly options: GitHistoryOptions) {}

  commit(text: string): void {
    const end = text.indexOf(END);
    const [sha = "", ct = "0", subject = "", body = ""] = text.slice(0, end).split(FIELD);
    const index = this.changes.length;
    const pr = pullOfSubject(subject);
    const title =
      pr && subject.startsWith("Merge pull request") ? body.split("\n")[0]?.trim() || subject : subject.replace(/\s*\(#\d+\)\s*$/, "");
    const id = pr && !this.#ids.has(pr) ? pr : sha.slice(0, 7);
    this.#ids.add(id);
    const fix = isFixMessage(title);
    const files: FileChange[] = [];
    const touched = new Set<number>();
    for (const diff of text
      .slice(end + 1)
      .split(/^diff --git /m)
      .slice(1)) {
      const file = this.#file(diff, index, fix, touched);
      if (file) files.push(file);
    }
    const revert = revertTarget(title, body);
    const revertOf =
      revert &&
      (revert.sha
        ? this.#find(revert.sha)
        : revert.title !== undefined
          ? this.#byTitle.get(revert.title.replace(/\s*\(#\d+\)\s*$/, ""))
          : undefined);
    const fixes = fix ? [...touched].filter((i) => i !== index && i !== revertOf).map((i) => this.changes[i]!.id) : [];
    this.changes.push({
      id,
      sha,
      title,
      at: Number(ct) * 1000,
      ...describeChange(files, this.options.config),
      ...(revertOf !== undefined ? { revertOf: this.changes[revertOf]!.id } : {}),
      ...(fix ? { fix: true } : {}),
      ...(fixes.length ? { fixes } : {}),
    });
    this.#bySha.set(sha.slice(0, 7), index);
    this.#byTitle.set(title, index);
    if (index % 250 === 0) this.options.onProgress?.(index);
  }

  #find(sha: string): number | undefined {
    return this.#bySha.get(sha.slice(0, 7));
  }

  /** One file of the commit: moves the line origins along and returns the file as a change. */
  #file(diff: string, index: number, fix: boolean, touched: Set<number>): FileChange | undefined {
    const hunkAt = diff.indexOf("\n@@");
    const head = hunkAt < 0 ? diff : diff.slice(0, hunkAt);
    const from = /^rename from (.+)$/m.exec(head)?.[1] ?? /^--- a\/(.+)$/m.exec(head)?.[1];
    const to = /^rename to (.+)$/m.exec(head)?.[1] ?? /^\+\+\+ b\/(.+)$/m.exec(head)?.[1] ?? /^a\/(.+?) b\//.exec(head)?.[1];
    if (!to && !from) return undefined;
    const path = to ?? from!;
    const removed = /^deleted file mode/m.test(head);
    const added = /^new file mode/m.test(head);
    if (from && to && from !== to) this.#origins.rename(from, to);
    const patch = hunkAt < 0 ? undefined : diff.slice(hunkAt + 1);
    let additions = 0;
    let deletions = 0;
    if (removed) this.#origins.remove(path);
    else if (/^Binary files /m.test(head) || !patch) {
      if (!from || from === to) this.#origins.remove(path);
    } else {
      for (const [origin] of this.#origins.apply(path, patch, index)) if (fix) touched.add(origin);
      for (const l of patch.split("\n")) {
        if (l[0] === "+") additions++;
        else if (l[0] === "-") deletions++;
      }
    }
    return {
      path,
      ...(from && to && from !== to ? { previousPath: from } : {}),
      status: removed ? "removed" : added ? "added" : from && to && from !== to ? "renamed" : "modified",
      additions,
      deletions,
      patch: patch && patch.length <= MAX_CLASSIFIED_PATCH ? patch : undefined,
    };
  }
}
