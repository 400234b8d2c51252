import type { MetricKind } from "./metric-kind.js";

/** A call from one service to another (`calls`: how many, when known). */
export type RankEdge = { from: string; to: string; calls?: number };

export type RankedSeries = {
  signalId: string;
  name: string;
  kind: MetricKind;
  score: number;
  direction: "up" | "down";
  onsetAt?: number;
  pod?: string;
};

export type ServiceRank = {
  service: string;
  score: number;
  /** The service's scored series, strongest first. */
  series: RankedSeries[];
  /** From the topology: the cause of others' anomalies, a symptom of another's, or a dependency several failing services share. */
  role?: "cause" | "symptom" | "shared";
  /** Earliest onset among its anomalous series. */
  onsetAt?: number;
  /** For a symptom: the anomalous services that explain it. */
  explainedBy?: string[];
  /** Why the topology moved it, when it did. */
  notes?: string[];
};

/** From this robust z a series counts as anomalous (IQR-scaled: about 4σ on normal data). */
export const ANOMALOUS_Z = 3;
