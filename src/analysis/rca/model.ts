import type { Model } from "./confidence.js";

/** Written by `npm run bench:rca-fit -- --write` (bench/fit-rca-confidence.ts): do not edit by hand. */
export const MODEL: Model = {
  bias: 0.457,
  weights: {
    change: 0.876,
    link: 0.614,
    onCause: 0.633,
    recency: 0.634,
    traces: 0,
    mechanism: 0.581,
    service: 0.414,
    symptom: 0,
    explains: 0.76
  },
  fittedOn: "fixtures/incidents 01–12 (21 hypotheses), λ=1"
};
