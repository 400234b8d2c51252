import { describe, expect, it } from "@jest/globals";
import type { FileChange } from "../../../src/core/change-set.js";
import type { BranchCommit, GitReader, MergedPull, TreeEntry } from "../../../src/changes/github-git.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import { planRevert } from "../../../src/remediation/revert-plan.js";

/**
 * The revert plan as logic over repository data: a reader over plain objects (commits, trees,
 * blobs), no Octokit. The GitHub reader is proven by the fix and rollback end-to-end tests.
 */
type Repo = {
  pull: MergedPull;
  files: FileChange[];
  commits: Record<string, { tree: string; parents: string[]; paths?: string[] }>;
  trees: Record<string, Record<string, string> | "truncated">;
  blobs: Record<string, string>;
  later?: BranchCommit[];
};

function reader(r: Repo): GitReader & { touched: string[] } {
  const touched: string[] = [];
  return {
    touched,
    pull: async () => r.pull,
    pullFiles: async () => r.files,
    defaultBranch: async () => "main",
    branchHead: async () => "c-head",
    commit: async (sha) => ({ sha, ...r.commits[sha]! }),
    commitPaths: async (sha) => r.commits[sha]!.paths ?? [],
    tree: async (sha) => {
      const t = r.trees[sha]!;
      return t === "truncated"
        ? undefined
        : new Map(Object.entries(t).map(([p, blob]): [string, TreeEntry] => [p, { sha: blob, mode: "100644" }]));
    },
    blobText: async (sha, max) => (r.blobs[sha]!.length > max ? undefined : r.blobs[sha]),
    commitsTouching: async ({ path }) => (touched.push(path), r.later ?? []),
  };
}

const pull: MergedPull = {
  number: 42,
  title: "Smaller pool",
  url: "https://github.com/acme/shop/pull/42",
  mergedAt: "2026-11-23T10:00:00Z",
  mergeCommit: "c-merge",
  changedFiles: 4,
  commits: 1,
  base: { ref: "main", sha: "c-before" },
  head: { ref: "pool", sha: "c-pr" },
};
const change = (path: string, status: FileChange["status"] = "modified"): FileChange => ({ path, status, additions: 1, deletions: 1 });
const lines = (...xs: string[]) => `${xs.join("\n")}\n`;

/** #42 changed the pool size, added a file, touched a migration and changed line 1 of app.ts, which a later commit changed at line 5. */
const repo = (over: Partial<Repo> = {}): Repo => ({
  pull,
  files: [
    change("deploy/api.yaml"),
    change("deploy/new.yaml", "added"),
    change("db/migrations/V7__pool.sql", "added"),
    change("src/app.ts"),
  ],
  commits: {
    "c-before": { tree: "t-before", parents: ["c-0"] },
    "c-merge": { tree: "t-merge", parents: ["c-before"] },
    "c-head": { tree: "t-head", parents: ["c-merge"] },
  },
  trees: {
    "t-before": { "deploy/api.yaml": "b-api-1", "src/app.ts": "b-app-1" },
    "t-merge": { "deploy/api.yaml": "b-api-2", "deploy/new.yaml": "b-new", "db/migrations/V7__pool.sql": "b-mig", "src/app.ts": "b-app-2" },
    "t-head": { "deploy/api.yaml": "b-api-2", "deploy/new.yaml": "b-new", "db/migrations/V7__pool.sql": "b-mig", "src/app.ts": "b-app-3" },
  },
  blobs: {
    "b-app-1": lines("pool = 200", "a", "b", "c", "timeout = 5"),
    "b-app-2": lines("pool = 20", "a", "b", "c", "timeout = 5"),
    "b-app-3": lines("pool = 20", "a", "b", "c", "timeout = 9"),
  },
  ...over,
});
const config = repoConfigSchema.parse({});
const params = { pullNumber: 42, kind: "revert" as const, incident: 7, branch: "insight/fix-7", config };

describe("planRevert over a reader", () => {
  it("restores untouched files, deletes added ones, merges one changed since on other lines, and leaves migrations alone", async () => {
    const r = await planRevert(reader(repo()), params);
    if (!r.ok) throw new Error(r.reason);
    const { plan } = r;
    expect(plan.base).toEqual({ ref: "main", sha: "c-head", tree: "t-head" });
    expect(plan.target).toMatchObject({ number: 42, mergeCommit: "c-merge", url: "https://github.com/acme/shop/pull/42" });
    expect(plan.files.map((f) => [f.path, f.action, f.sha])).toEqual([
      ["deploy/api.yaml", "restore", "b-api-1"],
      ["deploy/new.yaml", "delete", undefined],
      ["src/app.ts", "merge", undefined],
    ]);
    // Line 1 back to before #42, line 5 as the later commit left it.
    expect(plan.files[2]!.content).toBe(lines("pool = 200", "a", "b", "c", "timeout = 9"));
    expect(plan.skipped).toEqual([{ path: "db/migrations/V7__pool.sql", why: expect.stringContaining("a migration") }]);
  });

  it("stops at a file later commits changed on the same lines, naming those commits", async () => {
    const data = repo({
      later: [
        { sha: "9f8e7d6c5b", subject: "Pool to 30", author: "oncall" },
        { sha: "c-merge", subject: "Smaller pool" },
      ],
    });
    data.blobs["b-app-3"] = lines("pool = 30", "a", "b", "c", "timeout = 5");
    const git = reader(data);
    const r = await planRevert(git, params);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('- `src/app.ts`: changed on the same lines since the merge by 9f8e7d6 "Pool to 30" by @oncall');
    expect(git.touched).toEqual(["src/app.ts"]);
  });

  it("says why it will not plan: not merged, a rebase merge of several commits, a tree too large to list", async () => {
    const unmerged = await planRevert(reader(repo({ pull: { ...pull, mergedAt: null, mergeCommit: null } })), params);
    expect(unmerged).toEqual({ ok: false, reason: "#42 is not merged, so there is nothing in production to revert" });

    const rebased = repo({ pull: { ...pull, commits: 3 } });
    rebased.commits["c-merge"]!.paths = ["src/app.ts"];
    const r2 = await planRevert(reader(rebased), params);
    expect(!r2.ok && r2.reason).toMatch(/^#42 was rebase-merged as 3 commits; revert them by hand/);

    const big = repo();
    big.trees["t-head"] = "truncated";
    const r3 = await planRevert(reader(big), params);
    expect(!r3.ok && r3.reason).toBe("the repository tree is too large for the Git Data API's recursive listing; revert by hand");
  });
});
