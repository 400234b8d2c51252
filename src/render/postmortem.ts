/** What the RCA left in its comment's hidden metadata, as the postmortem reads it. */
export type RcaMeta = {
  window: { from: number; to: number };
  issueOpened: number;
  analysedAt: number;
  onset?: { at: number; service?: string; detail: string };
  summary: string;
  severity: string;
  severityRule: string;
  affected: string[];
  timeline: Array<{ at: number; what: string; kind: string }>;
  hypotheses: Array<{
    id: string;
    title: string;
    category: string;
    confidence: number;
    suspect?: string;
    service?: string;
    confirm: string;
  }>;
};

const t = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/:\d{2}\.\d{3}Z$/, "Z")
    .replace("T", " ");
const span = (ms: number) => (ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3_600_000).toFixed(1)} h`);

/** A postmortem draft from the analysis: facts filled in, judgement left to the people who were there. */
export function renderPostmortem(m: RcaMeta, p: { title: string; number: number }): string {
  const top = m.hypotheses[0];
  const detected = m.onset ? m.issueOpened - m.onset.at : undefined;
  return [
    `## 📝 Postmortem draft: ${p.title} (#${p.number})`,
    "<sub>DevOps Insight · drafted from the RCA of this issue; edit freely — the facts below are what the signals showed.</sub>",
    "",
    "### Summary",
    `${m.severity} — ${m.severityRule}. ${m.summary}`,
    "",
    "### Impact",
    `- Services affected: ${m.affected.join(", ") || "none found in the signals"}.`,
    `- Window analysed: ${t(m.window.from)} → ${t(m.window.to)}.`,
    "",
    "### Timeline (UTC)",
    ...m.timeline.map((e) => `- ${t(e.at)} ${e.kind === "change" ? "🔀" : "⚠️"} ${e.what}`),
    `- ${t(m.issueOpened)} 📣 incident issue opened`,
    `- ${t(m.analysedAt)} 🔎 root-cause analysis posted`,
    "",
    "### Root cause",
    top
      ? `${top.title} (${top.category}, ${Math.round(top.confidence * 100)}% at analysis time${top.suspect ? `, change ${top.suspect}` : ""}). Confirmed by: _how it was confirmed_ — the analysis suggested: ${top.confirm}.`
      : "_Not established by the analysis._",
    "",
    "### What went well",
    `- ${detected !== undefined ? `The issue was opened ${span(Math.max(0, detected))} after the first sign (${m.onset!.detail}).` : "_…_"}`,
    `- The analysis was ready ${span(Math.max(0, m.analysedAt - m.issueOpened))} after the issue was opened.`,
    "",
    "### What went badly",
    `- ${detected !== undefined && detected > 15 * 60_000 ? `Detection took ${span(detected)}: no alert fired before people noticed.` : "_…_"}`,
    "",
    "### Action items",
    ...(top ? [`- [ ] Prevent a recurrence of: ${top.title}`] : []),
    ...(detected !== undefined && detected > 15 * 60_000 ? [`- [ ] Alert on the first sign: ${m.onset!.detail}`] : []),
    ...m.hypotheses.slice(1, 3).map((h) => `- [ ] Rule out ${h.id}: ${h.title}`),
    "- [ ] _…_",
  ].join("\n");
}
