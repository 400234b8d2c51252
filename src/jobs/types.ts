import type { ParsedCommand } from "../core/command.js";
import type { RepoRef } from "../core/github.js";

/**
 * Jobs are plain, serialisable data — what a handler took from a webhook and nothing else — so
 * the same job runs in-process or from a Redis queue in another process. Untrusted text (issue
 * bodies, comments) is not carried: a job re-reads what it needs through the API.
 */
type JobBase = {
  /** Unique per (delivery, kind, subject): a redelivered webhook maps to the same id. */
  id: string;
  delivery: string;
  installationId: number;
  repo: RepoRef;
  /** GitHub login of the user behind the event. */
  actor: string;
  /** Their GitHub user id: decisions bind to it, because a login can be renamed. */
  actorId?: number;
  /** Jobs with the same key coalesce: only the newest runs. */
  coalesceKey?: string;
};

export type PrImpactTrigger = "opened" | "reopened" | "ready_for_review" | "synchronize" | "command" | "rerequested" | "requested_action";

export type PrImpactJob = JobBase & { kind: "pr-impact"; pullNumber: number; headSha: string; draft: boolean; trigger: PrImpactTrigger };
export type PrMergedJob = JobBase & { kind: "pr-merged"; pullNumber: number; mergeCommitSha: string; headRef: string };
export type RcaJob = JobBase & {
  kind: "rca";
  issueNumber: number;
  trigger: "opened" | "labeled";
  /** Labels seen on the event (for `labeled`: the label just added). */
  labels: string[];
};
export type CommandJob = JobBase & {
  kind: "command";
  issueNumber: number;
  isPullRequest: boolean;
  commentId: number;
  /** When GitHub says the comment was written: an approval cannot predate what it approves. */
  commentCreatedAt?: string;
  /** The repository is public: anyone can comment, so commands are for collaborators only. */
  publicRepo?: boolean;
  /** GitHub's `author_association` of the comment (OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, …). */
  authorAssociation?: string;
  command: ParsedCommand | { invalid: string };
  /** Set by the queue when the user went over the command rate limit: the job only answers with a refusal. */
  limited?: { limit: number; windowMs: number; retryAfterMs: number };
};

/** Someone pushed to an Insight fix branch: an approval of an earlier commit is revoked. */
export type FixPushJob = JobBase & { kind: "fix-push"; pullNumber: number; headSha: string; headRef: string };
export type CiFailureJob = JobBase & {
  kind: "ci-failure";
  headSha: string;
  pullNumbers: number[];
  source: { type: "check_run"; id: number; name: string } | { type: "check_suite"; id: number };
};

export type HealthJob = JobBase & {
  kind: "health";
  trigger: "command" | "schedule";
};

/** The repository memory hears of a closed incident or a merged PR (src/history/). */
export type HistoryJob = JobBase & { kind: "history"; event: "issue-closed" | "pr-merged"; number: number };

export type Job = HistoryJob | PrImpactJob | PrMergedJob | RcaJob | CommandJob | CiFailureJob | HealthJob | FixPushJob;
export type JobKind = Job["kind"];
export type JobOf<K extends JobKind> = Extract<Job, { kind: K }>;

/** `limited`: over the per-user command rate limit (the first refusal still runs, to answer). */
export type EnqueueResult = "queued" | "coalesced" | "duplicate" | "rejected" | "limited";

export type QueueStats = {
  pending: number;
  running: number;
  /** `limited`: commands over the per-user rate limit (optional: queues without the limit leave it out). */
  counts: Record<"enqueued" | "coalesced" | "duplicate" | "rejected" | "completed" | "failed", number> & { limited?: number };
  /** Further states a shared queue knows (BullMQ: waiting, delayed, dead-letter…), for /metrics. */
  extra?: Record<string, number>;
};

export type DrainResult = { drained: boolean; abandoned: string[] };

/** Where handlers put work. Implementations: in-process (default) and BullMQ (INSIGHT_QUEUE=redis). */
export interface JobQueue {
  /** A shared queue resolves once the job is stored, so the webhook is acknowledged only then. */
  enqueue(job: Job): EnqueueResult | Promise<EnqueueResult>;
  /** Stops taking jobs, runs what is pending now, waits for running jobs up to `timeoutMs`. */
  drain(timeoutMs: number): Promise<DrainResult>;
  /** Resolves when nothing is pending or running (tests, CLI). */
  onIdle(): Promise<void>;
  stats(): QueueStats | Promise<QueueStats>;
}

/** What a queue that retries tells the runner: whether this error will be followed by another run. */
export type AttemptInfo = { willRetry(err: unknown): boolean };

/** Runs one job; thrown errors are logged by the queue with the job's delivery id. */
export type JobRunner = (job: Job, attempt?: AttemptInfo) => Promise<void>;
