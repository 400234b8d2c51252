import { execFile } from "node:child_process";
import { basename, resolve } from "node:path";
import { promisify } from "node:util";
import { GIT_TIMEOUT_MS } from "./local-git.js";
import type { Octokit, RepoRef } from "../core/github.js";
import { filesToRead, inferServices, type InferredServices } from "../config/infer-services.js";

const run = promisify(execFile);

/** Bounds: files read for the inference, and the size of each. */
const MAX_READS = 60;
const MAX_BYTES = 256 * 1024;

/** Services inferred from a local clone's tree at `ref` (`git ls-tree`, `git show`; no shell). */
export async function inferLocalServices(repo: string, ref: string): Promise<InferredServices> {
  const git = (args: string[]) =>
    run("git", ["-C", repo, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: GIT_TIMEOUT_MS }).then((r) => r.stdout);
  const paths = (await git(["ls-tree", "-r", "--name-only", "-z", ref])).split("\0").filter(Boolean);
  const texts = new Map<string, string>();
  for (const path of filesToRead(paths).slice(0, MAX_READS)) {
    const text = await git(["show", `${ref}:${path}`]).catch(() => undefined);
    if (text !== undefined && text.length <= MAX_BYTES) texts.set(path, text);
  }
  return inferServices({ paths, read: (p) => texts.get(p), repoName: basename(resolve(repo)) });
}

/**
 * Services inferred from a GitHub repository's tree at `sha`: one recursive tree listing, then the
 * few manifests, compose files and CODEOWNERS the inference reads (bounded in number and size).
 */
export async function inferGitHubServices(octokit: Octokit, repo: RepoRef, sha: string): Promise<InferredServices> {
  const { data } = await octokit.rest.git.getTree({ ...repo, tree_sha: sha, recursive: "true" });
  const blobs = new Map(
    data.tree.filter((e) => e.type === "blob" && e.path && e.sha).map((e) => [e.path!, { sha: e.sha!, size: e.size ?? 0 }]),
  );
  const texts = new Map<string, string>();
  for (const path of filesToRead([...blobs.keys()]).slice(0, MAX_READS)) {
    const blob = blobs.get(path)!;
    if (blob.size > MAX_BYTES) continue;
    const { data: b } = await octokit.rest.git.getBlob({ ...repo, file_sha: blob.sha });
    texts.set(path, Buffer.from(b.content, b.encoding === "base64" ? "base64" : "utf8").toString("utf8"));
  }
  return inferServices({ paths: [...blobs.keys()], read: (p) => texts.get(p), repoName: repo.repo });
}
