/**
 * Root-cause ranking on a call graph (anomaly traversal): the causes of an anomaly on `target` are
 * the anomalous services it reaches through calls whose own callees are all healthy, along a path
 * of anomalous services only; each is scored by the largest sum of anomaly scores on such a path,
 * so a deep cause that explains a whole chain of symptoms outranks a loud bystander.
 */

export type CallEdge = { from: string; to: string };
export type RankedCause = { node: string; score: number; path: string[] };

/**
 * Ranked causes (best first); empty when the target itself is not anomalous. `scores` holds each
 * service's anomaly score; `threshold` is the score from which a service counts as anomalous.
 * `order`: `chain` (default) ranks by the path's summed score, so a deep cause explaining a chain
 * beats a loud bystander; `evidence` ranks by the cause's own score first and the chain second —
 * for scores on a common, bounded scale (surprise, analysis/ranking/surprise.ts), where a chain's
 * length would otherwise outweigh how unusual its end is. Ties never go to a name.
 */
export function rankRootCauses(params: {
  edges: CallEdge[];
  scores: Map<string, number>;
  target: string;
  threshold: number;
  order?: "chain" | "evidence";
}): RankedCause[] {
  const { edges, scores, target, threshold } = params;
  const anomalous = (n: string) => (scores.get(n) ?? 0) >= threshold;
  if (!anomalous(target)) return [];
  const callees = new Map<string, string[]>();
  for (const e of edges) callees.set(e.from, [...(callees.get(e.from) ?? []), e.to]);
  const best = new Map<string, RankedCause>();
  // Depth-first over simple paths of anomalous services from the target; the anomalous subgraph is small.
  const walk = (node: string, path: string[], sum: number) => {
    const next = (callees.get(node) ?? []).filter((n) => anomalous(n) && !path.includes(n));
    // No anomalous callee left (a cycle back into the path counts as none): the chain ends here.
    if (next.length === 0) {
      const known = best.get(node);
      if (!known || sum > known.score) best.set(node, { node, score: sum, path });
      return;
    }
    for (const n of next) walk(n, [...path, n], sum + scores.get(n)!);
  };
  walk(target, [target], scores.get(target)!);
  const own = (c: RankedCause) => (params.order === "evidence" ? scores.get(c.node)! : 0);
  // Ties: the longer chain explains more; then the order the walk found them (the graph's order), never a name.
  return [...best.values()].sort((a, b) => own(b) - own(a) || b.score - a.score || b.path.length - a.path.length);
}
