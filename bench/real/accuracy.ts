/**
 * RCAEval's accuracy (ASE'24 §3.2.2; RCAEval/benchmark/evaluation.py) for one root cause per case:
 * AC@k is the share of cases whose root cause is in the top k; Avg@k = (1/k)·Σ_{j≤k} AC@j.
 */
export type Accuracy = { n: number; ac1: number; ac3: number; avg5: number };

export function accuracy(ranks: Array<{ truth: string; ranking: string[] }>): Accuracy {
  const n = ranks.length;
  const ac = (k: number) => (n ? ranks.filter((r) => r.ranking.slice(0, k).includes(r.truth)).length / n : NaN);
  return { n, ac1: ac(1), ac3: ac(3), avg5: [1, 2, 3, 4, 5].reduce((s, k) => s + ac(k), 0) / 5 };
}
