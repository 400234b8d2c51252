import type { FailureKind, FailureLog, FailureMining } from "../analysis/ci-failure.js";
import { escapeCell } from "./footer.js";

export type CiCheckAnalysis = {
  name: string;
  url?: string;
  kind: FailureKind;
  why: string;
  mining?: FailureMining;
  logsFrom: FailureLog["from"];
  files: Array<{ file: string; line?: number }>;
  note?: string;
};
export type CiAnalysis = { sha: string; checks: CiCheckAnalysis[]; passing?: string[] };

const VERDICT: Record<FailureKind, string> = {
  new: "🔴 **new** — this change broke it",
  "pre-existing": "🟡 pre-existing",
  flaky: "🔁 flaky",
};
const START = /<!-- insight:ci:start sha=([0-9a-f]{7,40}) -->[\s\S]*?<!-- insight:ci:end -->\n?/;

/** An error line that names the error (`ReferenceError: …`, `error TS2304: …`, `panic:`) beats one that only says something failed. */
const NAMED = /\b[A-Z]\w*(Error|Exception)\b:?|\bpanic:|\berror(\[\w+\]| TS\d+)?:/;
const SUMMARY = /^(FAIL\b|npm (ERR!|error)|Process completed with exit code|Tests?:|Error: Process completed)/;

/** The most useful sentence of a failure: its first error line, with the file and line it points at. */
export function firstError(c: CiCheckAnalysis): { text: string; where?: string } | undefined {
  const t = [...(c.mining?.templates ?? [])].sort((a, b) => a.firstLine - b.firstLine);
  const pick = t.find((x) => NAMED.test(x.sample) && !SUMMARY.test(x.sample)) ?? t.find((x) => !SUMMARY.test(x.sample)) ?? t[0];
  if (!pick) return undefined;
  const own = c.files.find((f) => f.line) ?? c.files[0];
  const named = c.mining?.paths.find((p) => p.line);
  const where = own ? `${own.file}${own.line ? `:${own.line}` : ""}` : named ? `${named.path}:${named.line}` : undefined;
  return { text: pick.sample.replace(/`/g, "'").slice(0, 200), ...(where ? { where } : {}) };
}

/**
 * The CI section of the PR's Insight comment, between markers so it can be replaced or carried
 * over. With `local` (the CLI on a log file) it names what was read instead of a commit, unmarked.
 */
export function renderCiSection(a: CiAnalysis, opts: { local?: string } = {}): string {
  const sha = a.sha.slice(0, 7);
  const body = a.checks.length
    ? [
        opts.local ? `### CI failure in \`${opts.local}\`` : `### CI failures on \`${sha}\``,
        "",
        "| check | verdict | why |",
        "| --- | --- | --- |",
        ...a.checks.map(
          (c) => `| ${c.url ? `[${escapeCell(c.name)}](${c.url})` : escapeCell(c.name)} | ${VERDICT[c.kind]} | ${escapeCell(c.why)} |`,
        ),
        "",
        ...a.checks.flatMap((c) => {
          const first = firstError(c);
          return first
            ? [`**${escapeCell(c.name)}** first error${first.where ? ` at \`${first.where}\`` : ""}: \`${first.text}\``, ""]
            : [];
        }),
        ...a.checks.flatMap((c) => {
          const t = c.mining?.templates ?? [];
          const files = c.files.map((f) => `\`${f.file}${f.line ? `:${f.line}` : ""}\``);
          return [
            "<details>",
            `<summary>${escapeCell(c.name)}: ${t.length} error template${t.length === 1 ? "" : "s"}${files.length ? `, ${files.length} file${files.length === 1 ? "" : "s"} of this PR named` : ""}</summary>`,
            "",
            ...(files.length ? [`Files of this PR in the failure: ${files.join(", ")}`, ""] : []),
            ...t.map((x) => `- ×${x.count}, first at log line ${x.firstLine}: \`${x.sample.replace(/`/g, "'").slice(0, 200)}\``),
            ...(c.note ? ["", c.note] : []),
            ...(c.logsFrom === "output" ? ["", "<sub>Not GitHub Actions: read from the check run's output text.</sub>"] : []),
            "",
            "</details>",
            "",
          ];
        }),
      ]
    : [
        `### ✅ CI on \`${sha}\`: the failures are gone${a.passing?.length ? ` (${a.passing.join(", ")} passed on a re-run: flaky)` : ""}`,
        "",
      ];
  if (opts.local) return `${body.join("\n").trimEnd()}\n`;
  return `<!-- insight:ci:start sha=${a.sha} -->\n${body.join("\n").trimEnd()}\n<!-- insight:ci:end -->\n`;
}

/** The section a comment carries, and for which commit. */
export function ciSectionOf(body: string | undefined): { sha: string; text: string } | undefined {
  const m = body ? START.exec(body) : null;
  return m ? { sha: m[1]!, text: m[0] } : undefined;
}

/** The comment with its CI section replaced (or added at the end); `undefined` removes it. */
export function withCiSection(body: string, section: string | undefined): string {
  const stripped = body.replace(START, "").trimEnd();
  return section ? `${stripped}\n\n${section}` : `${stripped}\n`;
}
