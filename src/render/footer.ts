import type { SourceSummary } from "../analysis/assess-impact.js";

const ICON: Record<string, string> = { ok: "✅", no_data: "◻️", error: "❌", disabled: "⏸️" };

/** The footer of every report: which sources answered, which failed and why, how long it took. */
export function sourcesFooter(sources: SourceSummary[], elapsedMs: number, extra: string[] = []): string {
  const parts = sources.map(
    (s) =>
      `${ICON[s.status] ?? "?"} ${s.source}${s.flavour ? ` (${s.flavour})` : ""}${s.status === "ok" || s.status === "no_data" ? "" : `: ${s.error ?? s.status}`}`,
  );
  const line = sources.length ? `Sources: ${parts.join(" · ")}` : "Sources: none configured";
  return `<sub>${[line, `${(elapsedMs / 1000).toFixed(1)} s`, ...extra].join(" · ")}</sub>`;
}

export const escapeCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
