import type { FixPlan, FixState } from "../remediation/types.js";
import { escapeCell } from "./footer.js";

const ACTION = { restore: "restored", delete: "deleted", merge: "merged with later changes" } as const;
const KIND = { revert: "Revert", "config-rollback": "Configuration rollback", rollback: "Rollback" } as const;
const pct = (c: number) => `${Math.round(c * 100)}%`;

/** What the fix does, in one line: used as the PR title and the commit subject. */
export function fixTitle(plan: FixPlan): string {
  const what =
    plan.kind === "rollback"
      ? `Roll back fix #${plan.target.number}`
      : plan.kind === "config-rollback"
        ? `Roll back the configuration of #${plan.target.number}`
        : `Revert #${plan.target.number}`;
  return `${what} "${plan.target.title}" (incident #${plan.incident})`;
}

/** The warning a fix with a high or critical blast radius carries at the top of its PR and in its approval reply. */
export function riskWarning(risk: { level: string; score: number } | undefined, needed: number | undefined): string | undefined {
  if (!risk || (risk.level !== "high" && risk.level !== "critical")) return undefined;
  return `⚠️ **This fix's own blast radius is ${risk.level} (${risk.score}/100)**${(needed ?? 1) > 1 ? `: it needs ${needed} approvals from different people (not the requester)` : ""}. Watch the deploy as closely as the incident.`;
}

/** Step 1 when the cause is a migration: the runbook, by hand, before the revert. */
function runbookSteps(plan: FixPlan): string[] {
  if (!plan.runbook) return [];
  return [
    `**Step 1 — mitigate the cause now (by hand; the migration ${plan.runbook.running ? "is still running" : "has run"}):**`,
    ...plan.runbook.steps.map((s, i) => `${i + 1}. ${s}`),
    "",
    "**Step 2 — revert the code (this pull request):**",
    "",
  ];
}

function planDetails(plan: FixPlan): string[] {
  const rows = plan.files.map((f) => `| \`${escapeCell(f.path)}\` | ${ACTION[f.action]} | +${f.additions} −${f.deletions} |`);
  const risk = plan.risk
    ? [
        `**The fix's own blast radius: ${plan.risk.level} (${plan.risk.score}/100)**`,
        ...plan.risk.factors.slice(0, 6).map((f) => `- +${f.points} ${f.name}: ${f.reason}`),
        ...plan.risk.notAnalysed.slice(0, 3).map((n) => `- not analysed: ${n}`),
        "",
      ]
    : [];
  return [
    ...runbookSteps(plan),
    `${KIND[plan.kind]} of [#${plan.target.number}](${plan.target.url}) "${plan.target.title}", merged ${plan.target.mergedAt} as \`${plan.target.mergeCommit.slice(0, 7)}\`, on top of \`${plan.base.ref}\` at \`${plan.base.sha.slice(0, 7)}\`.`,
    ...(plan.hypothesis
      ? ["", `Acts on ${plan.hypothesis.id}: ${plan.hypothesis.title} (${pct(plan.hypothesis.confidence)}, ${plan.hypothesis.category}).`]
      : []),
    "",
    "| file | change | lines |",
    "| --- | --- | --- |",
    ...rows,
    "",
    ...(plan.skipped.length ? ["**Not reverted**", ...plan.skipped.map((s) => `- \`${s.path}\`: ${s.why}`), ""] : []),
    ...risk,
  ];
}

/** The incident's fix comment: the plan before anything is pushed, then where it went. */
export function renderFixPlan(
  plan: FixPlan,
  p: { status: "planned" | "proposed" | "dry-run"; requester: string; pull?: { number: number; url: string } },
): string {
  const head = {
    planned: "## 🛠️ Fix plan — pushing a draft pull request",
    proposed: `## 🛠️ Fix proposed in ${p.pull?.url ? `[#${p.pull.number}](${p.pull.url})` : `#${p.pull?.number}`} — waiting for approval`,
    "dry-run": "## 🛠️ Fix plan (dry run: nothing was pushed)",
  }[p.status];
  const warning = riskWarning(plan.risk, plan.approvalsNeeded);
  return [
    head,
    "",
    ...(warning ? [`> ${warning}`, ""] : []),
    ...planDetails(plan),
    `Requested by @${p.requester}. Nothing is effective until someone else with write access, or a configured approver, runs \`/insight approve\`; \`/insight reject [reason]\` closes it.`,
  ].join("\n");
}

/** The fix PR's body: the evidence, the plan, a checklist and the approvals so far. */
export function renderFixPull(plan: FixPlan, state: FixState, evidence: { summary?: string; severity?: string }): string {
  const warning = riskWarning(plan.risk, plan.approvalsNeeded);
  return [
    ...(warning ? [`> ${warning}`, ""] : []),
    `Proposed by DevOps Insight for incident #${plan.incident}, requested by @${state.requester.login}. **Draft until approved.**`,
    "",
    "### Evidence",
    evidence.summary ? `> ${evidence.summary.replace(/\n/g, " ")}` : "> (the incident's RCA comment has the evidence)",
    ...(evidence.severity ? ["", `Severity: ${evidence.severity}.`] : []),
    "",
    "### Plan",
    ...planDetails(plan),
    "### Before merging",
    "- [ ] CI passes on this branch",
    "- [ ] The incident's watch signals return to their baseline after the deploy",
    ...(plan.skipped.length ? ["- [ ] The migrations listed under *Not reverted* are handled"] : []),
    ...(plan.runbook ? ["- [ ] Step 1 (the migration runbook) is done"] : []),
    `- [ ] Approved with \`/insight approve\` by ${(plan.approvalsNeeded ?? 1) > 1 ? `${plan.approvalsNeeded} people` : "someone"} other than the requester`,
    "",
    renderApprovals(state),
    "",
    FOOT,
  ].join("\n");
}

const FOOT = "<sub>`/insight rollback` on this PR once merged opens its revert, under the same approval rules.</sub>";

/** The approval chain: who asked, who approved on which commit and why they may. */
function renderApprovals(state: FixState): string {
  const approvals = state.approvals.length
    ? state.approvals.map((a) => `- ✅ @${a.by.login} (${a.basis}) at ${a.at} on \`${a.commit.slice(0, 7)}\``)
    : ["- none yet: `/insight approve` by someone with write access or a configured approver (not the requester)"];
  return [
    "### Approvals",
    `- requested by @${state.requester.login}`,
    ...approvals,
    ...(state.revoked
      ? [
          `- ⛔ approvals revoked at ${state.revoked.at}: @${state.revoked.by.login} pushed \`${state.revoked.head.slice(0, 7)}\` to the branch`,
        ]
      : []),
    ...(state.rejected
      ? [`- ❌ rejected by @${state.rejected.by.login} at ${state.rejected.at}${state.rejected.reason ? `: ${state.rejected.reason}` : ""}`]
      : []),
  ].join("\n");
}

/** A fix PR body with its approvals section brought up to date (the rest as it was). */
export function withApprovals(body: string, state: FixState): string {
  const start = body.indexOf("### Approvals");
  const end = body.indexOf(FOOT);
  if (start < 0 || end < start) return `${body}\n\n${renderApprovals(state)}`;
  return `${body.slice(0, start)}${renderApprovals(state)}\n\n${body.slice(end)}`;
}

/** The fix PR's title and body, as `pushFix` writes them. */
export function fixRendering(
  plan: FixPlan,
  evidence: { summary?: string; severity?: string },
): { title: string; body: (state: FixState) => string } {
  return { title: fixTitle(plan), body: (state) => renderFixPull(plan, state, evidence) };
}
