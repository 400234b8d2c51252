import type { Lookup } from "../capsule/lookup.js";
import { renderRelated } from "./related.js";
import type { ImpactSubmission } from "../llm/grounding.js";
import type { ModelOutcome } from "../llm/service.js";
import { renderModelImpact } from "./model.js";
import type { RiskAssessment } from "../analysis/assess-impact.js";
import type { ServiceProfile } from "../analysis/profile.js";
import type { RepoConfig, RiskLevel } from "../config/repo-config.js";
import { atLeast } from "../core/risk.js";
import { availability, type WatchItem } from "../analysis/watch-list.js";
import type { CheckRunOutput } from "../core/github.js";
import { escapeCell, sourcesFooter } from "./footer.js";
import { serviceGraph } from "./mermaid.js";
import { errorRateCell, wrongRatioNotes } from "./ratio.js";
import { sparkline } from "./sparkline.js";

export const LEVEL_ICON: Record<RiskLevel, string> = { low: "🟢", medium: "🟡", high: "🟠", critical: "🔴" };

/** What the previous run said, carried in the comment's hidden metadata. */
export type ImpactMeta = { head: string; score: number; level: RiskLevel; digest: string; factors: Record<string, number> };

export const impactMeta = (a: RiskAssessment): ImpactMeta => ({
  head: a.head,
  score: a.score,
  level: a.level,
  digest: a.digest,
  factors: Object.fromEntries(a.factors.map((f) => [f.name, f.points])),
});

