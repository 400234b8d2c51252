import { classifyFailure, isFailed, mineFailureLog, prFilesInFailure, type CheckRunSummary } from "../../analysis/ci-failure.js";
import { findStickyComment } from "../../github/sticky-comment.js";
import type { Octokit, RepoRef } from "../../core/github.js";
import { IMPACT_CHECK_NAME } from "../../core/identifiers.js";
import { ciSectionOf, renderCiSection, withCiSection, type CiCheckAnalysis } from "../../render/ci-failure.js";
import type { JobContext, JobProcessor } from "../run-job.js";

const MAX_CHECKS = 5;
/** The tail of a log that is read (errors are at the end), and where reading stops when the size is unknown. */
const KEEP_BYTES = 5 * 1024 * 1024;
const READ_BYTES = 20 * 1024 * 1024;
const LOG_TIMEOUT_MS = 30_000;

type Run = {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  completed_at: string | null;
  html_url?: string | null;
  app?: { slug?: string } | null;
  output?: { title?: string | null; summary?: string | null; text?: string | null };
};
const summary = (r: Run): CheckRunSummary => ({
  id: r.id,
  name: r.name,
  status: r.status,
  conclusion: r.conclusion,
  completedAt: r.completed_at,
});

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

/** The failed job's log: GitHub Actions' log (followed through its redirect, the tail kept), else the check's own output. */
async function failureText(
  octokit: Octokit,
  repo: RepoRef,
  run: Run,
): Promise<{ text: string; from: "actions" | "output" | "none"; note?: string }> {
  if (run.app?.slug === "github-actions") {
    try {
      // Logs can be large and come from another host: bounded in time and size like every outside call.
      const log = await actionsLog(octokit, repo, run.id, AbortSignal.timeout(LOG_TIMEOUT_MS));
      return { ...log, from: "actions" };
    } catch (err) {
      const status = (err as { status?: number }).status;
      const timedOut = /abort|timeout/i.test(`${(err as Error).name} ${(err as Error).message}`);
      if (status !== 404 && status !== 410 && status !== 403 && !timedOut) throw err;
      // Expired, not readable or too slow: fall back to the output text, and say so.
      const why = timedOut ? `did not download within ${LOG_TIMEOUT_MS / 1000} s` : `could not be read (HTTP ${status})`;
      return {
        text: [run.output?.title, run.output?.summary, run.output?.text].filter(Boolean).join("\n"),
        from: "output",
        note: `The job's log ${why}; the check's output text was used.`,
      };
    }
  }
  const text = [run.output?.title, run.output?.summary, run.output?.text].filter(Boolean).join("\n");
  return { text, from: text ? "output" : "none" };
}

/**
 * CI failure analysis on a pull request: for each failed check on the commit (not Insight's own),
 * its errors mined from the job log, whether it is new, pre-existing on the base branch or flaky,
 * and the PR's files the failure names — as a section of the PR's Insight comment, replaced on
 * each run, never a new comment.
 */
export const ciFailureProcessor: JobProcessor<"ci-failure"> = async (job, ctx) => {
  const { octokit } = ctx;
  const runs = (await octokit.paginate(octokit.rest.checks.listForRef, {
    ...job.repo,
    ref: job.headSha,
    filter: "all",
    per_page: 100,
  })) as unknown as Run[];
  const others = runs.filter((r) => r.name !== IMPACT_CHECK_NAME);
  const byName = new Map<string, Run[]>();
  for (const r of others) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const latest = (rs: Run[]) => [...rs].sort((a, b) => String(b.completed_at).localeCompare(String(a.completed_at)))[0]!;
  const failed = [...byName.values()]
    .map(latest)
    .filter((r) => r.status === "completed" && isFailed(r.conclusion))
    .slice(0, MAX_CHECKS);
  const recovered = [...byName.entries()]
    .filter(([, rs]) => rs.some((r) => isFailed(r.conclusion)) && latest(rs).conclusion === "success")
    .map(([n]) => n);
  for (const pullNumber of job.pullNumbers) {
    const { data: pr } = await octokit.rest.pulls.get({ ...job.repo, pull_number: pullNumber });
    if (pr.head.sha !== job.headSha) {
      ctx.log.info({ pr: pullNumber, head: pr.head.sha }, "The PR moved past this commit: not analysed");
      continue;
    }
    const prFiles = (await octokit.paginate(octokit.rest.pulls.listFiles, { ...job.repo, pull_number: pullNumber, per_page: 100 })).map(
      (f) => f.filename,
    );
    const checks: CiCheckAnalysis[] = [];
    for (const run of failed) {
      const { data: base } = await octokit.rest.checks.listForRef({
        ...job.repo,
        ref: pr.base.ref,
        check_name: run.name,
        filter: "latest",
        per_page: 5,
      });
      const verdict = classifyFailure({
        sameCommit: (byName.get(run.name) ?? []).map(summary),
        onBase: (base.check_runs as unknown as Run[]).map(summary),
      });
      const text = await failureText(octokit, job.repo, run);
      const mining = text.text ? mineFailureLog(text.text) : undefined;
      checks.push({
        name: run.name,
        url: run.html_url ?? undefined,
        ...verdict,
        mining,
        logsFrom: text.from,
        files: mining ? prFilesInFailure(mining.paths, prFiles) : [],
        note: text.note,
      });
    }
    await publishSection(
      ctx,
      job.repo,
      pullNumber,
      job.headSha,
      checks.length || recovered.length ? renderCiSection({ sha: job.headSha, checks, passing: recovered }) : undefined,
    );
  }
};

/** Puts the section into the PR's Insight comment (creating the comment when there is none yet). */
async function publishSection(ctx: JobContext, repo: RepoRef, pullNumber: number, sha: string, section: string | undefined): Promise<void> {
  const existing = await findStickyComment(ctx.octokit, repo, pullNumber, "impact");
  if (!existing) {
    if (section)
      await ctx.writer.upsertSticky({
        repo,
        issueNumber: pullNumber,
        key: "impact",
        body: section,
        reason: "CI failure analysis",
        existing: null,
      });
    return;
  }
  const current = ciSectionOf(existing.body);
  if (!section && current?.sha !== sha) return;
  const body = withCiSection(existing.body, section);
  if (body === existing.body) return;
  await ctx.writer.updateComment(repo, existing.id, body, "CI failure analysis");
}
