import type { Category } from "../analysis/rca.js";
import type { ChangeKind } from "../analysis/classify-change.js";

/**
 * The repository's memory: past incidents (from Insight's own RCA threads) and past changes (merged
 * PRs or commits) with what followed them. Plain JSON, one document per repository, so the same
 * index lives in a file or in PostgreSQL.
 */

/** A closed incident as its RCA thread recorded it. */
export type IncidentRecord = {
  number: number;
  title: string;
  url?: string;
  openedAt: number;
  closedAt?: number;
  /**
   * The incident's keywords (see the glossary): log templates, alert names, Kubernetes reasons,
   * saturation kinds. Stored under `signals`, GEP's word, as existing indexes and RCA threads have it.
   */
  signals: string[];
  services: string[];
  category?: Category;
  /** The top hypothesis's title (the mechanism), e.g. "PostgreSQL connections exhausted". */
  mechanism?: string;
  /** The root of its chain, e.g. `Change #41 "Faster order totals"`. */
  root?: string;
  /** The change the RCA named as the suspect (`#41`). */
  suspect?: string;
  /** What resolved it: a merged PR. */
  fix?: { ref: string; title?: string; url?: string };
};

/** What followed a change within the window. */
export type FollowUpKind = "revert" | "incident" | "fix" | "failed-deployment";
export type FollowUp = { kind: FollowUpKind; ref: string; at: number; url?: string };

/** A change that reached the default branch. */
export type ChangeRecord = {
  /** `#412` for a PR, a short sha for a commit. */
  id: string;
  sha?: string;
  title: string;
  url?: string;
  at: number;
  files: string[];
  services: string[];
  kinds: ChangeKind[];
  /** Kinds of resource it touches: `table:orders`, `manifest:k8s/api/deployment.yaml`, `chart:charts/api`, `dep:express`. */
  resources: string[];
  /** The change it reverts (its id), when it is a revert. */
  revertOf?: string;
  /** A fix by its message. */
  fix?: boolean;
  /** SZZ: the earlier changes whose lines this fix changed or removed. */
  fixes?: string[];
  /** Short hashes of the lines it added, per file (GitHub index only: how a later fix is linked back to it). */
  added?: Record<string, string[]>;
};

/** A deployment that failed, with the commit it shipped. */
export type FailedDeployment = { id: string; sha: string; at: number; url?: string };

/** How far a first build has come (shown by `insight doctor`). */
export type BuildProgress = {
  state: "building" | "done" | "failed";
  startedAt: number;
  finishedAt?: number;
  done: number;
  total?: number;
  phase: string;
  error?: string;
};

/** Where incremental reads resume, and the ETags of the last answers. */
export type SyncCursor = {
  incidentsUpdatedSince?: string;
  pullsUpdatedSince?: string;
  lastDeployment?: number;
  etags: Record<string, string>;
};

export type RepoHistory = {
  repo: string;
  incidents: IncidentRecord[];
  changes: ChangeRecord[];
  failedDeployments: FailedDeployment[];
  cursor: SyncCursor;
  build?: BuildProgress;
  /** Fixes of incidents not indexed yet (a PR that says "Fixes #7" merged before #7 was closed), by incident number. */
  pendingFixes?: Record<string, NonNullable<IncidentRecord["fix"]>>;
};

export const emptyHistory = (repo: string): RepoHistory => ({
  repo,
  incidents: [],
  changes: [],
  failedDeployments: [],
  cursor: { etags: {} },
});

/** Bounds of one repository's index: the oldest records go first. */
export const MAX_CHANGES = 3000;
export const MAX_INCIDENTS = 500;
