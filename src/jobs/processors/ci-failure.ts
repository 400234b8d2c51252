import type { CheckRun, FailureLog } from "../../analysis/ci-failure.js";
import { commitCheckRuns, failedCheckLog, latestRunsOf, type PullRefs, pullRequestRefs } from "../../changes/github-checks.js";
import { pullRequestFiles } from "../../changes/github.js";
import type { RepoRef } from "../../core/github.js";
import { findStickyComment } from "../../github/sticky-comment.js";
import { ciFailurePipeline, ciHasNews } from "../../pipeline/ci-failure.js";
import { ciSectionOf, renderCiSection, withCiSection } from "../../render/ci-failure.js";
import type { JobContext, JobProcessor } from "../run-job.js";

/**
 * One pull request's CI section as read → pipeline → render → write: the PR's files and,
 * for each failed check, its base-branch runs and its log (changes/github-checks.ts), the CI
 * failure pipeline, then the section put into the PR's Insight comment. A PR that moved past the
 * commit is left alone. `logs` is shared by the PRs of one commit, so each log is read once.
 */
async function analysePull(
  ctx: JobContext,
  p: {
    repo: RepoRef;
    pullNumber: number;
    pr: { headSha: string; baseRef: string };
    sha: string;
    runs: CheckRun[];
    logs: Map<number, Promise<FailureLog>>;
  },
): Promise<void> {
  const { octokit } = ctx;
  const { pr } = p;
  if (pr.headSha !== p.sha) return ctx.log.info({ pr: p.pullNumber, head: pr.headSha }, "The PR moved past this commit: not analysed");
  const prFiles = (await pullRequestFiles(octokit, p.repo, p.pullNumber)).map((f) => f.path);
  const analysis = await ciFailurePipeline({
    sha: p.sha,
    runs: p.runs,
    prFiles,
    baseRuns: (name) => latestRunsOf(octokit, p.repo, pr.baseRef, name),
    log: (run) => {
      if (!p.logs.has(run.id)) p.logs.set(run.id, failedCheckLog(octokit, p.repo, run));
      return p.logs.get(run.id)!;
    },
  });
  await publishSection(ctx, p.repo, p.pullNumber, p.sha, ciHasNews(analysis) ? renderCiSection(analysis) : undefined);
}

/**
 * CI failure analysis on a pull request: for each failed check on the commit (not Insight's own),
 * its errors mined from the job log, whether it is new, pre-existing on the base branch or flaky,
 * and the PR's files the failure names — as a section of the PR's Insight comment, replaced on
 * each run, never a new comment.
 */
export const ciFailureProcessor: JobProcessor<"ci-failure"> = async (job, ctx) => {
  const runs = await commitCheckRuns(ctx.octokit, job.repo, job.headSha);
  const logs = new Map<number, Promise<FailureLog>>();
  for (const pullNumber of job.pullNumbers) {
    const pr = await pullRequestRefs(ctx.octokit, job.repo, pullNumber);
    await analysePull(ctx, { repo: job.repo, pullNumber, pr, sha: job.headSha, runs, logs });
  }
};

/**
 * The CI section of an open pull request at its current head, again (`/insight impact` refreshes it
 * with the blast radius). `read`: the PR as the caller already read it, so it is not read twice.
 */
export async function refreshCiSection(ctx: JobContext, repo: RepoRef, pullNumber: number, read?: PullRefs): Promise<void> {
  const pr = read ?? (await pullRequestRefs(ctx.octokit, repo, pullNumber));
  if (pr.state !== "open") return ctx.log.info({ pr: pullNumber }, "Pull request is closed: CI not analysed");
  const runs = await commitCheckRuns(ctx.octokit, repo, pr.headSha);
  await analysePull(ctx, { repo, pullNumber, pr, sha: pr.headSha, runs, logs: new Map() });
}

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
