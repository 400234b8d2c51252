import type { HealthProblem, HealthScan } from "../analysis/health.js";
import type { SourceSummary } from "../analysis/assess-impact.js";
import { escapeCell, sourcesFooter } from "./footer.js";
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

/** The health issue's body: new problems first, then the ones still there, a table per service with trend pictures, the gaps. */
export function renderHealth(
  scan: HealthScan,
  p: { repo: string; previousKeys: string[]; sources: SourceSummary[]; elapsedMs: number; nextScan?: number; published?: string[] },
): string {
  const seen = new Set(p.previousKeys);
  const problems = scan.problems.filter((x) => x.kind !== "monitoring-gap");
  const fresh = problems.filter((x) => !seen.has(x.key));
  const still = problems.filter((x) => seen.has(x.key));
  const gaps = scan.problems.filter((x) => x.kind === "monitoring-gap");
  const rows = scan.services.map(
    (s) =>
      `| ${s.service} | ${ICON[s.status]} | ${fmt(s.profile.requestRate?.value, "req/s")} | ${fmt(s.profile.errorRate?.value, "%")} | ${fmt(s.profile.latencyP95?.value, "ms")} | ${sparkline(s.memory) || "–"} | ${sparkline(s.errors) || "–"} |`,
  );
  const gone = p.previousKeys.filter((k) => !scan.problems.some((x) => x.key === k));
  return [
    `## 🩺 Insight health report — ${p.repo}`,
    `<sub>Scanned ${time(Date.now())} over ${time(scan.window.from)} → ${time(scan.window.to)}${p.nextScan ? ` · next scan around ${time(p.nextScan)}` : ""} · \`/insight health\` scans now</sub>`,
    "",
    ...(problems.length === 0 ? ["✅ Nothing needs attention.", ""] : []),
    ...(fresh.length ? [`### 🆕 New since the last scan (${fresh.length})`, "", ...fresh.map(line), ""] : []),
    ...(still.length ? [`### Still there (${still.length})`, "", ...still.map(line), ""] : []),
    ...(gone.length ? [`<sub>Gone since the last scan: ${gone.length} problem${gone.length === 1 ? "" : "s"}.</sub>`, ""] : []),
    "### Services",
    "",
    "| service | status | traffic | errors | p95 | memory trend | error-rate trend |",
    "| --- | :---: | ---: | ---: | ---: | --- | --- |",
    ...rows,
    "",
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
    "---",
    sourcesFooter(p.sources, p.elapsedMs),
  ].join("\n");
}
