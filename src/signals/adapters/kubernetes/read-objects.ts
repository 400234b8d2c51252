import type { ToolOutput } from "../../tool-output.js";
import { objectsOf } from "./objects.js";
import { parseTable } from "./parse.js";

type Raw = Record<string, any>;
const HEALTHY = /^(Running|Completed|Succeeded|Bound|Ready|Active|Complete|Available)$/;

/** A table row that says something is wrong: a bad status, `0/3` ready, no endpoints, no disruption allowed. */
function suspect(row: Record<string, string>): boolean {
  const status = row.STATUS;
  if (status && !HEALTHY.test(status)) return true;
  for (const key of ["READY", "COMPLETIONS"]) {
    const m = /^(\d+)\/(\d+)$/.exec(row[key] ?? "");
    if (m && Number(m[1]) < Number(m[2])) return true;
  }
  return (
    row.ENDPOINTS === "<none>" ||
    row["ALLOWED DISRUPTIONS"] === "0" ||
    /<unknown>/.test(row.TARGETS ?? "") ||
    (row.REPLICAS !== undefined && row.REPLICAS === row.MAXPODS)
  );
}

const labelsOf = (text = "") =>
  Object.fromEntries(
    text
      .split(",")
      .map((kv) => kv.split("="))
      .filter((kv) => kv.length === 2 && kv[0]),
  );

/**
 * kubernetes-mcp-server lists as a table (its default `--list-output`) and gives whole objects one
 * by one: the list, then `resources_get` for at most `cap` objects, the ones the table marks wrong
 * first. A list already in YAML (`--list-output yaml`) is used whole. Pods not read whole keep
 * their row (name, labels, status), enough to say which pods a selector matches.
 */
export async function listThenGet(
  list: () => Promise<ToolOutput>,
  get: (name: string) => Promise<string>,
  cap: number,
  kind: string,
): Promise<Raw[]> {
  const out = await list();
  const text = out.texts.join("\n");
  if (/^(apiVersion:|items:|- apiVersion:|\{)/m.test(text.trim().split("\n")[0] ?? "")) return objectsOf(text);
  const structured = (out.structured as { items?: Raw[] } | undefined)?.items;
  const rows: Array<Record<string, string>> = structured
    ? structured.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toUpperCase(), String(v)])))
    : parseTable(text);
  const ordered = [...rows.filter(suspect), ...rows.filter((r) => !suspect(r))].filter((r) => r.NAME);
  const chosen = ordered.slice(0, cap);
  const got = await Promise.allSettled(chosen.map(async (r) => objectsOf(await get(r.NAME!))[0]));
  const whole = got.flatMap((g) => (g.status === "fulfilled" && g.value ? [g.value] : []));
  if (kind !== "Pod") return whole;
  const read = new Set(whole.map((o) => o.metadata?.name));
  const partial = ordered
    .filter((r) => !read.has(r.NAME))
    .map((r) => ({
      metadata: { name: r.NAME, namespace: r.NAMESPACE, labels: labelsOf(r.LABELS) },
      status: {
        phase: r.STATUS === "Running" || r.STATUS === "Completed" ? (r.STATUS === "Completed" ? "Succeeded" : "Running") : "Unknown",
      },
      partial: true,
    }));
  return [...whole, ...partial];
}
