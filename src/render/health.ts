import type { HealthProblem, HealthScan } from "../analysis/health.js";
import type { SourceSummary } from "../analysis/assess-impact.js";
import { escapeCell, sourcesFooter } from "./footer.js";
import { errorRateCell, wrongRatioNotes } from "./ratio.js";
import { sparkline } from "./sparkline.js";

export const HEALTH_MARKER = "<!-- insight:health-report -->";
const ICON = { ok: "🟢", warning: "🟡", critical: "🔴" } as const;
const time = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/:\d{2}\.\d{3}Z$/, "Z")
    .replace("T", " ");
const fmt = (v: number | undefined, unit: string) =>
  v === undefined
    ? "–"
    : unit === "%"
      ? `${(v * 100).toFixed(2)}%`
      : unit === "ms"
        ? `${Math.round(v * 1000)} ms`
        : `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} ${unit}`;

const line = (p: HealthProblem) =>
  `- ${p.severity === "critical" ? "🔴" : "🟡"} ${p.service ? `**${p.service}** — ` : ""}${escapeCell(p.text)}${
    p.evidence.length
      ? ` (${p.evidence
          .slice(0, 2)
          .map((e) => `\`${e}\``)
          .join(" ")})`
      : ""
  }`;

/**
 * The health issue's body: new problems first, then the ones still there, a table per service
 * with trend pictures, the gaps, what could not be read. `syntax: "cli"` names `insight health`
 * instead of the slash command.
 */
export function renderHealth(
  scan: HealthScan,
  p: {
    repo: string;
    /** The problems of the previous scan; undefined when there is none to compare with (the CLI): no "new" and "still there". */
    previousKeys: string[] | undefined;
    sources: SourceSummary[];
    elapsedMs: number;
    nextScan?: number;
    published?: string[];
    notes?: string[];
    syntax?: "slash" | "cli";
  },
): string {
  const seen = new Set(p.previousKeys ?? []);
  const problems = scan.problems.filter((x) => x.kind !== "monitoring-gap");
  const fresh = problems.filter((x) => !seen.has(x.key));
  const still = problems.filter((x) => seen.has(x.key));
  const gaps = scan.problems.filter((x) => x.kind === "monitoring-gap");
  const rows = scan.services.map(
    (s) =>
      `| ${s.service} | ${ICON[s.status]} | ${fmt(s.profile.requestRate?.value, "req/s")} | ${errorRateCell(s.profile, (v) => fmt(v, "%"))} | ${fmt(s.profile.latencyP95?.value, "ms")} | ${sparkline(s.memory) || "–"} | ${sparkline(s.errors) || "–"} |`,
  );
  const gone = (p.previousKeys ?? []).filter((k) => !scan.problems.some((x) => x.key === k));
  return [
    `## 🩺 Insight health report — ${p.repo}`,
    `<sub>Scanned ${time(scan.window.to)} over ${time(scan.window.from)} → ${time(scan.window.to)}${p.nextScan ? ` · next scan around ${time(p.nextScan)}` : ""} · ${p.syntax === "cli" ? "`insight health`" : "`/insight health`"} scans now</sub>`,
    "",
    ...(problems.length === 0 ? ["✅ Nothing needs attention.", ""] : []),
    ...(p.previousKeys === undefined && problems.length ? [`### Needs attention (${problems.length})`, "", ...problems.map(line), ""] : []),
    ...(p.previousKeys && fresh.length ? [`### 🆕 New since the last scan (${fresh.length})`, "", ...fresh.map(line), ""] : []),
    ...(p.previousKeys && still.length ? [`### Still there (${still.length})`, "", ...still.map(line), ""] : []),
    ...(gone.length ? [`<sub>Gone since the last scan: ${gone.length} problem${gone.length === 1 ? "" : "s"}.</sub>`, ""] : []),
    "### Services",
    "",
    "| service | status | traffic | errors | p95 | memory trend | error-rate trend |",
    "| --- | :---: | ---: | ---: | ---: | --- | --- |",
    ...rows,
    "",
    ...wrongRatioNotes(scan.services.map((s) => s.profile)).flatMap((n) => [n, ""]),
    ...(gaps.length
      ? [
          "<details>",
          `<summary>🕳️ Monitoring gaps (${gaps.length})</summary>`,
          "",
          ...gaps.flatMap((g) => [
            `- **${g.service}** — ${g.text}`,
            ...(g.suggestion ? ["", "  ```yaml", ...g.suggestion.split("\n").map((l) => `  ${l}`), "  ```"] : []),
          ]),
          "",
          "</details>",
          "",
        ]
      : []),
    ...(p.published?.length ? [`<sub>Published as warning capsules: ${p.published.join(", ")}.</sub>`, ""] : []),
    ...(p.notes?.length ? ["**Not seen in this scan:**", "", ...p.notes.map((n) => `- ${escapeCell(n)}`), ""] : []),
    "---",
    sourcesFooter(p.sources, p.elapsedMs),
  ].join("\n");
}

/** The one comment a scan adds to the health issue when it found something the last scan did not. */
export function renderNewProblems(fresh: HealthProblem[]): string {
  const short = (p: HealthProblem) => `- ${p.severity === "critical" ? "🔴" : "🟡"} ${p.service ? `**${p.service}** — ` : ""}${p.text}`;
  return `🆕 ${fresh.length} new problem${fresh.length === 1 ? "" : "s"} since the last scan:\n${fresh.map(short).join("\n")}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The answer to `/insight health` where it was asked: how many problems, how many new, where the report is. */
export function renderHealthDone(scan: HealthScan, fresh: number, issue: number): string {
  const open = scan.problems.filter((p) => p.kind !== "monitoring-gap").length;
  const gaps = scan.problems.length - open;
  return `🩺 Health scan done: ${plural(open, "problem")} (${fresh} new)${gaps ? ` and ${plural(gaps, "monitoring gap")}` : ""} — the report is in #${issue}.`;
}
