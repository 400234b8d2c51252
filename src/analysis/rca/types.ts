import type { Window } from "../../signals/types.js";
import type { Anomaly } from "../find-anomalies.js";
import type { ChangeKind } from "../classify-change.js";

/**
 * What a change touches beyond its file kinds: the operations of its migrations, the manifest keys
 * it changes, the settings it moves. A change is judged by these as well as by when it landed.
 */
export type ChangeTouch = {
  kind:
    | "migration"
    | "resources"
    | "replicas"
    | "schedule"
    | "affinity"
    | "cache"
    | "database"
    | "timeout"
    | "dependency"
    | "image"
    | "probe"
    | "config";
  detail: string;
  file?: string;
  /** For a migration: the table and whether the operation takes a blocking lock. */
  table?: string;
  op?: string;
  locking?: boolean;
};

/** A change that reached production: a merged PR, a deployment, a commit. */
export type ChangeEvent = {
  id: string;
  kind: "pr" | "deployment" | "commit";
  title: string;
  at: number;
  services: string[];
  files: string[];
  changeKinds: ChangeKind[];
  url?: string;
  /** For a deployment: the id of the PR or commit it ships (`#7`); the deployment is then linked to it, not a rival. */
  ships?: string;
  touches?: ChangeTouch[];
};

export type Category = "code" | "config" | "infrastructure" | "dependency";

/** One link of a causal chain, with the evidence (signal ids, change ids) behind it. */
export type ChainLink = { role: "root" | "mechanism" | "symptom"; text: string; service?: string; evidence: string[] };

/** The evidence features the confidence model reads (all 0..1). */
export type Features = {
  change: number;
  link: number;
  onCause: number;
  recency: number;
  traces: number;
  mechanism: number;
  service: number;
  symptom: number;
  explains: number;
  /** The service's anomaly against the strongest one's (the ranking core's z, 1 for the strongest). */
  lead: number;
};

export type Hypothesis = {
  id: string;
  title: string;
  category: Category;
  service?: string;
  confidence: number;
  /** Signal ids (and change ids) behind it. */
  evidence: string[];
  reasons: string[];
  suspect?: ChangeEvent;
  /** What would confirm or refute it. */
  confirm: string;
  /** Root → mechanism → symptoms. */
  chain: ChainLink[];
  /** Immediate mitigation first (with the command or SQL to run), then the fix. */
  mitigation: string[];
  features: Features;
};

export type TimelineEntry = { at: number; what: string; kind: "change" | "anomaly" };

/** A cause; anomalies that nothing seen explains; or nothing anomalous at all. */
export type Verdict = "cause" | "unexplained" | "nothing";

export type RcaResult = {
  window: Window;
  onset?: { at: number; service?: string; detail: string };
  anomalies: Anomaly[];
  /** Services whose own anomaly comes from another service that went bad first (callee or caller). */
  symptoms: string[];
  hypotheses: Hypothesis[];
  timeline: TimelineEntry[];
  summary: string;
  verdict: Verdict;
  /** What the analysis could not see: sources that did not answer, services with no metrics, no history. */
  missing: string[];
  /**
   * Every service the ranking core scored, most suspect first, anomalous or not (robust z, and its
   * role on the call graph): where to look next when no hypothesis names the service at fault.
   */
  suspects?: Array<{ service: string; z: number; role?: "cause" | "symptom" | "shared" }>;
};

/** What the engine knows about its inputs beyond the signals (all optional; each fills `missing`). */
export type Coverage = {
  sources?: Array<{ source: string; status: string; error?: string }>;
  /** The services the repo configures: those with no metric signal are reported as unseen. */
  services?: string[];
  /** False when no change history could be read. */
  history?: boolean;
};
