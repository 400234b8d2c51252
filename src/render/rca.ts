import type { IncidentImpact } from "../analysis/incident-severity.js";
import type { Hypothesis, RcaResult } from "../analysis/rca.js";
import type { SourceSummary } from "../analysis/assess-impact.js";
import type { Lookup } from "../capsule/lookup.js";
import { renderRelated } from "./related.js";
import type { RcaSubmission } from "../llm/grounding.js";
import type { ModelOutcome } from "../llm/service.js";
import { renderModelRca } from "./model.js";
import { escapeCell, sourcesFooter } from "./footer.js";

const time = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/:\d{2}\.\d{3}Z$/, "Z")
    .replace("T", " ");
const pct = (c: number) => `${Math.round(c * 100)}%`;
const SEV_ICON = { SEV1: "🔴", SEV2: "🟠", SEV3: "🟡", SEV4: "⚪" } as const;

/** The status comment while the analysis runs. */
export function renderRcaStatus(p: { window: RcaResult["window"]; windowNote: string; sources: string[] }): string {
  return [
    "## 🔎 Insight is investigating",
    "",
    `Window **${time(p.window.from)} → ${time(p.window.to)}** (${p.windowNote}); sources: ${p.sources.length ? p.sources.map((s) => `\`${s}\``).join(", ") : "none configured"}.`,
    "",
    "<sub>This comment is replaced by the analysis when it is done. Re-run with `/insight rca [since=2h] [until=…] [service=a,b]`.</sub>",
  ].join("\n");
}

/** A chain on one line: root → mechanism → symptoms. */
export const chainLine = (h: Hypothesis) => h.chain.map((l) => l.text).join(" → ");
const cite = (ids: string[]) =>
  ids
    .slice(0, 4)
    .map((e) => `\`${e}\``)
    .join(" ");

/** The answer, in one of three forms that read differently: a cause, anomalous but unexplained, nothing anomalous. */
function answer(r: RcaResult): string[] {
  const top = r.hypotheses[0];
  if (r.verdict === "cause" && top) {
    return [
      `### 🎯 Most likely cause (${pct(top.confidence)})`,
      "",
      `**${chainLine(top)}**`,
      "",
      ...top.chain.map((l) => `- ${l.role}: ${l.text} — ${cite(l.evidence) || "no evidence id"}`),
      "",
    ];
  }
  if (r.verdict === "unexplained") {
    const strong = r.anomalies.filter((a) => a.kind !== "alert" && a.severity >= 0.3).slice(0, 6);
    if (!strong.length)
      return [
        "### ⚠️ No data: no source answered",
        "",
        "Nothing can be called normal or abnormal.",
        "",
        ...r.missing.map((m) => `- ${m}`),
        "",
      ];
    return [
      "### ❓ Anomalous, but not explained by what we can see",
      "",
      ...strong.map((a) => `- ${a.service ? `**${a.service}**: ` : ""}${a.detail} — ${cite(a.evidence)}`),
      "",
      ...(top ? [`Where it shows most: ${top.title} (${pct(top.confidence)}) — that says where, not why.`, ""] : []),
      ...(r.missing.length
        ? ["**What is missing to explain it:**", ...r.missing.map((m) => `- ${m}`), ""]
        : ["Every source answered; the cause may be outside what they watch.", ""]),
    ];
  }
  return [
    "### ✅ Nothing anomalous",
    "",
    "No metric, state, log or event in this window moved from its normal.",
    ...(r.missing.length ? ["", "**Not seen:**", ...r.missing.map((m) => `- ${m}`)] : []),
    "",
  ];
}

/** How the reader runs things: slash commands on GitHub, flags in the CLI. */
export type RcaSyntax = "slash" | "cli";
const wider = (syntax: RcaSyntax) => (syntax === "cli" ? "`insight rca --since 6h`" : "`/insight rca since=6h`");

