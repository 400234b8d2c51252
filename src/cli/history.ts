import { existsSync } from "node:fs";
import { loadLocalRepoConfig } from "../config/local-repo-config.js";
import { HOUR } from "../history/follow-ups.js";
import { revertedChanges, riskiestFiles } from "../history/file-risk.js";
import { gitChangeRecord } from "../history/git-history.js";
import type { ChangeRecord } from "../history/types.js";
import { redact } from "../security/redact.js";
import type { Cli } from "./output.js";

export type HistoryOptions = { repo: string; json?: boolean; config?: string; maxCommits?: number; windowHours?: number; top?: number };

export type HistoryReport = {
  repo: string;
  commits: number;
  reverts: number;
  fixes: number;
  linkedFixes: number;
  elapsedMs: number;
  riskiest: ReturnType<typeof riskiestFiles>;
  reverted: Array<{ change: string; title: string; revert: string; afterHours: number }>;
};

/** The change record of a local clone, summarised: the riskiest files and the changes followed by reverts. */
export async function historyReport(options: HistoryOptions): Promise<HistoryReport> {
  const started = Date.now();
  if (!existsSync(options.repo)) throw new Error(`--repo ${options.repo}: no such directory`);
  const { config } = await loadLocalRepoConfig(options.config, options.repo);
  const changes: ChangeRecord[] = await gitChangeRecord(options.repo, { config, maxCommits: options.maxCommits });
  const windowMs = (options.windowHours ?? 72) * HOUR;
  return {
    repo: options.repo,
    commits: changes.length,
    reverts: changes.filter((c) => c.revertOf).length,
    fixes: changes.filter((c) => c.fix).length,
    linkedFixes: changes.filter((c) => c.fixes?.length).length,
    elapsedMs: Date.now() - started,
    riskiest: riskiestFiles(changes, { limit: options.top ?? 15 }),
    reverted: revertedChanges(changes, windowMs)
      .slice(0, options.top ?? 15)
      .map(({ change, revert }) => ({
        change: change.id,
        title: change.title,
        revert: revert.ref,
        afterHours: Math.round(((revert.at - change.at) / HOUR) * 10) / 10,
      })),
  };
}

/** `insight history --repo <path> [--json] [--max-commits N] [--window-hours H] [--top N]`. */
export async function history(options: HistoryOptions, cli: Cli): Promise<number> {
  let report: HistoryReport;
  try {
    report = await historyReport({ ...options, repo: cli.path(options.repo), config: options.config && cli.path(options.config) });
  } catch (e) {
    cli.err(`insight history: ${(e as Error).message}`);
    return 1;
  }
  if (options.json) {
    cli.out(redact(JSON.stringify(report, null, 2)));
    return 0;
  }
  const lines = [
    `Change record of ${report.repo}: ${report.commits} changes read in ${(report.elapsedMs / 1000).toFixed(1)} s; ${report.reverts} reverts, ${report.fixes} fixes by message (${report.linkedFixes} linked to the changes whose lines they touched).`,
    "",
    "Riskiest files (share of their changes a later fix or revert pointed back at, shrunk toward the repository's rate):",
    ...(report.riskiest.length
      ? report.riskiest.map(
          (f) => `  ${(f.prior * 100).toFixed(0).padStart(3)}%  ${f.file}  (${f.induced} of ${f.touches} changes; e.g. ${f.by.join(", ")})`,
        )
      : ["  none: no fix or revert points back at a file changed 3 times or more"]),
    "",
    `Changes followed by a revert within ${options.windowHours ?? 72} h:`,
    ...(report.reverted.length
      ? report.reverted.map((r) => `  ${r.change}  ${r.title.slice(0, 70)}  → reverted by ${r.revert} after ${r.afterHours} h`)
      : ["  none"]),
  ];
  cli.out(redact(lines.join("\n")));
  return 0;
}
