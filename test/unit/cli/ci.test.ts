import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { insight } from "../../helpers/cli.js";
// The command module main() imports on first use, loaded with this file: its import is not the test's work.
import "../../../src/cli/ci.js";

/** `insight ci` in-process: the CI failure pipeline on a local log, no GitHub. */
const LOG = [
  "2026-11-24T01:02:03.0000000Z ##[group]Run npm test",
  "2026-11-24T01:02:10.1234567Z \u001b[31mFAIL\u001b[39m services/api/src/orders.test.ts",
  "2026-11-24T01:02:10.1234567Z     expect(received).toBe(expected) // Object.is equality",
  "2026-11-24T01:02:10.1234567Z       at total (services/api/src/orders.ts:3:9)",
  "2026-11-24T01:02:11.5000000Z ##[error]Process completed with exit code 1.",
].join("\n");
const DIFF = `diff --git a/services/api/src/orders.ts b/services/api/src/orders.ts
--- a/services/api/src/orders.ts
+++ b/services/api/src/orders.ts
@@ -1 +1 @@
-export const total = (p, q) => p * q;
+export const total = (p, q) => p;
diff --git a/docs/old.md b/docs/old.md
deleted file mode 100644
--- a/docs/old.md
+++ /dev/null
@@ -1 +0,0 @@
-old
`;

describe("insight ci", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-ci-"));
    await writeFile(join(dir, "test.log"), LOG);
    await writeFile(join(dir, "change.diff"), DIFF);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("prints the CI section for the log, naming the change's file and line", async () => {
    const r = await insight(["ci", "--log", "test.log", "--files", "services/api/src/orders.ts,README.md"], { cwd: dir });
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^### CI failure in `test\.log`\n/);
    expect(r.stdout).toContain("| test.log | 🔴 **new** — this change broke it | no run of it on the base branch to compare with |");
    expect(r.stdout).toContain("**test.log** first error at `services/api/src/orders.ts:3`");
    expect(r.stdout).toContain("Files of this PR in the failure: `services/api/src/orders.ts:3`");
    expect(r.stdout).not.toContain("<!-- insight:ci");
    expect(r.stdout).not.toContain("Not GitHub Actions");
  });

  it("reads the change's files from a diff, and calls a failure pre-existing when told the base fails too", async () => {
    const r = await insight(
      ["ci", "--log", "test.log", "--diff", "change.diff", "--name", "build / test", "--base-result", "failure", "--json"],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(0);
    const analysis = JSON.parse(r.stdout);
    expect(analysis.checks).toHaveLength(1);
    expect(analysis.checks[0]).toMatchObject({
      name: "build / test",
      kind: "pre-existing",
      logsFrom: "file",
      files: [{ file: "services/api/src/orders.ts", line: 3 }],
    });
  });

  it("reads only the tail of a large log, and says so", async () => {
    const filler = "2026-11-24T01:00:00Z INFO still running a very long test suite\n".repeat(100_000); // ~6.3 MB
    await writeFile(join(dir, "big.log"), `${filler}${LOG}`);
    const r = await insight(["ci", "--log", "big.log", "--json"], { cwd: dir });
    const check = JSON.parse(r.stdout).checks[0];
    expect(check.note).toMatch(/^The log is 6\.\d MB; its last 5 MB were read\.$/);
    expect(check.mining.templates.map((t: { sample: string }) => t.sample)).toContain("FAIL services/api/src/orders.test.ts");
  });

  it("names what is wrong with its arguments (exit 2), and explains itself", async () => {
    expect((await insight(["ci", "--help"], { cwd: dir })).stdout).toMatch(
      /^Usage:\n {2}insight ci --log <file> \[--files a,b \| --diff <file>\]/,
    );
    expect(await insight(["ci"], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringContaining("--log <file> is required") });
    expect(await insight(["ci", "--log", "test.log", "--files", "a", "--diff", "change.diff"], { cwd: dir })).toMatchObject({
      code: 2,
      stderr: "insight ci: give either --files or --diff, not both\n",
    });
    expect(await insight(["ci", "--log", "missing.log"], { cwd: dir })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^insight ci: cannot read --log .*missing\.log: ENOENT/),
    });
    expect(await insight(["ci", "--log", "test.log", "--base-result", "green"], { cwd: dir })).toMatchObject({
      code: 2,
      stderr: 'insight ci: --base-result must be success or failure, not "green"\n',
    });
  });
});
