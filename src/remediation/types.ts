import type { Factor } from "../analysis/score-blast-radius.js";
import type { RiskLevel } from "../config/repo-config.js";

/** What one file of a fix does to the default branch's head. */
export type PlannedFile = {
  path: string;
  /**
   * `restore`: back to the blob it had before the reverted change (`sha`, already in the
   * repository); `delete`: the reverted change added it; `merge`: later commits changed it too, on
   * other lines, so the revert is merged into today's content (`content`).
   */
  action: "restore" | "delete" | "merge";
  mode: string;
  sha?: string;
  content?: string;
  additions: number;
  deletions: number;
  /** Unified diff against the head (no context lines); absent when unknown. */
  patch?: string;
};

export type FixKind = "revert" | "config-rollback" | "rollback";

/**
 * A fix as data: rendered for the humans who approve it before anything is pushed, then executed
 * as one commit on `branch` and a draft pull request.
 */
export type FixPlan = {
  kind: FixKind;
  /** The incident issue it answers. */
  incident: number;
  /** The merged pull request whose change it reverts. */
  target: { number: number; title: string; url: string; mergeCommit: string; mergedAt: string };
  branch: string;
  /** The default branch and the head the fix commit is made on. */
  base: { ref: string; sha: string; tree: string };
  files: PlannedFile[];
  /** Files of the target left alone, and why (migrations that already ran, for one). */
  skipped: Array<{ path: string; why: string }>;
  /** The hypothesis it acts on, when it comes from an RCA. */
  hypothesis?: { id: string; title: string; category: string; confidence: number };
  /**
   * When the cause is a migration: the runbook that comes before the revert (the revert alone does
   * not undo a schema change) — cancel it if it is still running, then its down step or a
   * corrective migration.
   */
  runbook?: { migrations: string[]; running: boolean; steps: string[] };
  /** Approvals it needs: more than one when its own blast radius is high or critical (`approvers.riskyFix`). */
  approvalsNeeded?: number;
  /** The fix's own blast radius, from the PR-impact scorer. */
  risk?: { score: number; level: RiskLevel; factors: Array<Pick<Factor, "name" | "points" | "reason">>; notAnalysed: string[] };
};

/** A GitHub account: the id is what is compared (a login can be renamed), the login is for display. */
export type GitHubUser = { id: number; login: string };

/**
 * The state of a fix, kept in Insight's own store (`FixStateStore`) and mirrored, signed, in the
 * PR description for people to read. Only the store's copy is trusted.
 */
export type FixState = {
  kind: FixKind;
  incident: number;
  target: number;
  requester: GitHubUser;
  /** The commit Insight pushed: approvals bind to it, and nothing else may be on the branch. */
  commit: string;
  /** When this commit was proposed: an approval comment written before it cannot approve it. */
  proposedAt: string;
  /** `revoked`: someone else pushed to the branch; nothing can be approved until a new proposal. */
  status: "proposed" | "approved" | "rejected" | "merged" | "revoked";
  approvals: Approval[];
  /** Set when the fix's own blast radius is high or critical: it needs this many approvals. */
  approvalsNeeded?: number;
  risk?: { level: RiskLevel; score: number };
  rejected?: { by: GitHubUser; at: string; reason?: string };
  revoked?: { by: GitHubUser; at: string; head: string };
  /** Bumped on every write; the store compares it so two writers cannot both win. */
  version: number;
};

/** One approval: who (by id), of which commit, through which comment (each comment counts once). */
export type Approval = { by: GitHubUser; basis: string; at: string; commit: string; commentId: number };
