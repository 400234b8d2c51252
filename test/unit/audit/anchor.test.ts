import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashEntry, verifyChain } from "../../../src/audit/chain.js";
import { FileAuditLog } from "../../../src/audit/file-audit-log.js";
import type { AuditEntry } from "../../../src/audit/types.js";
import { GENESIS_HASH } from "../../../src/audit/types.js";
import { auditVerify } from "../../../src/cli/audit-verify.js";
import { createHealthHandler } from "../../../src/http/health.js";
import { bufferIo } from "../../helpers/cli.js";

const KEY = Buffer.alloc(32, 7);
const entry = (n: number) => ({
  actor: "lead",
  action: "fix.approve",
  target: `acme/api#${n}`,
  delivery: `d-${n}`,
  reason: "maintain access",
  outcome: "decision" as const,
});

/** What an attacker with write access to the file can do: rebuild a consistent chain from edited entries. */
function rebuild(lines: string[], change: (e: Record<string, unknown>) => void): string[] {
  let prevHash = GENESIS_HASH;
  return lines.map((raw) => {
    const { hash: _hash, ...rest } = JSON.parse(raw) as AuditEntry;
    const body = { ...rest, prevHash } as Record<string, unknown>;
    change(body);
    const hash = hashEntry(body as never);
    prevHash = hash;
    return JSON.stringify({ ...body, hash });
  });
}

describe("anchoring the audit chain (issue #15)", () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-anchor-"));
    path = join(dir, "audit.jsonl");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function write(count: number) {
    const log = new FileAuditLog(path, { checkpointKey: KEY, checkpointEvery: 4 });
    for (let i = 1; i <= count; i++) await log.append(entry(i));
    const head = await log.head();
    await log.close();
    return { head: head!, lines: (await readFile(path, "utf8")).trimEnd().split("\n") };
  }

  it("writes signed checkpoints every few entries and a head that /health shows", async () => {
    const { head, lines } = await write(10);
    const checkpoints = lines.map((l) => JSON.parse(l) as AuditEntry).filter((e) => e.action === "audit.checkpoint");
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    expect(checkpoints[0]!.detail).toMatchObject({ seq: 4, mac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Closing signs the tail: one more checkpoint after the head seen while running.
    expect(lines.length).toBe(head.seq + 1);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ action: "audit.checkpoint", detail: { seq: head.seq, hash: head.hash } });
    expect(verifyChain(lines, { checkpointKey: KEY, expectHead: head, requireCheckpoint: true })).toMatchObject({ ok: true });

    const log = new FileAuditLog(path, { checkpointKey: KEY });
    let body = "";
    const res = { writeHead: () => res, end: (b: string) => void (body = b) };
    await createHealthHandler(() => ({ stats: () => ({ pending: 0, running: 0, counts: {} }) }) as never, log)(
      { method: "GET", url: "/health" } as never,
      res as never,
    );
    await log.close();
    const last = JSON.parse(lines.at(-1)!) as AuditEntry;
    expect(JSON.parse(body).audit).toEqual({ seq: last.seq, hash: last.hash });
  });

  it("catches a cut tail with --expect-head", async () => {
    const { head, lines } = await write(10);
    const cut = lines.slice(0, -3);
    expect(verifyChain(cut).ok).toBe(true); // the chain alone cannot see it
    const result = verifyChain(cut, { checkpointKey: KEY, expectHead: head });
    expect(result).toMatchObject({ ok: false, problem: { kind: "truncated" } });
    await writeFile(path, `${cut.join("\n")}\n`);
    expect(await auditVerify({ file: path, expectHead: `${head.seq}:${head.hash}`, key: KEY }, bufferIo())).toBe(1);
  });

  it("catches a rebuilt chain: by its checkpoints' signatures, and by the expected head", async () => {
    const { head, lines } = await write(10);
    const rebuilt = rebuild(lines, (e) => {
      if (e.target === "acme/api#2") e.actor = "mallory";
    });
    expect(verifyChain(rebuilt).ok).toBe(true);
    // Dropping the checkpoints and renumbering gives a consistent chain again: only their absence gives it away.
    const renumbered = rebuild(
      lines.filter((l) => !l.includes('"audit.checkpoint"')).map((l, i) => JSON.stringify({ ...JSON.parse(l), seq: i + 1 })),
      () => {},
    );
    expect(verifyChain(renumbered).ok).toBe(true);
    expect(verifyChain(renumbered, { checkpointKey: KEY, checkpointEvery: 4, requireCheckpoint: true })).toMatchObject({
      ok: false,
      problem: { kind: "checkpoint-missing" },
    });
    expect(verifyChain(rebuilt, { checkpointKey: KEY })).toMatchObject({ ok: false, problem: { kind: "checkpoint-forged" } });
    expect(verifyChain(rebuilt, { expectHead: head })).toMatchObject({ ok: false, problem: { kind: "head-mismatch" } });
    await writeFile(path, `${rebuilt.join("\n")}\n`);
    expect(await auditVerify({ file: path, expectHead: `${head.seq}:${head.hash}`, key: KEY }, bufferIo())).toBe(1);
  });

  it("rejects a malformed --expect-head with a clear message", async () => {
    await write(3);
    const io = bufferIo();
    expect(await auditVerify({ file: path, expectHead: "12-abc", key: KEY }, io)).toBe(2);
    expect(io.printed.stderr).toContain(
      '--expect-head must be <seq>:<sha256 hex> as /health shows it (e.g. 42:0000000000000000000000000000000000000000000000000000000000000000), not "12-abc"',
    );
  });
});