function nextSteps(r: RcaResult, impact: IncidentImpact, syntax: RcaSyntax): string[] {
  const top = r.hypotheses[0];
  const steps: string[] = [];
  if (r.verdict === "cause" && top) {
    const [first, ...rest] = top.mitigation;
    if (first) steps.push(`**Mitigate now:** ${first}`);
    steps.push(
      ...rest.map((m) =>
        m.startsWith("Pause") ? `**${m.split(" (")[0]}**${m.includes(" (") ? ` (${m.split(" (").slice(1).join(" (")}` : ""}` : m,
      ),
    );
    steps.push(`Confirm ${top.id}: ${top.confirm}.`);
    const fixer =
      syntax === "cli"
        ? `revert ${top.suspect?.id} (on its GitHub incident, \`/insight fix\` proposes it as a draft PR that needs an approval)`
        : `\`/insight fix\` proposes a revert of ${top.suspect?.id} as a draft PR (it needs an approval)`;
    if (top.suspect && top.suspect.kind !== "deployment")
      steps.push(
        `**Then fix the cause:** ${fixer}${top.chain.some((l) => /holding the lock|migration/.test(l.text)) ? "; a migration that ran needs its down step or a corrective migration too" : ""}.`,
      );
  } else if (r.verdict === "unexplained") {
    steps.push(
      r.missing.length
        ? `Fill the gaps first: ${r.missing.join("; ")}.`
        : "Look outside the configured sources (a cloud provider status page, a third-party API).",
    );
    steps.push(`Re-run with a wider window (${wider(syntax)}) once more is visible.`);
  } else {
    steps.push(
      `Nothing to mitigate from what we see: check the report's premise (right service, right window), or re-run with a wider window (${wider(syntax)}).`,
    );
  }
  if (impact.dependents.length) steps.push(`Tell the owners of ${impact.dependents.join(", ")}: they call an affected service.`);
  return steps.map((x, i) => `${i + 1}. ${x}`);
}

/** The RCA thread's result: summary, the answer (cause / unexplained / nothing), timeline, hypotheses, evidence, impact, next steps, sources. */
export function renderRca(
  r: RcaResult,
  p: {
    impact: IncidentImpact;
    windowNote: string;
    sources: SourceSummary[];
    notes: string[];
    elapsedMs: number;
    related?: Lookup;
    model?: ModelOutcome<RcaSubmission>;
    syntax?: RcaSyntax;
    seenBefore?: string[];
  },
): string {
  const { impact } = p;
  const syntax = p.syntax ?? "slash";
  const timeline = r.timeline.slice(0, 24);
  const mermaid = timeline.length
    ? [
        "```mermaid",
        "timeline",
        "  title Incident timeline (UTC)",
        ...timeline.map(
          (t) =>
            `  ${time(t.at).slice(11)} : ${t.kind === "change" ? "🔀 " : "⚠️ "}${t.what
              .replace(/#(\d+)/g, "PR $1")
              .replace(/[:;#]/g, " ")
              .slice(0, 80)}`,
        ),
        "```",
        "",
      ]
    : [];
  const rows = r.hypotheses.slice(0, 8).map(
    (h, i) =>
      `| ${i + 1} | ${escapeCell(h.title)} | ${h.category} | ${pct(h.confidence)} | ${
        h.evidence
          .slice(0, 3)
          .map((e) => `\`${e}\``)
          .join(" ") || "–"
      } |`,
  );
  const evidence = r.hypotheses
    .slice(0, 5)
    .flatMap((h) => [
      `**${h.id} — ${h.title}** (${pct(h.confidence)}, ${h.category})`,
      `- chain: ${chainLine(h)}`,
      ...h.reasons.map((x) => `- ${x}`),
      ...(h.suspect?.url ? [`- change: ${h.suspect.url}`] : []),
      `- to confirm: ${h.confirm}`,
      "",
    ]);
  return [
    `## ${SEV_ICON[impact.severity]} Root-cause analysis: ${impact.severity}, urgency ${impact.urgency}`,
    `<sub>DevOps Insight · window ${time(r.window.from)} → ${time(r.window.to)} (${p.windowNote})</sub>`,
    "",
    `**Summary:** ${r.summary}`,
    "",
    ...answer(r),
    ...mermaid,
    ...(rows.length
      ? ["### Hypotheses", "", "| # | hypothesis | category | confidence | evidence |", "| ---: | --- | --- | ---: | --- |", ...rows, ""]
      : []),
    ...(evidence.length ? ["<details>", "<summary>🧾 Evidence and how to confirm each</summary>", "", ...evidence, "</details>", ""] : []),
    ...renderModelRca(p.model),
    "### Impact",
    "",
    `- **${impact.severity}** — ${impact.rule}.`,
    `- Affected: ${impact.affected.map((s) => `${s}${impact.errorRate[s] !== undefined ? ` (${(impact.errorRate[s]! * 100).toFixed(1)}% errors)` : ""}`).join(", ") || "none found"}.`,
    ...(impact.dependents.length ? [`- Callers that may feel it: ${impact.dependents.join(", ")}.`] : []),
    ...(r.symptoms.length ? [`- Symptoms, not causes: ${r.symptoms.join(", ")} (another service went bad first).`] : []),
    "",
    "### Next steps",
    "",
    ...nextSteps(r, impact, syntax),
    "",
    ...(p.seenBefore ?? []),
    ...renderRelated(p.related),
    ...(p.notes.length
      ? ["<details>", `<summary>⚠️ Not seen (${p.notes.length})</summary>`, "", ...p.notes.map((n) => `- ${n}`), "", "</details>", ""]
      : []),
    "---",
    sourcesFooter(p.sources, p.elapsedMs, [syntax === "cli" ? "re-run with `insight rca --since <span>`" : "re-run with `/insight rca`"]),
  ].join("\n");
}
