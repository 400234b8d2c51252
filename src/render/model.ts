import type { ImpactSubmission, RcaSubmission } from "../llm/grounding.js";
import type { ModelOutcome, ModelRun } from "../llm/service.js";
import { escapeCell } from "./footer.js";
import { untrustedInline } from "./untrusted.js";

const pct = (c: number) => `${Math.round(c * 100)}%`;
/** Evidence ids were checked against the run's evidence (grounding), but are quoted as code all the same. */
const cites = (ids: string[]) =>
  ids
    .slice(0, 4)
    .map((e) => `\`${escapeCell(e.replace(/`/g, ""))}\``)
    .join(" ");

/** One line: model, tokens, estimated cost, steps, tool calls, and what grounding dropped. */
export function modelFooter(run: ModelRun): string {
  const scope = run.scopeRefusals ?? [];
  const dropped = [
    run.droppedClaims ? `${run.droppedClaims} uncited claim${run.droppedClaims === 1 ? "" : "s"} dropped` : "",
    run.droppedCitations ? `${run.droppedCitations} unknown citation${run.droppedCitations === 1 ? "" : "s"} marked` : "",
    run.refusedCalls.length
      ? `${run.refusedCalls.length} call${run.refusedCalls.length === 1 ? "" : "s"} to tools that do not exist refused`
      : "",
    scope.length ? `${scope.length} call${scope.length === 1 ? "" : "s"} outside the incident's scope refused` : "",
  ].filter(Boolean);
  return [
    `model ${run.model}`,
    `${run.usage.input.toLocaleString("en")} in / ${run.usage.output.toLocaleString("en")} out tokens`,
    ...(run.cost !== undefined ? [`≈ $${run.cost.toFixed(run.cost < 0.01 ? 4 : 2)}`] : []),
    `${run.steps} step${run.steps === 1 ? "" : "s"}`,
    `${run.toolCalls} tool call${run.toolCalls === 1 ? "" : "s"}`,
    `evidence pack ${run.packTokens.toLocaleString("en")} tokens${run.cut ? ` (${run.cut} items cut)` : ""}`,
    ...dropped,
  ].join(" · ");
}

/** The model's text as untrusted: one line, no HTML, images, mentions, outside links or imitations of Insight's own sections. */
const safe = (run: ModelRun) => (text: string) => untrustedInline(text, { linkHosts: run.linkHosts ?? [] });

/** The model's section of an RCA thread; on failure, one note that the report is the engine's alone. */
export function renderModelRca(outcome: ModelOutcome<RcaSubmission> | undefined): string[] {
  if (!outcome) return [];
  if (outcome.status === "failed")
    return [`> ℹ️ Model analysis unavailable: ${outcome.reason}. This report is the deterministic analysis.`, ""];
  const v = outcome.value;
  const u = safe(outcome.run);
  return [
    `### 🤖 The model's reading`,
    "",
    `> ${u(v.summary)}`,
    "",
    ...(v.hypotheses.length
      ? [
          "| # | hypothesis (model) | category | confidence | evidence |",
          "| ---: | --- | --- | ---: | --- |",
          ...v.hypotheses.map(
            (h, i) => `| m${i + 1} | ${escapeCell(u(h.title))} | ${h.category} | ${pct(h.confidence)} | ${cites(h.evidence)} |`,
          ),
          "",
        ]
      : ["The model proposed no hypothesis the evidence supports.", ""]),
    ...(v.hypotheses.length
      ? [
          "<details>",
          "<summary>Its reasoning</summary>",
          "",
          ...v.hypotheses.flatMap((h, i) => [`**m${i + 1} — ${u(h.title)}**: ${u(h.reasoning)}`, `- to confirm: ${u(h.confirm)}`, ""]),
          "</details>",
          "",
        ]
      : []),
    ...(v.unknowns.length ? [`**What the evidence cannot tell:** ${v.unknowns.map(u).join("; ")}`, ""] : []),
    `<sub>Hypotheses h1… come from the deterministic engine, m1… from the model; every model claim cites this run's evidence. ${modelFooter(outcome.run)}</sub>`,
    "",
  ];
}

/** The model's notes in a PR comment. */
export function renderModelImpact(outcome: ModelOutcome<ImpactSubmission> | undefined): string[] {
  if (!outcome) return [];
  if (outcome.status === "failed")
    return [`> ℹ️ Model notes unavailable: ${outcome.reason}. The score and reasons above are the deterministic analysis.`, ""];
  const v = outcome.value;
  const u = safe(outcome.run);
  return [
    "### 🤖 Reviewer notes (model)",
    "",
    `> ${u(v.summary)}`,
    "",
    ...v.risks.map((r) => `- ${u(r.risk)} — watch: ${u(r.watch)} (${cites(r.evidence)})`),
    "",
    `<sub>${modelFooter(outcome.run)}</sub>`,
    "",
  ];
}
