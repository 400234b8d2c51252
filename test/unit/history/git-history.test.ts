import { describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateRepo } from "../../../bench/history/generate-repo.js";
import { historyReport } from "../../../src/cli/history.js";
import { DEFAULT_REPO_CONFIG } from "../../../src/config/repo-config.js";
import { gitChangeRecord } from "../../../src/history/git-history.js";

function repoWith(steps: Array<[string, Record<string, string>] | ["revert"]>): string {
  const dir = mkdtempSync(join(tmpdir(), "insight-history-"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", dir, "-c", "user.name=Dev", "-c", "user.email=dev@example.test", ...args], { stdio: "pipe" }).toString();
  git("init", "-q", "-b", "main");
  let t = Date.parse("2026-01-01T00:00:00Z") / 1000;
  for (const step of steps) {
    t += 3600;
    process.env.GIT_COMMITTER_DATE = process.env.GIT_AUTHOR_DATE = `${t} +0000`;
    if (step[0] === "revert") git("revert", "--no-edit", "HEAD");
    else {
      for (const [path, text] of Object.entries((step as [string, Record<string, string>])[1])) {
        mkdirSync(join(dir, path, ".."), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      git("add", "-A");
      git("commit", "-q", "-m", step[0]);
    }
  }
  delete process.env.GIT_COMMITTER_DATE;
  delete process.env.GIT_AUTHOR_DATE;
  return dir;
}

const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `line ${i} ${tag}`).join("\n") + "\n";

describe("the change record of a local git history", () => {
  it("links a fix to the change whose lines it rewrote (SZZ), and a revert to what it reverts", async () => {
    const base = lines(10, "base");
    const feature = base.replace("line 4 base", "line 4 feature").replace("line 5 base", "line 5 feature");
    const dir = repoWith([
      ["Initial", { "services/api/orders.ts": base, "k8s/api/deployment.yaml": "kind: Deployment\nspec:\n  replicas: 3\n" }],
      ["Faster order totals (#41)", { "services/api/orders.ts": feature }],
      ["Unrelated tweak (#42)", { "services/api/orders.ts": feature.replace("line 9 base", "line 9 tweak") }],
      [
        "Fix crash in order totals (#43)",
        { "services/api/orders.ts": feature.replace("line 9 base", "line 9 tweak").replace("line 5 feature", "line 5 fixed") },
      ],
      ["Scale api down (#44)", { "k8s/api/deployment.yaml": "kind: Deployment\nspec:\n  replicas: 1\n" }],
      ["revert"],
      ["Fix typo in README", { "README.md": "hello\n" }],
    ]);
    const changes = await gitChangeRecord(dir, { config: DEFAULT_REPO_CONFIG });
    expect(changes.map((c) => c.id).slice(0, 5)).toEqual([expect.stringMatching(/^[0-9a-f]{7}$/), "#41", "#42", "#43", "#44"]);
    const fix = changes.find((c) => c.id === "#43")!;
    expect(fix).toMatchObject({ fix: true, fixes: ["#41"] });
    const revert = changes[5]!;
    expect(revert.title).toBe('Revert "Scale api down (#44)"');
    expect(revert.revertOf).toBe("#44");
    expect(changes.find((c) => c.id === "#44")).toMatchObject({ kinds: ["kubernetes"], resources: ["manifest:k8s/api/deployment.yaml"] });
    expect(changes.at(-1)).not.toHaveProperty("fix"); // a typo fix is not a fix
  }, 60_000);

  it("finds the planted reverts and ranks the planted fragile files first on a generated history", async () => {
    const dir = mkdtempSync(join(tmpdir(), "insight-history-gen-"));
    const planted = generateRepo(dir, { commits: 400, seed: 11 });
    const report = await historyReport({ repo: dir, top: 50 });
    expect(report.commits).toBe(400);
    expect(report.reverts).toBe(planted.reverted.length);
    expect(report.linkedFixes).toBe(planted.fixed.length);
    const top = report.riskiest.slice(0, 3).map((f) => f.file);
    for (const f of top) expect(planted.fragile).toContain(f);
  }, 120_000);

  it("names a directory that is not there", async () => {
    await expect(historyReport({ repo: "/nonexistent/insight-repo" })).rejects.toThrow(
      "--repo /nonexistent/insight-repo: no such directory",
    );
  });
});
