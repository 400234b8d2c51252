/** Mermaid-safe node id for a service name. */
const node = (name: string) => `s_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
const label = (name: string) => name.replace(/["<>]/g, "");

/** A left-to-right graph of who calls whom, the `highlight` services filled in. */
export function serviceGraph(edges: Array<{ from: string; to: string }>, highlight: string[], maxEdges = 40): string {
  const names = [...new Set([...highlight, ...edges.flatMap((e) => [e.from, e.to])])];
  const lines = [
    "```mermaid",
    "graph LR",
    ...names.map((n) => `  ${node(n)}["${label(n)}"]`),
    ...edges.slice(0, maxEdges).map((e) => `  ${node(e.from)} --> ${node(e.to)}`),
    "  classDef touched fill:#ffe3b3,stroke:#d97706,stroke-width:2px",
    ...(highlight.length ? [`  class ${highlight.map(node).join(",")} touched`] : []),
    "```",
  ];
  return lines.join("\n");
}
