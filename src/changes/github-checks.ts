import type { CheckRun, FailureLog } from "../analysis/ci-failure.js";
import type { Octokit, RepoRef } from "../core/github.js";

/** The tail of a log that is read (errors are at the end), and where reading stops when the size is unknown. */
const KEEP_BYTES = 5 * 1024 * 1024;
const READ_BYTES = 20 * 1024 * 1024;
/** A job log that takes longer to download is left unread (the check's output text is used). */
export const LOG_TIMEOUT_MS = 30_000;

type ApiRun = {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  completed_at: string | null;
  html_url?: string | null;
  app?: { slug?: string } | null;
  output?: { title?: string | null; summary?: string | null; text?: string | null };
};

const checkRun = (r: ApiRun): CheckRun => ({
  id: r.id,
  name: r.name,
  status: r.status,
  conclusion: r.conclusion,
  completedAt: r.completed_at,
  url: r.html_url ?? undefined,
  app: r.app?.slug,
  output: r.output,
});

/** Every check run on a commit (all attempts of each check, every app), paginated. */
export async function commitCheckRuns(octokit: Octokit, repo: RepoRef, ref: string): Promise<CheckRun[]> {
  const runs = (await octokit.paginate(octokit.rest.checks.listForRef, {
    ...repo,
    ref,
    filter: "all",
    per_page: 100,
  })) as unknown as ApiRun[];
  return runs.map(checkRun);
}

/** A check's latest runs on a branch (its base, to tell a new failure from a pre-existing one). */
export async function latestRunsOf(octokit: Octokit, repo: RepoRef, ref: string, checkName: string): Promise<CheckRun[]> {
  const { data } = await octokit.rest.checks.listForRef({ ...repo, ref, check_name: checkName, filter: "latest", per_page: 5 });
  return (data.check_runs as unknown as ApiRun[]).map(checkRun);
}

/** Where a pull request stands: open or not, its head commit and the branch it goes into. */
export type PullRefs = { state: string; headSha: string; baseRef: string };

/** Where a pull request stands (`PullRefs`), read from the API. */
export async function pullRequestRefs(octokit: Octokit, repo: RepoRef, pullNumber: number): Promise<PullRefs> {
  const { data: pr } = await octokit.rest.pulls.get({ ...repo, pull_number: pullNumber });
  return { state: pr.state, headSha: pr.head.sha, baseRef: pr.base.ref };
}

/**
 * Reads a body as a stream, keeping its last `keep` bytes, and stops after `limit` bytes
 * (cancelling the stream, which aborts the request). `complete` says whether it reached the end.
 */
export async function readTail(
  body: ReadableStream<Uint8Array> | null,
  keep: number,
  limit: number,
): Promise<{ text: string; read: number; complete: boolean }> {
  if (!body) return { text: "", read: 0, complete: true };
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let read = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      kept += value.length;
      read += value.length;
      while (kept - chunks[0]!.length >= keep) kept -= chunks.shift()!.length;
      if (read >= limit) {
        await reader.cancel("log read cap reached");
        return { text: decode(chunks, keep), read, complete: false };
      }
    }
  } finally {
    reader.releaseLock();
  }
  return { text: decode(chunks, keep), read, complete: true };
}

const decode = (chunks: Uint8Array[], keep: number) => {
  const all = Buffer.concat(chunks);
  return new TextDecoder().decode(all.subarray(Math.max(0, all.length - keep)));
};

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * A GitHub Actions job log, read as a stream and never whole: when its size is known and over the
 * kept tail, the request is aborted and the tail asked with a range request from the storage the
 * API redirected to (a signed URL: no GitHub credential goes there); otherwise it is read until
 * 20 MB, keeping the last 5 MB, and aborted there.
 */
export async function actionsLog(
  octokit: Octokit,
  repo: RepoRef,
  jobId: number,
  signal: AbortSignal,
): Promise<{ text: string; note?: string }> {
  const res = await octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs", {
    ...repo,
    job_id: jobId,
    request: { signal, parseSuccessResponseBody: false },
  });
  const body = res.data as unknown as ReadableStream<Uint8Array> | null;
  const size = Number(res.headers["content-length"]) || undefined;
  const storage = /^https:\/\//.test(res.url) && new URL(res.url).hostname !== "api.github.com" ? res.url : undefined;
  if (size !== undefined && size > KEEP_BYTES && storage) {
    await body?.cancel("only the tail is read");
    const tail = await fetch(storage, { headers: { range: `bytes=${size - KEEP_BYTES}-` }, signal });
    const r = await readTail(tail.body, KEEP_BYTES, tail.status === 206 ? KEEP_BYTES + 64 * 1024 : READ_BYTES);
    if (tail.status === 206) return { text: r.text, note: `The log is ${mb(size)}; its last 5 MB were read.` };
    return {
      text: r.text,
      note: r.complete
        ? `The log is ${mb(size)}; its last 5 MB were read.`
        : `The log is ${mb(size)} and its storage ignored the range request: reading stopped at 20 MB, and the last 5 MB read were used (the end of the log was not seen).`,
    };
  }
  const r = await readTail(body, KEEP_BYTES, READ_BYTES);
  if (!r.complete)
    return {
      text: r.text,
      note: "The log is larger than 20 MB: reading stopped there, and the last 5 MB read were used (the end of the log was not seen).",
    };
  return { text: r.text, ...(r.read > KEEP_BYTES ? { note: `The log is ${mb(r.read)}; its last 5 MB were read.` } : {}) };
}

const outputText = (run: CheckRun) => [run.output?.title, run.output?.summary, run.output?.text].filter(Boolean).join("\n");

/**
 * A failed check's log: GitHub Actions' job log (followed through its redirect, the tail kept,
 * within `timeoutMs`), else the check's own output text. An expired, unreadable or too slow log
 * falls back to the output text, and says so.
 */
export async function failedCheckLog(octokit: Octokit, repo: RepoRef, run: CheckRun, timeoutMs = LOG_TIMEOUT_MS): Promise<FailureLog> {
  if (run.app === "github-actions") {
    try {
      // Logs can be large and come from another host: bounded in time and size like every outside call.
      const log = await actionsLog(octokit, repo, run.id, AbortSignal.timeout(timeoutMs));
      return { ...log, from: "actions" };
    } catch (err) {
      const status = (err as { status?: number }).status;
      const timedOut = /abort|timeout/i.test(`${(err as Error).name} ${(err as Error).message}`);
      if (status !== 404 && status !== 410 && status !== 403 && !timedOut) throw err;
      const why = timedOut ? `did not download within ${timeoutMs / 1000} s` : `could not be read (HTTP ${status})`;
      return { text: outputText(run), from: "output", note: `The job's log ${why}; the check's output text was used.` };
    }
  }
  const text = outputText(run);
  return { text, from: text ? "output" : "none" };
}
