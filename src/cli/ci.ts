import { open, readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { CheckRun, FailureLog } from "../analysis/ci-failure.js";
import { diffPaths } from "../changes/local-git.js";
import { ciFailurePipeline } from "../pipeline/ci-failure.js";
import type { CiAnalysis } from "../render/ci-failure.js";
import { renderCiSection } from "../render/ci-failure.js";
import { redact } from "../security/redact.js";
import type { Cli } from "./output.js";

/** As for a GitHub Actions log: the tail is where the errors are, and no more than this is read. */
const KEEP_BYTES = 5 * 1024 * 1024;

export type CiOptions = {
  /** The failed job's log file. */
  log: string;
  /** The change's files, to name those the failure points at: a list, or a unified diff to read them from. */
  files?: string[];
  diff?: string;
  /** The check's name (default: the log file's name). */
  name?: string;
  /** How the same check last ended on the base branch, when known: tells a new failure from a pre-existing one. */
  baseResult?: string;
  json?: boolean;
};

/** The last `keep` bytes of a file, read from its end (a multi-gigabyte log is never read whole). */
async function logTail(path: string, keep: number): Promise<FailureLog> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const length = Math.min(size, keep);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    const text = new TextDecoder().decode(buffer);
    return {
      text,
      from: "file",
      ...(size > keep ? { note: `The log is ${(size / 1024 / 1024).toFixed(1)} MB; its last 5 MB were read.` } : {}),
    };
  } finally {
    await file.close();
  }
}

/**
 * The CI failure pipeline on a local log: the log as the failed check's, the files given (or read
 * from a diff) as the change's, and the base branch's result when told. No GitHub.
 */
export async function runLocalCi(options: CiOptions): Promise<{ analysis: CiAnalysis; text: string } | { error: string }> {
  if (options.files && options.diff) return { error: "give either --files or --diff, not both" };
  if (options.baseResult && !["success", "failure"].includes(options.baseResult))
    return { error: `--base-result must be success or failure, not "${options.baseResult}"` };
  const name = options.name ?? basename(options.log);
  const read = async <T>(flag: string, path: string, f: () => Promise<T>): Promise<T | { error: string }> =>
    f().catch((e: Error) => ({ error: `cannot read ${flag} ${path}: ${e.message.split("\n")[0]}` }));
  const diff = options.diff ? await read("--diff", options.diff, () => readFile(options.diff!, "utf8")) : undefined;
  if (typeof diff === "object") return diff;
  const prFiles =
    diff !== undefined
      ? diffPaths(diff)
      : (options.files ?? [])
          .flatMap((f) => f.split(","))
          .map((f) => f.trim())
          .filter(Boolean);
  const log = await read("--log", options.log, () => logTail(options.log, KEEP_BYTES));
  if ("error" in log) return log;
  const run: CheckRun = { id: 1, name, status: "completed", conclusion: "failure", completedAt: null };
  const analysis = await ciFailurePipeline({
    sha: "local",
    runs: [run],
    prFiles,
    baseRuns: async () =>
      options.baseResult ? [{ id: 0, name, status: "completed", conclusion: options.baseResult, completedAt: null }] : [],
    log: async () => log,
  });
  const text = redact(options.json ? JSON.stringify(analysis, null, 2) : renderCiSection(analysis, { local: basename(options.log) }));
  return { analysis, text };
}

/** `insight ci --log <file> [--files a,b | --diff <file>]`: what the PR's CI section would say about this log. */
export async function ci(options: CiOptions, cli: Cli): Promise<number> {
  const result = await runLocalCi({
    ...options,
    log: cli.path(options.log),
    diff: options.diff && cli.path(options.diff),
  });
  if ("error" in result) {
    cli.err(`insight ci: ${result.error}`);
    return 2;
  }
  cli.out(result.text.trimEnd());
  return 0;
}
