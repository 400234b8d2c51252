import type { IncidentImpact } from "../analysis/incident-severity.js";
import type { RcaResult } from "../analysis/rca.js";
import type { SourceSummary } from "../analysis/assess-impact.js";
import { renderRelated, type Lookup } from "../capsule/lookup.js";
import type { RcaSubmission } from "../llm/grounding.js";
import type { ModelOutcome } from "../llm/service.js";
import { renderModelRca } from "./model.js";
import { escapeCell, sourcesFooter } from "./footer.js";

const time = (ms: number) => new Date(ms).toISOString().replace(/:\d{2}\.\d{3}Z$/, "Z").replace("T", " ");
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

/** The RCA thread's result: summary, timeline, hypotheses, evidence, impact, next steps, sources. */
export function renderRca(r: RcaResult, p: { impact: IncidentImpact; windowNote: string; sources: SourceSummary[]; notes: string[]; elapsedMs: number; related?: Lookup; model?: ModelOutcome<RcaSubmission> }): string {
  const { impact } = p;
  const timeline = r.timeline.slice(0, 24);
  const mermaid = timeline.length
    ? ["```mermaid", "timeline", "  title Incident timeline (UTC)", ...timeline.map((t) => `  ${time(t.at).slice(11)} : ${t.kind === "change" ? "🔀 " : "⚠️ "}${t.what.replace(/#(\d+)/g, "PR $1").replace(/[:;#]/g, " ").slice(0, 80)}`), "```", ""]
    : [];
  const rows = r.hypotheses.slice(0, 8).map((h, i) => `| ${i + 1} | ${escapeCell(h.title)} | ${h.category} | ${pct(h.confidence)} | ${h.evidence.slice(0, 3).map((e) => `\`${e}\``).join(" ") || "–"} |`);
  const evidence = r.hypotheses.slice(0, 5).flatMap((h) => [
    `**${h.id} — ${h.title}** (${pct(h.confidence)}, ${h.category})`,
    ...h.reasons.map((x) => `- ${x}`),
    ...(h.suspect?.url ? [`- change: ${h.suspect.url}`] : []),
    `- to confirm: ${h.confirm}`,
    "",
  ]);
  const top = r.hypotheses[0];
  const next = [
    ...(top && top.confidence >= 0.35 ? [`1. Confirm ${top.id}: ${top.confirm}.`] : ["1. Nothing stands out: check the sources that did not answer, or re-run with a wider window (`/insight rca since=6h`)."]),
    ...(top?.suspect?.kind === "pr" && top.confidence >= 0.35 ? [`2. If it is confirmed, \`/insight fix\` proposes a revert of ${top.suspect.id} as a draft PR (it needs an approval).`] : []),
    ...(impact.dependents.length ? [`${top?.suspect ? "3" : "2"}. Tell the owners of ${impact.dependents.join(", ")}: they call an affected service.`] : []),
  ];
  return [
    `## ${SEV_ICON[impact.severity]} Root-cause analysis: ${impact.severity}, urgency ${impact.urgency}`,
    `<sub>DevOps Insight · window ${time(r.window.from)} → ${time(r.window.to)} (${p.windowNote})</sub>`,
    "",
    `**Summary:** ${r.summary}`,
    "",
    ...mermaid,
    "### Hypotheses",
    "",
    ...(rows.length ? ["| # | hypothesis | category | confidence | evidence |", "| ---: | --- | --- | ---: | --- |", ...rows] : ["No hypothesis: the signals show nothing abnormal in this window."]),
    "",
    ...(evidence.length ? ["<details>", "<summary>🧾 Evidence and how to confirm each</summary>", "", ...evidence, "</details>", ""] : []),
    ...renderModelRca(p.model),
    "### Impact",
    "",
    `- **${impact.severity}** — ${impact.rule}.`,
    `- Affected: ${impact.affected.map((s) => `${s}${impact.errorRate[s] !== undefined ? ` (${(impact.errorRate[s]! * 100).toFixed(1)}% errors)` : ""}`).join(", ") || "none found"}.`,
    ...(impact.dependents.length ? [`- Callers that may feel it: ${impact.dependents.join(", ")}.`] : []),
    ...(r.symptoms.length ? [`- Symptoms, not causes: ${r.symptoms.join(", ")} (a service they call went bad first).`] : []),
    "",
    "### Next steps",
    "",
    ...next,
    "",
    ...renderRelated(p.related),
    ...(p.notes.length ? ["<details>", `<summary>⚠️ Not seen (${p.notes.length})</summary>`, "", ...p.notes.map((n) => `- ${n}`), "", "</details>", ""] : []),
    "---",
    sourcesFooter(p.sources, p.elapsedMs, ["re-run with `/insight rca`"]),
  ].join("\n");
}
