import { describe, expect, it } from "@jest/globals";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { stickyMarker, writeMetadata } from "../../../src/github/metadata.js";
import { createHistoryProcessor } from "../../../src/jobs/processors/history.js";
import { FileHistoryStore } from "../../../src/history/store.js";
import { createImpactProcessor } from "../../../src/jobs/processors/pr-impact.js";
import { ADAPTERS } from "../../../src/signals/adapters/registry.js";
import { loadTestApp, useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import { StatefulGitHub } from "../../helpers/stateful-github.js";
import { example } from "../../helpers/webhooks.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const MANIFEST = "k8s/api/deployment.yaml";
const services = { mcpServers: { mcpServers: {}, insight: { budgetMs: 45_000 } }, adapters: ADAPTERS };
const url = (n: number) => `https://github.com/${OWNER}/${REPO}/pull/${n}`;

/** A PR that changes the manifest, with the patch GitHub would list. */
function manifestPull(gh: StatefulGitHub, n: number, title: string, from: string, to: string, body = "") {
  const pull = gh.mergedPull(n, title, { [MANIFEST]: to });
  const removed = from.split("\n").filter((l) => l && !to.split("\n").includes(l));
  const added = to.split("\n").filter((l) => l && !from.split("\n").includes(l));
  pull.files = [
    {
      filename: MANIFEST,
      status: "modified",
      additions: added.length,
      deletions: removed.length,
      patch: `@@ -1,${from.split("\n").length} +1,${to.split("\n").length} @@\n${removed.map((l) => `-${l}`).join("\n")}\n${added.map((l) => `+${l}`).join("\n")}`,
    },
  ];
  pull.body = body;
  return pull;
}

/**
 * The manifest's last five changes: #401 (reverted by #402), #410 (named by incident #20's RCA),
 * #420 (its added line removed by the fix #421); and ten quiet code changes before them.
 */
function github() {
  const gh = new StatefulGitHub(OWNER, REPO);
  const v1 = "kind: Deployment\nspec:\n  replicas: 3\n";
  gh.commit("main", { [MANIFEST]: v1, "services/api/src/app.ts": "export const a = 0;\n" }, "Initial");
  for (let i = 0; i < 10; i++) gh.mergedPull(300 + i, `Tidy app ${i}`, { "services/api/src/app.ts": `export const a = ${i + 1};\n` });
  const v2 = "kind: Deployment\nspec:\n  replicas: 1\n";
  manifestPull(gh, 401, "Scale api down", v1, v2);
  manifestPull(gh, 402, 'Revert "Scale api down"', v2, v1, `Reverts ${OWNER}/${REPO}#401`);
  const v3 = "kind: Deployment\nspec:\n  replicas: 3\n  memory: 128Mi\n";
  const p410 = manifestPull(gh, 410, "Tune api memory", v1, v3);
  const v4 = "kind: Deployment\nspec:\n  replicas: 3\n  memory: 128Mi\n  maxSurge: 100%\n";
  manifestPull(gh, 420, "Faster api rollouts", v3, v4);
  manifestPull(gh, 421, "Fix rollout regression: surge exhausted the node pool", v4, v3);
  gh.repoConfig = stringify({ services: { api: { paths: ["services/api/**", "k8s/api/**"], tier: "critical" } } });
  // Incident #20 (closed), whose RCA named #410.
  const opened = new Date(Date.parse(p410.merged_at!) + 10 * 60_000).toISOString();
  gh.issues.set(20, { title: "api OOMKilled", body: "", created_at: opened, closed_at: opened, updated_at: opened });
  gh.labels.set(20, new Set(["incident"]));
  gh.closedIssues.add(20);
  gh.comments.push({
    id: 700,
    issue: 20,
    body: `${stickyMarker("rca")}\n${writeMetadata("rca", { signals: ["OOMKilled"], affected: ["api"], hypotheses: [{ id: "h1", title: 'Change #410 "Tune api memory"', category: "config", confidence: 0.7, suspect: "#410", service: "api" }] })}`,
    user: { login: "devops-insight[bot]", type: "Bot" },
  });
  // The open PR under review: the manifest again.
  const head = gh.commit("feature-500", { [MANIFEST]: "kind: Deployment\nspec:\n  replicas: 2\n" }, "Scale api to 2");
  gh.pulls.set(500, {
    number: 500,
    node_id: "PR_500",
    title: "Scale api to 2",
    body: "",
    state: "open",
    draft: false,
    merged_at: null,
    merge_commit_sha: null,
    user: { login: "dev", type: "User" },
    head: { ref: "feature-500", sha: head },
    base: { ref: "main", sha: gh.refs.get("main")! },
    commits: 1,
    files: [
      {
        filename: MANIFEST,
        status: "modified",
        additions: 1,
        deletions: 1,
        patch: "@@ -1,3 +1,3 @@\n kind: Deployment\n spec:\n-  replicas: 3\n+  replicas: 2",
      },
    ],
  });
  gh.install();
  return gh;
}

function opened(gh: StatefulGitHub) {
  const p = example("pull_request", "opened");
  Object.assign(p.pull_request, {
    number: 500,
    state: "open",
    draft: false,
    head: { ...p.pull_request.head, ref: "feature-500", sha: gh.pulls.get(500)!.head.sha },
  });
  p.number = 500;
  p.repository.owner.login = OWNER;
  p.repository.name = REPO;
  return p;
}

describe("History: the PR comment's record of past changes to the same things", () => {
  useNock();
  useE2eTimeout();

  it("says how many of the last changes to the manifest were followed by a revert, an incident or a fix, with links", async () => {
    const gh = github();
    const history = { store: new FileHistoryStore(mkdtempSync(join(tmpdir(), "insight-history-pr-"))) };
    const t = await loadTestApp({
      processors: { "pr-impact": createImpactProcessor({ ...services, history }), history: createHistoryProcessor(history) },
    });
    await t.probot.receive({ id: "hist-1", name: "pull_request", payload: opened(gh) } as never);
    await t.idle();

    const comment = gh.commentsOn(500).find((b) => b.startsWith(stickyMarker("impact")))!;
    const row = comment.split("\n").find((l) => l.startsWith("| History |"))!;
    expect(row).toContain(
      `3 of the last 5 changes to \`${MANIFEST}\` were followed by a fix, an incident or a revert within 72 h ([#420](${url(420)}), [#410](${url(410)}), [#401](${url(401)}))`,
    );
    expect(row).toMatch(/\| History \| \+\d+ \|/);
    expect(row).toContain("`#420→fix #421`");
    expect(row).toContain("`#410→incident #20`");
    expect(row).toContain("`#401→revert #402`");
    expect(row).toContain(`\`${MANIFEST}\` is fix-prone`);
    const check = gh.checkRuns.at(-1)!;
    expect(check.output.summary).toMatch(/\| History \| \+\d+ \|/);
  }, 60_000);

  it("adds nothing for a change with no history, and the same analysis twice reads only what changed", async () => {
    const gh = github();
    gh.pulls.get(500)!.files = [
      { filename: "tools/new-script.ts", status: "added", additions: 1, deletions: 0, patch: "@@ -0,0 +1 @@\n+export const f = 1;" },
    ];
    const history = { store: new FileHistoryStore(mkdtempSync(join(tmpdir(), "insight-history-pr-"))) };
    const t = await loadTestApp({ processors: { "pr-impact": createImpactProcessor({ ...services, history }) } });
    await t.probot.receive({ id: "hist-2", name: "pull_request", payload: opened(gh) } as never);
    await t.idle();
    expect(gh.checkRuns.at(-1)!.output.summary).not.toContain("| History |");
    expect(gh.notModified).toEqual([]);
    await t.probot.receive({ id: "hist-3", name: "pull_request", payload: opened(gh) } as never);
    await t.idle();
    expect(gh.notModified).toEqual(expect.arrayContaining([expect.stringContaining("/pulls?"), expect.stringContaining("/deployments")]));
  }, 60_000);

  it("falls back to the service's record, at half weight, for a new file of a service with a bad record", async () => {
    const gh = github();
    gh.pulls.get(500)!.files = [
      {
        filename: "services/api/src/new-feature.ts",
        status: "added",
        additions: 1,
        deletions: 0,
        patch: "@@ -0,0 +1 @@\n+export const f = 1;",
      },
    ];
    const history = { store: new FileHistoryStore(mkdtempSync(join(tmpdir(), "insight-history-pr-"))) };
    const t = await loadTestApp({ processors: { "pr-impact": createImpactProcessor({ ...services, history }) } });
    await t.probot.receive({ id: "hist-4", name: "pull_request", payload: opened(gh) } as never);
    await t.idle();
    expect(gh.checkRuns.at(-1)!.output.summary).toContain("3 of the last 5 changes to service `api` were followed by");
  }, 60_000);
});
