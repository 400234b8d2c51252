import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileAuditLog, verifyAuditFile } from "../../../src/audit/file-audit-log.js";
import type { AuditInput } from "../../../src/audit/types.js";

const input = (n: number): AuditInput => ({
  actor: "octocat",
  action: "comment.create",
  target: `acme/api#${n}`,
  delivery: `delivery-${n}`,
  reason: "PR impact analysis",
  outcome: "ok",
});

describe("FileAuditLog", () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-audit-"));
    path = join(dir, "audit.jsonl");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const writeEntries = async (count: number) => {
    const log = new FileAuditLog(path);
    await Promise.all(Array.from({ length: count }, (_, i) => log.append(input(i + 1))));
    await log.close();
    return (await readFile(path, "utf8")).trimEnd().split("\n");
  };

  it("chains 200 concurrent appends without interleaving", async () => {
    const lines = await writeEntries(200);
    expect(lines).toHaveLength(200);
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await expect(verifyAuditFile(path)).resolves.toMatchObject({ ok: true, entries: 200 });
  });

  it("continues the chain after a restart", async () => {
    await writeEntries(3);
    const log = new FileAuditLog(path);
    const entry = await log.append(input(4));
    await log.close();
    expect(entry.seq).toBe(4);
    await expect(verifyAuditFile(path)).resolves.toMatchObject({ ok: true, entries: 4 });
  });

  it("redacts secrets before they reach the file", async () => {
    const log = new FileAuditLog(path);
    await log.append({ ...input(1), reason: "push to https://bot:hunter2@example.com/repo.git" });
    await log.close();
    expect(await readFile(path, "utf8")).not.toContain("hunter2");
  });

  it("catches an edited entry", async () => {
    const lines = await writeEntries(5);
    lines[2] = lines[2]!.replace("octocat", "mallory");
    await writeFile(path, `${lines.join("\n")}\n`);
    await expect(verifyAuditFile(path)).resolves.toMatchObject({ ok: false, problem: { kind: "edited", line: 3 } });
  });

  it("catches an edited entry whose own hash was recomputed", async () => {
    const lines = await writeEntries(5);
    const { hashEntry } = await import("../../../src/audit/chain.js");
    const { hash: _old, ...rest } = JSON.parse(lines[1]!);
    const forged = { ...rest, actor: "mallory" };
    lines[1] = JSON.stringify({ ...forged, hash: hashEntry(forged) });
    await writeFile(path, `${lines.join("\n")}\n`);
    await expect(verifyAuditFile(path)).resolves.toMatchObject({ ok: false, problem: { kind: "chain-broken", line: 3 } });
  });

  it("catches a removed entry", async () => {
    const lines = await writeEntries(5);
    lines.splice(1, 1);
    await writeFile(path, `${lines.join("\n")}\n`);
    await expect(verifyAuditFile(path)).resolves.toMatchObject({ ok: false, problem: { kind: "removed", line: 2 } });
  });

  it("catches reordered entries", async () => {
    const lines = await writeEntries(5);
    [lines[3], lines[2]] = [lines[2]!, lines[3]!];
    await writeFile(path, `${lines.join("\n")}\n`);
    await expect(verifyAuditFile(path)).resolves.toMatchObject({ ok: false, problem: { kind: "removed", line: 3 } });
  });

  it("catches a duplicated entry", async () => {
    const lines = await writeEntries(3);
    lines.push(lines[2]!);
    await writeFile(path, `${lines.join("\n")}\n`);
    await expect(verifyAuditFile(path)).resolves.toMatchObject({ ok: false, problem: { kind: "reordered", line: 4 } });
  });

  it("refuses to extend a damaged log instead of hiding the damage", async () => {
    const lines = await writeEntries(3);
    await writeFile(path, `${lines.join("\n")}\n{not json\n`);
    const log = new FileAuditLog(path);
    await expect(log.append(input(9))).rejects.toThrow(/damaged.*line 4/);
  });
});