const short = (sha: string) => sha.slice(0, 7);
const pct = (v: number) => `${(v * 100).toFixed(v < 0.01 ? 2 : 1)}%`;
const num = (v?: number, unit = "") => (v === undefined ? "–" : `${v >= 100 ? Math.round(v) : Number(v.toPrecision(3))}${unit}`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "what changed since the previous run": score delta and the factors that came, went or moved. */
export function sinceLastRun(a: RiskAssessment, prev?: ImpactMeta): string | undefined {
  if (!prev) return undefined;
  const now = impactMeta(a).factors;
  const moved = [...new Set([...Object.keys(now), ...Object.keys(prev.factors)])]
    .map((name) => [name, (now[name] ?? 0) - (prev.factors[name] ?? 0)] as const)
    .filter(([, d]) => d !== 0)
    .map(([name, d]) => `${name} ${d > 0 ? "+" : ""}${d}`);
  const delta = a.score - prev.score;
  const head = prev.head === a.head ? "same commit" : `\`${short(prev.head)}\``;
  if (delta === 0 && moved.length === 0) return `unchanged since ${head}`;
  return `${prev.score} → ${a.score} since ${head}${moved.length ? ` (${moved.join(", ")})` : ""}`;
}

function serviceRow(p: ServiceProfile): string {
  const alerts = p.alerts.length ? p.alerts.map((x) => (x.name.length > 40 ? `${x.name.slice(0, 39)}…` : x.name)).join(", ") : "–";
  const pods = p.restarts ? `${p.restarts.failing ? `${p.restarts.failing} failing, ` : ""}${p.restarts.value} restarts` : "–";
  return `| **${p.service}** | ${p.tier} | ${num(p.requestRate?.value, " req/s")} | ${errorRateCell(p, pct)} ${sparkline(p.errorRate?.series)} | ${num(p.latencyP95?.value, " s")} ${sparkline(p.latencyP95?.series)} | ${escapeCell(alerts)} | ${pods} | ${p.dependents.join(", ") || "–"} |`;
}

function details(summary: string, body: string[]): string[] {
  return body.length ? ["<details>", `<summary>${summary}</summary>`, "", ...body, "", "</details>", ""] : [];
}

/** The full body of the sticky comment (the writer adds the marker and the metadata). */
/** `73/100`, `100/100, capped: the factors sum to 113`, `50/100, raised to the high floor by …`. */
export function scoreText(a: Pick<RiskAssessment, "score" | "raw" | "floor">): string {
  const notes = [
    ...(a.raw > 100 ? [`capped: the factors sum to ${a.raw}`] : []),
    ...(a.floor ? [`raised to the ${a.floor.level} floor by ${a.floor.by.join(", ")} (points alone: ${Math.min(100, a.raw)})`] : []),
  ];
  return `${a.score}/100${notes.length ? `, ${notes.join("; ")}` : ""}`;
}

export function renderImpactComment(
  a: RiskAssessment,
  options: {
    previous?: ImpactMeta;
    elapsedMs: number;
    config: RepoConfig;
    related?: Lookup;
    model?: ModelOutcome<ImpactSubmission>;
    local?: { rerun: string };
  },
): string {
  const since = sinceLastRun(a, options.previous);
  const header = [
    `## ${LEVEL_ICON[a.level]} Blast radius: **${a.level}** (${scoreText(a)})`,
    `<sub>DevOps Insight · covers \`${short(a.head)}\`${since ? ` · ${since}` : ""}</sub>`,
    "",
  ];
  const why = a.factors.slice(0, 2).map((f) => f.reason);
  const lead = why.length ? `**Why:** ${why.join("; ")}.` : "**Why:** nothing in this change or its services stands out.";
  const production = a.productionData
    ? []
    : [
        "",
        `> ℹ️ Production data was not available: ${a.notAnalysed.find((n) => n.startsWith("production")) ?? "scored from the change alone"}.`,
      ];
  const inferred = a.inferred ? ["", inferredNote(a.inferred)] : [];
  const factorRows = a.factors.map(
    (f) =>
      `| ${f.name}${f.floor ? ` (floor: ${f.floor})` : ""} | +${f.points} | ${escapeCell(f.reason)} | ${f.evidence.map((e) => `\`${e}\``).join(" ") || (f.files?.length ? plural(f.files.length, "file") : "change")} |`,
  );
  const factors = ["| factor | points | why | evidence |", "| --- | ---: | --- | --- |", ...factorRows, ""];
  const services = a.services.length
    ? [
        "### Touched services",
        "",
        "| service | tier | traffic | errors | p95 | alerts | pods | called by |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ...a.services.map(serviceRow),
        "",
        ...wrongRatioNotes(a.services).flatMap((n) => [n, ""]),
      ]
    : ["No mapped service is touched (see the files below).", ""];
  const graph = a.edges.length
    ? [
        serviceGraph(
          a.edges,
          a.services.map((s) => s.service),
        ),
        "",
      ]
    : [];
  const watch = a.watch.map(
    (w) =>
      `| ${w.service} | ${w.what} | \`${escapeCell(w.query)}\` | ${normalText(w)} | ${escapeCell(w.threshold)}${w.alert ? `<br>\`${escapeCell(w.alert)}\`` : ""} | ${escapeCell(w.basis)} |`,
  );
  const gaps = a.gaps.flatMap((g) => [
    `- **${g.service}** — ${g.gap}`,
    "",
    "  ```" + (g.kind === "alert" ? "yaml" : ""),
    ...g.suggestion.split("\n").map((l) => `  ${l}`),
    "  ```",
  ]);
  const byKind = new Map<string, string[]>();
  for (const f of a.files) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f.path]);
  const fileRows = [...byKind].map(
    ([kind, paths]) => `| ${kind} | ${paths.length} | ${escapeCell(paths.slice(0, 8).join(", "))}${paths.length > 8 ? ", …" : ""} |`,
  );
  const full = [
    lead,
    ...production,
    ...inferred,
    "",
    ...factors,
    ...renderModelImpact(options.model),
    ...services,
    ...graph,
    ...details(
      `👀 What to watch after the deploy (${a.watch.length})`,
      watch.length
        ? ["| service | what | query (run as is) | normal | alert when | normal is |", "| --- | --- | --- | ---: | --- | --- |", ...watch]
        : [],
    ),
    ...details(`🕳️ Monitoring gaps (${a.gaps.length})`, gaps),
    ...details(`📄 Files (${a.files.length})`, [
      "| kind | files | paths |",
      "| --- | ---: | --- |",
      ...fileRows,
      ...(a.unmapped.length
        ? [
            "",
            `Not mapped to a service: ${a.unmapped
              .slice(0, 20)
              .map((p) => `\`${p}\``)
              .join(", ")}${a.unmapped.length > 20 ? `, and ${a.unmapped.length - 20} more` : ""}`,
          ]
        : []),
    ]),
    ...details(`⚠️ Not analysed (${a.notAnalysed.length})`, [
      ...a.notAnalysed.map((n) => `- ${n}`),
      ...(options.related?.status === "error" ? [`- EvoMap: related capsules could not be looked up (${options.related.message})`] : []),
    ]),
    ...(options.related?.status === "ok" && options.related.capsules.length
      ? details(`📦 Related capsules (${options.related.capsules.length})`, renderRelated(options.related).slice(2))
      : []),
  ];
  const footer = [
    "---",
    sourcesFooter(a.sources, options.elapsedMs, [
      options.local ? `re-run with \`${options.local.rerun}\`` : "re-run with `/insight impact`",
    ]),
  ];
  // Quiet by default: a low-risk change gets the level, one line of why, and the rest folded.
  if (a.level === "low") return [...header, lead, "", ...details("Details", full.slice(1)), ...footer].join("\n");
  return [...header, ...full, ...footer].join("\n");
}

