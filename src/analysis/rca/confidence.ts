import { MODEL } from "./model.js";
import type { Features } from "./types.js";

export const FEATURE_NAMES = ["change", "link", "onCause", "recency", "traces", "mechanism", "service", "symptom", "explains"] as const satisfies ReadonlyArray<keyof Features>;

export type Model = { bias: number; weights: Record<keyof Features, number>; fittedOn: string };

/** The probability that a chain is the cause: a logistic model over its evidence features, fitted by bench/fit-rca-confidence.ts. */
export function confidence(f: Features, model: Model = MODEL): number {
  const z = model.bias + FEATURE_NAMES.reduce((sum, k) => sum + model.weights[k] * f[k], 0);
  return Math.round((1 / (1 + Math.exp(-z))) * 1000) / 1000;
}
