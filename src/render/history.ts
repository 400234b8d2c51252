import { escapeCell } from "./footer.js";
import { untrustedInline } from "./untrusted.js";
import type { SimilarIncident } from "../history/similar-incidents.js";

const hours = (ms: number) => (ms >= 48 * 3_600_000 ? `${(ms / 86_400_000).toFixed(1)} d` : `${(ms / 3_600_000).toFixed(1)} h`);
const link = (text: string, url?: string) => (url ? `[${text}](${url})` : text);
const code = (xs: string[], max = 3) =>
  xs
    .slice(0, max)
    .map((x) => `\`${x.replace(/`/g, "'").slice(0, 80)}\``)
    .join(", ") + (xs.length > max ? ` and ${xs.length - max} more` : "");

/** Why two incidents are alike, in one cell. */
export function whySimilar(s: SimilarIncident): string {
  const parts = [
    ...(s.shared.keywords.length ? [`shared keywords ${code(s.shared.keywords)}`] : []),
    ...(s.shared.services.length ? [`services ${s.shared.services.join(", ")}`] : []),
    ...(s.shared.mechanism ? [`same mechanism: ${s.shared.mechanism}`] : []),
    ...(!s.shared.mechanism && s.shared.category ? [`same category (${s.shared.category})`] : []),
  ];
  return parts.join("; ");
}

/** The RCA thread's "Seen before" section: the most similar past incidents, why, and what fixed them. */
export function renderSeenBefore(similar: SimilarIncident[] | undefined, indexed: number): string[] {
  if (similar === undefined || indexed === 0) return [];
  if (!similar.length)
    return [
      "### 🔁 Seen before",
      "",
      `No similar incident among the ${indexed} past incident${indexed === 1 ? "" : "s"} of this repository.`,
      "",
    ];
  const rows = similar.map(({ incident: p, ...s }) => {
    const title = untrustedInline(p.title).slice(0, 80);
    const fix = p.fix
      ? link(`${p.fix.ref}${p.fix.title ? ` ${untrustedInline(p.fix.title).slice(0, 60)}` : ""}`, p.fix.url)
      : "not recorded";
    const resolved = p.closedAt ? hours(p.closedAt - p.openedAt) : "–";
    return `| ${link(`#${p.number}`, p.url)} ${escapeCell(title)} | ${Math.round(s.score * 100)}% | ${escapeCell(whySimilar({ incident: p, ...s }))} | ${escapeCell(fix)} | ${resolved} |`;
  });
  return [
    "### 🔁 Seen before",
    "",
    "| past incident | similarity | why similar | what fixed it | resolved in |",
    "| --- | ---: | --- | --- | ---: |",
    ...rows,
    "",
    "<sub>A past fix that matches a hypothesis is cited in its evidence (`history:#N`); it is a lead to check, never a cause on its own.</sub>",
    "",
  ];
}
