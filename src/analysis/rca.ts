/**
 * The RCA engine's entry point. The engine lives in ./rca/: service ranking (the seam for the
 * ranking core), mechanisms, change links, causal chains, the fitted confidence model.
 */
export { analyseIncident, CAUSE_THRESHOLD } from "./rca/analyse.js";
export { rankAnomalousServices, type RankedService, type ServiceRankingInput } from "./rca/service-ranking.js";
export type {
  Category,
  ChainLink,
  ChangeEvent,
  ChangeTouch,
  Coverage,
  Features,
  Hypothesis,
  RcaResult,
  TimelineEntry,
  Verdict,
} from "./rca/types.js";
