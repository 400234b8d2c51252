import { redactLines } from "../security/redact.js";
import { TemplateMiner, templateText } from "./log-templates.js";

/** A check run as the analysis needs it. */
export type CheckRunSummary = { id: number; name: string; status: string; conclusion: string | null; completedAt?: string | null };

/** A check run as read from GitHub (or made up by the CLI for a local log): what the CI failure pipeline reads. */
export type CheckRun = CheckRunSummary & {
  url?: string;
  /** The app that ran it (`github-actions` has a job log to download). */
  app?: string;
  output?: { title?: string | null; summary?: string | null; text?: string | null };
};

/** A failed check's log text, where it was read from, and what was cut or fell back (said in the report). */
export type FailureLog = { text: string; from: "actions" | "output" | "file" | "none"; note?: string };

export type FailureTemplate = { text: string; count: number; firstLine: number; sample: string };
export type FailureMining = {
  lines: number;
  errorLines: number;
  templates: FailureTemplate[];
  paths: Array<{ path: string; line?: number }>;
};
export type FailureKind = "new" | "pre-existing" | "flaky";

const FAILED = new Set(["failure", "timed_out", "startup_failure"]);
export const isFailed = (c: string | null | undefined) => !!c && FAILED.has(c);

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this strips
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\s?/;
const ERROR =
  /(##\[error\]|\berror\b|\b[A-Z]\w*(?:Error|Exception)\b|\bfail(?:ed|ure|s)?\b|\bexception\b|\bpanic\b|traceback|assertion|\bexpected\b|✕|✖|×|FAIL\b|ERR!)/i;
const NOISE = /^(##\[(group|endgroup)\]|Post job cleanup|Cleaning up orphan processes|\s*$)/;
const PATH =
  /(?:^|[\s("'`=:])((?:[\w.@-]+\/)+[\w.@-]+\.(?:ts|tsx|js|jsx|mjs|cjs|py|rb|go|java|kt|cs|php|rs|scala|c|cc|cpp|h|sql|ya?ml|json|toml))(?::(\d+))?/g;

/** A log line without its runner timestamp, colour codes and `##[error]` decoration. */
export const cleanLine = (line: string) =>
  line
    .replace(ANSI, "")
    .replace(STAMP, "")
    .replace(/^##\[error\]/, "")
    .trimEnd();

/**
 * The errors of a failed job's log: lines that look like errors (and their runner's `##[error]`
 * annotations) mined into Drain-class templates, most frequent first, each with where it first
 * appears; and the source paths the log names (with line numbers where given).
 */
export function mineFailureLog(log: string, limits = { templates: 8, paths: 50 }): FailureMining {
  const raw = log.replace(/\r/g, "").split("\n");
  // Redacted before mining and cutting: the miner masks digits and the samples are cut, and either one first would split a token.
  const lines = redactLines(raw.map(cleanLine));
  const miner = new TemplateMiner();
  const first = new Map<number, { line: number; sample: string }>();
  let errorLines = 0;
  const paths = new Map<string, { path: string; line?: number }>();
  lines.forEach((text, i) => {
    if (NOISE.test(text)) return;
    for (const m of text.matchAll(PATH)) {
      const key = `${m[1]}:${m[2] ?? ""}`;
      if (!paths.has(key) && !m[1]!.startsWith("node_modules/") && !m[1]!.includes("/node_modules/"))
        paths.set(key, { path: m[1]!, ...(m[2] ? { line: Number(m[2]) } : {}) });
    }
    if (!ERROR.test(text) && !raw[i]!.includes("##[error]")) return;
    errorLines++;
    const g = miner.add(text.trim().slice(0, 500));
    if (!first.has(g.id)) first.set(g.id, { line: i + 1, sample: text.trim().slice(0, 300) });
  });
  const templates = miner.groups
    .map((g) => ({ text: templateText(g), count: g.lines.length, firstLine: first.get(g.id)!.line, sample: first.get(g.id)!.sample }))
    .sort((a, b) => b.count - a.count || a.firstLine - b.firstLine)
    .slice(0, limits.templates);
  return { lines: lines.length, errorLines, templates, paths: [...paths.values()].slice(0, limits.paths) };
}

/** The PR's files that the failure names (a path in the log ends with the file's path, or the reverse). */
export function prFilesInFailure(paths: FailureMining["paths"], prFiles: string[]): Array<{ file: string; line?: number }> {
  const out = new Map<string, { file: string; line?: number }>();
  for (const p of paths) {
    const file = prFiles.find((f) => f === p.path || f.endsWith(`/${p.path}`) || p.path.endsWith(`/${f}`));
    if (file && (!out.has(file) || (p.line && !out.get(file)!.line))) out.set(file, { file, ...(p.line ? { line: p.line } : {}) });
  }
  return [...out.values()];
}

/**
 * New, pre-existing or flaky: the same check passing on this commit too (a re-run) is flaky; its
 * latest run on the base branch failing is pre-existing; otherwise this change broke it.
 */
export function classifyFailure(p: { sameCommit: CheckRunSummary[]; onBase: CheckRunSummary[] }): { kind: FailureKind; why: string } {
  const passedHere = p.sameCommit.find((r) => r.conclusion === "success");
  if (passedHere) return { kind: "flaky", why: "the same check passed on this commit too (a re-run)" };
  const base = [...p.onBase]
    .filter((r) => r.status === "completed")
    .sort((a, b) => String(b.completedAt).localeCompare(String(a.completedAt)))[0];
  if (base && isFailed(base.conclusion)) return { kind: "pre-existing", why: "its latest run on the base branch failed as well" };
  if (base)
    return {
      kind: "new",
      why: `its latest run on the base branch ${base.conclusion === "success" ? "passed" : `ended ${base.conclusion}`}`,
    };
  return { kind: "new", why: "no run of it on the base branch to compare with" };
}
