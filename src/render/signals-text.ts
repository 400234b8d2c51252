import type { CollectionResult, Signal, SourceResult } from "../signals/types.js";

const STATUS: Record<SourceResult["status"], string> = { ok: "✅", no_data: "◻️", error: "❌", disabled: "⏸️" };

function formatValue(s: Signal): string {
  if (s.value === undefined) return "";
  const v = s.value;
  const shown =
    s.unit === "ratio"
      ? `${(v * 100).toFixed(2)}%`
      : s.unit === "bytes"
        ? `${(v / 1_048_576).toFixed(1)} MiB`
        : Number.isInteger(v)
          ? String(v)
          : v.toFixed(3);
  return ` = ${shown}${s.unit && s.unit !== "ratio" && s.unit !== "bytes" ? ` ${s.unit}` : ""}`;
}

/** What `insight signals` prints: each source's status, then its signals one per line. */
export function renderCollectionText(result: CollectionResult): string {
  const lines = [
    `Window ${new Date(result.window.from).toISOString()} → ${new Date(result.window.to).toISOString()} · ${result.sources.length} sources · ${result.elapsedMs} ms`,
  ];
  for (const source of result.sources) {
    lines.push(
      "",
      `${STATUS[source.status]} ${source.source} (${source.adapter}${source.flavour ? `, ${source.flavour}` : ""}) ${source.status} · ${source.signals.length} signals · ${source.elapsedMs} ms${source.error ? ` · ${source.error}` : ""}`,
    );
    for (const s of source.signals)
      lines.push(`   ${s.kind.padEnd(8)} ${(s.service ?? "-").padEnd(12)} ${s.name}${formatValue(s)}   [${s.id}]`);
    for (const note of source.notes) lines.push(`   note: ${note}`);
  }
  if (result.sources.length === 0) lines.push("", "No MCP servers configured (INSIGHT_MCP_CONFIG or --mcp-config).");
  return lines.join("\n");
}
