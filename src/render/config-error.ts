import { REPO_CONFIG_PATH } from "../config/load-repo-config.js";
import { escapeCell } from "./footer.js";

/** The one friendly message for an invalid `.github/insight.yml`: each field and its problem. */
export function renderConfigError(problems: string[], files: string[]): string {
  const rows = problems.map((p) => {
    const [field, ...rest] = p.split(" → ");
    return `| \`${escapeCell(field ?? "")}\` | ${escapeCell(rest.join(" → "))} |`;
  });
  const where = files.length ? ` (read from ${files.map((f) => `\`${f}\``).join(", ")})` : "";
  return [
    `### ⚠️ Insight could not use \`${REPO_CONFIG_PATH}\``,
    "",
    `The configuration${where} has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}. Insight does nothing on this repository until it is fixed:`,
    "",
    "| field | problem |",
    "| --- | --- |",
    ...rows,
    "",
    "The JSON Schema in `schema/insight.schema.json` gives editors completion and checks for this file.",
  ].join("\n");
}
