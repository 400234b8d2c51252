import { createHmac, timingSafeEqual } from "node:crypto";
import { hashEntry } from "./chain.js";
import type { AuditEntry } from "./types.js";

/** The head of a chain: the last entry's sequence number and hash. `/health` shows it; `insight audit verify --expect-head` checks it. */
export type AuditHead = { seq: number; hash: string };

export const CHECKPOINT_ACTION = "audit.checkpoint";
/** Entries between two checkpoints, unless the operator's log says otherwise. */
export const CHECKPOINT_EVERY = 100;

const mac = (key: Buffer, head: AuditHead) =>
  createHmac("sha256", key).update(`insight-audit-checkpoint:${head.seq}:${head.hash}`).digest("hex");

/**
 * The entry that signs the chain up to `head` with the operator's key. Someone who can rewrite the
 * file can rebuild a consistent hash chain, but not these signatures. Built without redaction: it
 * carries only hashes, which a secret detector could take for keys.
 */
export function checkpointEntry(head: AuditHead, key: Buffer, every: number, time: Date): AuditEntry {
  const body = {
    actor: "insight",
    action: CHECKPOINT_ACTION,
    target: "audit",
    delivery: "audit",
    reason: "periodic signed checkpoint",
    outcome: "ok" as const,
    detail: { seq: head.seq, hash: head.hash, every, mac: mac(key, head) },
    seq: head.seq + 1,
    time: time.toISOString(),
    prevHash: head.hash,
  };
  return { ...body, hash: hashEntry(body) };
}

/** True when a checkpoint entry signs exactly the entry before it with `key`. */
export function checkpointHolds(entry: AuditEntry, before: AuditHead, key: Buffer): boolean {
  const d = entry.detail as { seq?: unknown; hash?: unknown; mac?: unknown } | undefined;
  if (d?.seq !== before.seq || d.hash !== before.hash || typeof d.mac !== "string" || !/^[0-9a-f]{64}$/.test(d.mac)) return false;
  return timingSafeEqual(Buffer.from(d.mac, "hex"), Buffer.from(mac(key, before), "hex"));
}

/** Parses `<seq>:<hash>` as `--expect-head` takes it; undefined when malformed. */
export function parseHead(text: string): AuditHead | undefined {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim());
  return m ? { seq: Number(m[1]), hash: m[2]! } : undefined;
}
