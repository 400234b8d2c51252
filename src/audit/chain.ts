import { canonicalJson, sha256Hex } from "../util/canonical-json.js";
import { redactDeep } from "../security/redact.js";
import { CHECKPOINT_ACTION, CHECKPOINT_EVERY, checkpointHolds, type AuditHead } from "./checkpoint.js";
import { GENESIS_HASH, type AuditEntry, type AuditInput } from "./types.js";

/** The hash of an entry: sha256 over the canonical JSON of every field but `hash` itself. */
export function hashEntry(entry: Omit<AuditEntry, "hash">): string {
  return sha256Hex(canonicalJson(entry));
}

export type VerifyProblem = {
  /** 1-based line number in the log. */
  line: number;
  kind:
    | "unreadable"
    | "edited"
    | "removed"
    | "reordered"
    | "chain-broken"
    | "checkpoint-forged"
    | "checkpoint-missing"
    | "truncated"
    | "head-mismatch";
  message: string;
};

export type VerifyResult = {
  ok: boolean;
  entries: number;
  lastHash: string;
  problem?: VerifyProblem;
  /** Entries after the last checkpoint (all of them when there is none). */
  sinceCheckpoint?: number;
  /**
   * Writes whose intent was recorded and whose outcome never was: the process stopped between
   * sending the write and hearing back (or, on a live log, the write is in flight). The write may
   * have happened; GitHub says whether it did.
   */
  unfinished?: UnfinishedWrite[];
};

/** A write recorded as intended with no outcome after it. */
export type UnfinishedWrite = { seq: number; time: string; action: string; target: string; actor: string; delivery: string };

export type VerifyOptions = {
  /** The operator's checkpoint key: every checkpoint must be signed with it, and none may be skipped. */
  checkpointKey?: Buffer;
  /** Most entries allowed without a checkpoint (default 100, or what the log's checkpoints say). */
  checkpointEvery?: number;
  /**
   * Fail a log longer than `checkpointEvery` that has no checkpoint at all (the CLI does; the
   * writer does not, so a log from before checkpoints existed can still be continued).
   */
  requireCheckpoint?: boolean;
  /** A head seen earlier (from `/health`): the chain must still hold that entry, with that hash. */
  expectHead?: AuditHead;
};

/**
 * Walks the chain and reports the first entry that was edited, removed, reordered or cannot be
 * read. Sequence numbers tell a removal (a gap) from a reordering (going back); the hash of each
 * entry catches an edit; `prevHash` ties every entry to the one before it. With the operator's
 * key, signed checkpoints catch a chain rebuilt from scratch; with an expected head, a cut tail.
 */
export function verifyChain(lines: string[], options: VerifyOptions = {}): VerifyResult {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  let sinceCheckpoint = 0;
  let every = options.checkpointEvery ?? CHECKPOINT_EVERY;
  let headHash: string | undefined;
  let signed = false;
  // Intents waiting for their outcome, by seq (an outcome names its intent in `detail.intent`).
  const open = new Map<number, UnfinishedWrite>();
  const failAt = (line: number, kind: VerifyProblem["kind"], message: string): VerifyResult => ({
    ok: false,
    entries: count,
    lastHash: prevHash,
    problem: { line, kind, message },
  });
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === "") continue;
    const line = i + 1;
    const fail = (kind: VerifyProblem["kind"], message: string) => failAt(line, kind, message);
    let entry: AuditEntry;
    try {
      entry = JSON.parse(raw) as AuditEntry;
    } catch {
      return fail("unreadable", `line ${line} is not valid JSON`);
    }
    if (typeof entry.hash !== "string" || typeof entry.seq !== "number") {
      return fail("unreadable", `line ${line} has no seq or hash`);
    }
    const { hash, ...rest } = entry;
    if (hashEntry(rest) !== hash) {
      return fail("edited", `entry seq ${entry.seq} (line ${line}) was edited: its hash does not match its content`);
    }
    if (entry.seq > expectedSeq) {
      const gap = expectedSeq === entry.seq - 1 ? `${expectedSeq}` : `${expectedSeq}..${entry.seq - 1}`;
      return fail("removed", `entry seq ${gap} was removed before line ${line}`);
    }
    if (entry.seq < expectedSeq) {
      return fail("reordered", `entry seq ${entry.seq} at line ${line} comes after seq ${expectedSeq - 1}: reordered or duplicated`);
    }
    if (entry.prevHash !== prevHash) {
      return fail("chain-broken", `entry seq ${entry.seq} (line ${line}) does not follow the entry before it`);
    }
    if (options.checkpointKey && entry.action === CHECKPOINT_ACTION) {
      if (!checkpointHolds(entry, { seq: entry.seq - 1, hash: prevHash }, options.checkpointKey)) {
        return fail(
          "checkpoint-forged",
          `checkpoint seq ${entry.seq} (line ${line}) is not signed with the operator's key: the chain before it was rebuilt`,
        );
      }
      const declared = (entry.detail as { every?: unknown }).every;
      if (typeof declared === "number" && declared > 0) every = declared;
      sinceCheckpoint = 0;
      signed = true;
    } else if (entry.action === CHECKPOINT_ACTION) {
      sinceCheckpoint = 0;
    } else if (++sinceCheckpoint > every && options.checkpointKey && signed) {
      return fail(
        "checkpoint-missing",
        `no signed checkpoint within ${every} entries before seq ${entry.seq} (line ${line}): checkpoints were removed`,
      );
    }
    if (entry.outcome === "intent")
      open.set(entry.seq, {
        seq: entry.seq,
        time: entry.time,
        action: entry.action,
        target: entry.target,
        actor: entry.actor,
        delivery: entry.delivery,
      });
    else if (typeof entry.detail?.intent === "number") open.delete(entry.detail.intent);
    if (entry.seq === options.expectHead?.seq) headHash = hash;
    prevHash = hash;
    expectedSeq += 1;
    count += 1;
  }
  if (options.checkpointKey && options.requireCheckpoint && !signed && count > every) {
    return failAt(
      lines.length,
      "checkpoint-missing",
      `${count} entries and not one signed checkpoint: checkpoints were removed, or the log was written without the key`,
    );
  }
  const head = options.expectHead;
  if (head && headHash === undefined) {
    return failAt(lines.length, "truncated", `the log ends at seq ${count}, before the expected head seq ${head.seq}: its tail was cut`);
  }
  if (head && headHash !== head.hash) {
    return failAt(
      head.seq,
      "head-mismatch",
      `entry seq ${head.seq} has hash ${headHash!.slice(0, 12)}…, not the expected ${head.hash.slice(0, 12)}…: the chain was rebuilt`,
    );
  }
  return { ok: true, entries: count, lastHash: prevHash, sinceCheckpoint, ...(open.size ? { unfinished: [...open.values()] } : {}) };
}

/** Builds the entry that follows `last` (or starts the chain): redacted, numbered, hashed. */
export function nextEntry(input: AuditInput, last: { seq: number; hash: string } | undefined, time: Date): AuditEntry {
  const body = {
    ...redactDeep(input),
    seq: (last?.seq ?? 0) + 1,
    time: time.toISOString(),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  return { ...body, hash: hashEntry(body) };
}
