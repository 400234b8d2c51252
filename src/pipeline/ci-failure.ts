import { classifyFailure, isFailed, mineFailureLog, prFilesInFailure, type CheckRun, type FailureLog } from "../analysis/ci-failure.js";
import { IMPACT_CHECK_NAME } from "../core/identifiers.js";
import type { CiAnalysis, CiCheckAnalysis } from "../render/ci-failure.js";

/** Failed checks analysed per commit: the rest are left out (the section stays readable, the log reads bounded). */
export const MAX_CHECKS = 5;

export type CiFailureInput = {
  /** The commit the checks ran on. */
  sha: string;
  /** Every check run on the commit, all attempts of each check (Insight's own check is left out here). */
  runs: CheckRun[];
  /** The pull request's file paths, to name those the failure points at. */
  prFiles: string[];
  /** A failed check's latest runs on the base branch, read by the caller; none: nothing to compare with. */
  baseRuns: (checkName: string) => Promise<CheckRun[]>;
  /** A failed check's log text, read by the caller (GitHub Actions, the check's output, a local file). */
  log: (run: CheckRun) => Promise<FailureLog>;
};

/** The checks that failed on a commit (each check's latest attempt), and those that failed once and then passed. */
export function commitFailures(runs: CheckRun[], max = MAX_CHECKS): { failed: CheckRun[]; recovered: string[] } {
  const byName = new Map<string, CheckRun[]>();
  for (const r of runs.filter((x) => x.name !== IMPACT_CHECK_NAME)) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const latest = (rs: CheckRun[]) => [...rs].sort((a, b) => String(b.completedAt).localeCompare(String(a.completedAt)))[0]!;
  const failed = [...byName.values()]
    .map(latest)
    .filter((r) => r.status === "completed" && isFailed(r.conclusion))
    .slice(0, max);
  const recovered = [...byName.entries()]
    .filter(([, rs]) => rs.some((r) => isFailed(r.conclusion)) && latest(rs).conclusion === "success")
    .map(([n]) => n);
  return { failed, recovered };
}

/**
 * CI failure analysis of one commit for one pull request, one step after the other: the checks
 * that failed (not Insight's own), each one's verdict — flaky when the same check passed on this
 * commit too, pre-existing when it fails on the base branch as well, otherwise new — its log
 * mined into error templates, and the PR's files the failure names. The same for the App,
 * `/insight impact` and `insight ci`. No failed and no recovered check: `checks` and `passing`
 * are empty, and there is nothing to say.
 */
export async function ciFailurePipeline(input: CiFailureInput): Promise<CiAnalysis> {
  const { failed, recovered } = commitFailures(input.runs);
  const checks: CiCheckAnalysis[] = [];
  for (const run of failed) {
    const verdict = classifyFailure({
      sameCommit: input.runs.filter((r) => r.name === run.name),
      onBase: await input.baseRuns(run.name),
    });
    const log = await input.log(run);
    const mining = log.text ? mineFailureLog(log.text) : undefined;
    checks.push({
      name: run.name,
      url: run.url,
      ...verdict,
      mining,
      logsFrom: log.from,
      files: mining ? prFilesInFailure(mining.paths, input.prFiles) : [],
      note: log.note,
    });
  }
  return { sha: input.sha, checks, passing: recovered };
}

/** Whether an analysis has anything to say (a failure, or a failure that went away). */
export const ciHasNews = (a: CiAnalysis) => a.checks.length > 0 || (a.passing?.length ?? 0) > 0;
