import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BIN = new URL("../../../bin/insight.js", import.meta.url).pathname;
/**
 * The one spawned CLI test: bin/insight.js as a real process (tsx transpiling the sources when no fresh
 * build is there), which takes seconds on a loaded machine. Every other CLI test calls main() in-process.
 */
const PROCESS_TIMEOUT = 120_000;

/** `insight <args>` as a real process with a bare environment: exit code and output. */
async function spawnInsight(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe("the insight binary (a real process)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-smoke-"));
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", dir, "-c", "user.name=Dev", "-c", "user.email=dev@example.test", "-c", "commit.gpgsign=false", ...args], {
        stdio: "pipe",
      });
    git("init", "-q", "-b", "main");
    await writeFile(join(dir, "README.md"), "# shop\n");
    git("add", "-A");
    git("commit", "-q", "-m", "Shop");
    git("checkout", "-q", "-b", "feature");
    await writeFile(join(dir, "schema.sql"), "ALTER TABLE orders ADD COLUMN status text NOT NULL;\n");
    git("add", "-A");
    git("commit", "-q", "-m", "Orders get a status");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it(
    "prints its usage for --help and the impact of a local change (README: `npx insight impact --repo <path> --base main`)",
    async () => {
      const help = await spawnInsight(["--help"], dir);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("Usage: insight <command> [options]");

      const impact = await spawnInsight(["impact", "--repo", ".", "--base", "main", "--head", "feature"], dir);
      expect(impact).toMatchObject({ code: 0, stderr: "" });
      expect(impact.stdout).toMatch(/## \S+ Blast radius: \*\*\w+\*\*/);
      expect(impact.stdout).toContain(`re-run with \`insight impact --repo ${dir} --base main --head feature\``);
    },
    PROCESS_TIMEOUT,
  );
});
