import type { FailureKind, FailureMining } from "../analysis/ci-failure.js";
import { escapeCell } from "./footer.js";

export type CiCheckAnalysis = { name: string; url?: string; kind: FailureKind; why: string; mining?: FailureMining; logsFrom: "actions" | "output" | "none"; files: Array<{ file: string; line?: number }>; note?: string };
export type CiAnalysis = { sha: string; checks: CiCheckAnalysis[]; passing?: string[] };

const VERDICT: Record<FailureKind, string> = { new: "🔴 **new** — this change broke it", "pre-existing": "🟡 pre-existing", flaky: "🔁 flaky" };
const START = /<!-- insight:ci:start sha=([0-9a-f]{7,40}) -->[\s\S]*?<!-- insight:ci:end -->\n?/;

/** The CI section of the PR's Insight comment, between markers so it can be replaced or carried over. */
export function renderCiSection(a: CiAnalysis): string {
  const sha = a.sha.slice(0, 7);
  const body = a.checks.length
    ? [
        `### CI failures on \`${sha}\``,
        "",
        "| check | verdict | why |",
        "| --- | --- | --- |",
        ...a.checks.map((c) => `| ${c.url ? `[${escapeCell(c.name)}](${c.url})` : escapeCell(c.name)} | ${VERDICT[c.kind]} | ${escapeCell(c.why)} |`),
        "",
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
    : [`### ✅ CI on \`${sha}\`: the failures are gone${a.passing?.length ? ` (${a.passing.join(", ")} passed on a re-run: flaky)` : ""}`, ""];
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
