import type { Model } from "./confidence.js";

/** Hand-set starting point; replaced by the fit of bench/fit-rca-confidence.ts. */
export const MODEL: Model = {
  bias: -3,
  weights: { change: 0.5, link: 2.5, onCause: 1.5, recency: 1.5, traces: 1.5, mechanism: 2, service: 1.5, symptom: -1.5, explains: 1 },
  fittedOn: "hand-set",
};
