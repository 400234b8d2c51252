import type { Lookup } from "../capsule/lookup.js";

/** The report section: related capsules with links, or why there are none. */
export function renderRelated(lookup: Lookup | undefined): string[] {
  if (!lookup) return [];
  if (lookup.status === "error") return [];
  if (lookup.capsules.length === 0)
    return ["### Related capsules (EvoMap)", "", `None published yet for ${lookup.query.map((q) => `\`${q}\``).join(", ")}.`, ""];
  return [
    "### Related capsules (EvoMap)",
    "",
    "| capsule | confidence | streak | reputation | rank |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...lookup.capsules.map(
      (c) =>
        `| [${c.summary.replace(/\|/g, "\\|").replace(/\n/g, " ").slice(0, 100) || c.assetId.slice(0, 19)}](${c.url}) | ${Math.round(c.confidence * 100)}% | ${c.successStreak} | ${c.reputation} | ${c.rank.toFixed(2)} |`,
    ),
    "",
    "<sub>What other teams' fixes for the same signals did; a lead to check, not evidence about this incident.</sub>",
    "",
  ];
}
