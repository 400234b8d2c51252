import { canonicalJson, sha256Hex } from "../util/canonical-json.js";
import { redactDeep } from "../security/redact.js";
import { GENESIS_HASH, type AuditEntry, type AuditInput } from "./types.js";

/** The hash of an entry: sha256 over the canonical JSON of every field but `hash` itself. */
export function hashEntry(entry: Omit<AuditEntry, "hash">): string {
  return sha256Hex(canonicalJson(entry));
}

export type VerifyProblem = {
  /** 1-based line number in the log. */
  line: number;
  kind: "unreadable" | "edited" | "removed" | "reordered" | "chain-broken";
  message: string;
};

export type VerifyResult = { ok: boolean; entries: number; lastHash: string; problem?: VerifyProblem };

/**
 * Walks the chain and reports the first entry that was edited, removed, reordered or cannot be
 * read. Sequence numbers tell a removal (a gap) from a reordering (going back); the hash of each
 * entry catches an edit; `prevHash` ties every entry to the one before it.
 */
export function verifyChain(lines: string[]): VerifyResult {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === "") continue;
    const line = i + 1;
    const fail = (kind: VerifyProblem["kind"], message: string): VerifyResult => ({
      ok: false,
      entries: count,
      lastHash: prevHash,
      problem: { line, kind, message },
    });
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
    prevHash = hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, entries: count, lastHash: prevHash };
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
