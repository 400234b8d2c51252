import type { Model } from "./confidence.js";

/** Written by `npm run bench:rca-fit -- --write` (bench/fit-rca-confidence.ts): do not edit by hand. */
export const MODEL: Model = {
  bias: 0.445,
  weights: {
    change: 0.875,
    link: 0.613,
    onCause: 0.62,
    recency: 0.633,
    traces: 0,
    mechanism: 0.583,
    service: 0.416,
    symptom: 0,
    explains: 0.753
  },
  fittedOn: "fixtures/incidents 01–12 (21 hypotheses), λ=1"
};
