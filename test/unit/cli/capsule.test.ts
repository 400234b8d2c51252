import { beforeAll, describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BIN = new URL("../../../bin/insight.js", import.meta.url).pathname;

async function insight(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe("insight capsule build / validate (the real commands)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-capsule-"));
    const input = {
      signals: ["postgres connection exhaustion", "http 5xx error rate rising"],
      hypothesis: { title: "PostgreSQL connections exhausted", category: "config", confidence: 0.9 },
      fix: { kind: "config-rollback", approved: true, files: [{ path: "deploy/api.yaml", additions: 1, deletions: 1, patch: "@@ -4 +4 @@\n-    maxPool: 200\n+    maxPool: 20" }] },
    };
    await writeFile(join(dir, "fix.json"), JSON.stringify(input));
  });

  it("builds a bundle that validates, and validate catches a tampered one", async () => {
    const built = await insight(["capsule", "build", "--input", join(dir, "fix.json")]);
    expect(built.code).toBe(0);
    const bundle = JSON.parse(built.stdout);
    expect(bundle.capsule.trigger).toEqual(["postgres connection exhaustion", "http 5xx error rate rising"]);
    await writeFile(join(dir, "bundle.json"), built.stdout);
    const good = await insight(["capsule", "validate", join(dir, "bundle.json")]);
    expect(good).toMatchObject({ code: 0, stdout: expect.stringContaining("passes the hub's gates and its asset ids match") });

    // As a publish payload, with the confidence edited after hashing and a too-short summary.
    const tampered = { assets: [bundle.gene, { ...bundle.capsule, confidence: 0.99, summary: "short" }, bundle.event], signature: "x" };
    await writeFile(join(dir, "payload.json"), JSON.stringify(tampered));
    const bad = await insight(["capsule", "validate", join(dir, "payload.json")]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("✖ capsule.summary → at least 20 characters");
    expect(bad.stdout).toContain("✖ capsule.asset_id → does not match the asset's content");
  }, 30_000);

  it("names an unreadable file", async () => {
    const r = await insight(["capsule", "validate", join(dir, "missing.json")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.json: ENOENT/);
  }, 30_000);
});
