import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { insight } from "../../helpers/cli.js";

/**
 * The CLI runs in-process with its own cwd (`io.cwd`): every command that reads the repository's
 * `.github/insight.yml` without a path must read it there, not in the process's directory.
 * An unknown service makes each command list the services it read, before it touches a source.
 */
describe("commands read .github/insight.yml from the CLI's cwd", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-cwd-"));
    await mkdir(join(dir, ".github"));
    await writeFile(
      join(dir, ".github/insight.yml"),
      "services:\n  checkout:\n    paths: ['checkout/**']\n  ledger:\n    paths: ['ledger/**']\n",
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([["rca"], ["health"], ["signals"]])("insight %s without --repo", async (command) => {
    const run = await insight([command, "--service", "nope"], { cwd: dir });
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: `insight ${command}: no service nope in the repo config (known: checkout, ledger)\n`,
    });
  });
});
