/** Grouping accuracy: a line counts when its predicted group holds exactly its true group's lines. */
export function groupingAccuracy(truth: string[], predicted: number[]): number {
  const byTruth = new Map<string, number[]>();
  const byPred = new Map<number, number[]>();
  truth.forEach((t, i) => byTruth.set(t, [...(byTruth.get(t) ?? []), i]));
  predicted.forEach((p, i) => byPred.set(p, [...(byPred.get(p) ?? []), i]));
  let correct = 0;
  for (const lines of byPred.values()) {
    const t = truth[lines[0]!]!;
    const trueLines = byTruth.get(t)!;
    if (trueLines.length === lines.length && lines.every((l) => truth[l] === t)) correct += lines.length;
  }
  return correct / truth.length;
}
