import { MODEL } from "./model.js";
import type { Features } from "./types.js";

export const FEATURE_NAMES = [
  "change",
  "link",
  "onCause",
  "recency",
  "traces",
  "mechanism",
  "service",
  "symptom",
  "explains",
  "lead",
] as const satisfies ReadonlyArray<keyof Features>;

export type Model = { bias: number; weights: Record<keyof Features, number>; fittedOn: string };

/** A chain's score: a linear function of its evidence features, fitted by bench/fit-rca-confidence.ts. */
export const score = (f: Features, model: Model = MODEL) => model.bias + FEATURE_NAMES.reduce((sum, k) => sum + model.weights[k] * f[k], 0);

/**
 * The probability that each candidate is the cause, read against its rivals and against "none of
 * them" (score 0): a conditional logit. Rival chains share the probability, so two strong
 * candidates are never both 90%, and weak ones leave most of it to "none".
 */
export function probabilities(scores: number[]): number[] {
  const top = Math.max(0, ...scores);
  const e = scores.map((v) => Math.exp(v - top));
  const total = Math.exp(-top) + e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}
