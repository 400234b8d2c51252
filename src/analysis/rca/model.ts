import type { Model } from "./confidence.js";

/** Written by `npm run bench:rca-fit -- --write` (bench/fit-rca-confidence.ts): do not edit by hand. */
export const MODEL: Model = {
  bias: -1.028,
  weights: {
    change: 0.949,
    link: 0.623,
    onCause: -0.367,
    recency: 0.657,
    traces: 0,
    mechanism: 0.733,
    service: -0.058,
    symptom: -1.074,
    explains: 2.067,
    lead: 0.69,
  },
  fittedOn: "scenarios 01–12 (12), Nezha 2022-08-22 (24), PetShop train (20): 262 hypotheses, λ=1",
};
