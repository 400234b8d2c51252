import { beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { insight } from "../../helpers/cli.js";
// The command modules main() imports on first use, loaded with this file: their import is not the test's work
// (seconds on a loaded machine, against a 5 s test timeout).
import "../../../src/cli/capsule.js";

describe("insight capsule build / validate ", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-capsule-"));
    const input = {
      signals: ["postgres connection exhaustion", "http 5xx error rate rising"],
      hypothesis: { title: "PostgreSQL connections exhausted", category: "config", confidence: 0.9 },
      fix: {
        kind: "config-rollback",
        approved: true,
        files: [{ path: "deploy/api.yaml", additions: 1, deletions: 1, patch: "@@ -4 +4 @@\n-    maxPool: 200\n+    maxPool: 20" }],
      },
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
  });

  it("names an unreadable file", async () => {
    const r = await insight(["capsule", "validate", join(dir, "missing.json")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.json: ENOENT/);
  });
});
