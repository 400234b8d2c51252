/**
 * What happened to a write: done, refused or failed at GitHub, or only planned (dry run). `intent`
 * is written before a write is sent; the write's outcome entry names it (`detail.intent`), so a
 * process killed between GitHub's answer and the outcome still leaves the write in the log.
 */
export type AuditOutcome = "intent" | "ok" | "error" | "dry-run" | "refused" | "decision";

/** What a caller records; the log adds sequence, time and the hash chain. */
export type AuditInput = {
  /** Who caused it: the GitHub user behind the event, or `insight` for the app's own decisions. */
  actor: string;
  /** Dotted verb, e.g. `comment.create`, `label.add`, `approval.grant`. */
  action: string;
  /** What it touched, e.g. `acme/api#42`, `acme/api@refs/heads/insight/fix-7`. */
  target: string;
  /** GitHub delivery id of the webhook behind it (or `cli:<run id>`). */
  delivery: string;
  /** Why Insight did it. */
  reason: string;
  outcome: AuditOutcome;
  /** Small, redacted facts about the write (ids, hashes of bodies, error status). */
  detail?: Record<string, unknown>;
};

export type AuditEntry = AuditInput & {
  seq: number;
  time: string;
  prevHash: string;
  hash: string;
};

/** Append-only audit sink. Implementations must serialise appends and chain hashes. */
export interface AuditLog {
  append(input: AuditInput): Promise<AuditEntry>;
  /** The last entry's seq and hash (undefined while empty): shown in `/health` so a cut tail can be caught. */
  head(): Promise<{ seq: number; hash: string } | undefined>;
  close(): Promise<void>;
}

export const GENESIS_HASH = "0".repeat(64);