/** The note that says the services come from the repository's layout, not from a config file. */
export function inferredNote(i: NonNullable<RiskAssessment["inferred"]>): string {
  if (!i.services.length)
    return "> ℹ️ No `.github/insight.yml`, and no service could be inferred from the repository's layout: files are not mapped to services.";
  const how = [...new Set(Object.values(i.seenIn).flat())];
  const names = i.services.length > 12 ? `${i.services.slice(0, 12).join(", ")} and ${i.services.length - 12} more` : i.services.join(", ");
  return `> ℹ️ No \`.github/insight.yml\`: services were inferred from the repository's layout (${how.join(", ")}): ${names}. Add the file to name them, their tiers and where they run.`;
}

/** A watch item's normal: the baseline value (an availability cut, never rounded up to 100), or "–". */
function normalText(w: WatchItem): string {
  if (w.baseline === undefined) return "–";
  return w.unit === "%" ? availability(w.baseline) : num(w.baseline);
}

export type CheckConclusion = "neutral" | "failure" | "action_required";

/**
 * The check's conclusion: by default (`failCheckAt: auto`) it matches the risk — neutral below
 * critical, action required at critical; `failCheckAt: <level>` fails at that level and above
 * instead, `never` keeps it neutral.
 */
export function checkConclusion(level: RiskLevel, failAt: RepoConfig["impact"]["failCheckAt"]): CheckConclusion {
  if (failAt === "auto") return level === "critical" ? "action_required" : "neutral";
  if (failAt === "never") return "neutral";
  return atLeast(level, failAt) ? "failure" : "neutral";
}

/** The check run: summary, the details as text, annotations on the files behind the factors. */
export function renderImpactCheck(a: RiskAssessment, config: RepoConfig): { output: CheckRunOutput; conclusion: CheckConclusion } {
  const annotations = a.factors.flatMap((f) =>
    (f.files ?? []).slice(0, 10).map((path) => {
      const file = a.files.find((x) => x.path === path);
      return {
        path,
        start_line: file?.firstLine ?? 1,
        end_line: file?.firstLine ?? 1,
        annotation_level: (a.level === "critical" || a.level === "high" ? "warning" : "notice") as "warning" | "notice",
        title: `${f.name} (+${f.points})`,
        message: f.reason,
      };
    }),
  );
  const summary = [
    `**${a.level}** (${scoreText(a)}) for \`${short(a.head)}\``,
    "",
    "| factor | points | why |",
    "| --- | ---: | --- |",
    ...a.factors.map((f) => `| ${f.name} | +${f.points} | ${escapeCell(f.reason)} |`),
    ...(a.productionData ? [] : ["", "Production data was not available: scored from the change alone."]),
  ].join("\n");
  const text = [
    "### What to watch after the deploy",
    ...a.watch.map(
      (w) =>
        `- **${w.service}** ${w.what}: \`${w.query}\` — normal ${normalText(w)} (${w.basis}), alert when ${w.threshold}${w.alert ? `: \`${w.alert}\`` : ""}`,
    ),
    "",
    "### Monitoring gaps",
    ...(a.gaps.length ? a.gaps.map((g) => `- **${g.service}** — ${g.gap}`) : ["- none found"]),
    ...(a.notAnalysed.length ? ["", "### Not analysed", ...a.notAnalysed.map((n) => `- ${n}`)] : []),
  ].join("\n");
  return {
    output: { title: `Blast radius: ${a.level} (${a.score}/100)`, summary, text, annotations },
    conclusion: checkConclusion(a.level, config.impact.failCheckAt),
  };
}
