import { describe, expect, it } from "@jest/globals";
import { classifyFailure, mineFailureLog, prFilesInFailure } from "../../../src/analysis/ci-failure.js";
import { impactCommand } from "../../../src/commands/impact.js";
import { parseMcpServers } from "../../../src/config/mcp-servers.js";
import { ciFailureProcessor, refreshCiSection } from "../../../src/jobs/processors/ci-failure.js";
import { createImpactProcessor } from "../../../src/jobs/processors/pr-impact.js";
import { ADAPTERS } from "../../../src/signals/adapters/registry.js";
import { renderCiSection } from "../../../src/render/ci-failure.js";
import { stickyMarker } from "../../../src/github/metadata.js";
import {
  api,
  type Captured,
  mockCommentReaction,
  mockCreateCheckRun,
  mockInstallationToken,
  mockListComments,
  mockPullFiles,
  mockRepoConfig,
  mockUpdateComment,
} from "../../helpers/github-mocks.js";
import { loadTestApp, useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import { example } from "../../helpers/webhooks.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

const JEST_LOG = [
  "2026-11-24T01:02:03.0000000Z ##[group]Run npm test",
  "2026-11-24T01:02:04.0000000Z > jest",
  "2026-11-24T01:02:10.1234567Z \u001b[31mFAIL\u001b[39m services/api/src/orders.test.ts",
  "2026-11-24T01:02:10.1234567Z   ● total › multiplies price by quantity",
  "2026-11-24T01:02:10.1234567Z     expect(received).toBe(expected) // Object.is equality",
  "2026-11-24T01:02:10.1234567Z     Expected: 20",
  "2026-11-24T01:02:10.1234567Z     Received: 10",
  "2026-11-24T01:02:10.1234567Z       at Object.<anonymous> (services/api/src/orders.test.ts:12:22)",
  "2026-11-24T01:02:10.1234567Z       at total (services/api/src/orders.ts:3:9)",
  "2026-11-24T01:02:10.2000000Z       at Promise.then (node_modules/jest-circus/build/utils.js:298:28)",
  "2026-11-24T01:02:11.0000000Z Tests: 1 failed, 41 passed, 42 total",
  "2026-11-24T01:02:11.5000000Z ##[error]Process completed with exit code 1.",
  "2026-11-24T01:02:12.0000000Z Post job cleanup.",
].join("\r\n");

describe("the CI section's first error", () => {
  it("names the actual error line with the PR file and line it points at", () => {
    const log = [
      "2026-11-24T01:02:03.0000000Z ##[group]Run npm test",
      "2026-11-24T01:02:09.0000000Z FAIL services/payments/src/refund.test.ts",
      "2026-11-24T01:02:09.1000000Z   ● refunds › refunds a whole order",
      "2026-11-24T01:02:09.2000000Z     ReferenceError: bulkRefund is not defined",
      "2026-11-24T01:02:09.3000000Z       at refundOrder (services/payments/src/refund.ts:42:5)",
      "2026-11-24T01:02:11.5000000Z ##[error]Process completed with exit code 1.",
    ].join("\n");
    const mining = mineFailureLog(log);
    const check = {
      name: "build / test",
      kind: "new" as const,
      why: "its latest run on the base branch passed",
      mining,
      logsFrom: "actions" as const,
      files: prFilesInFailure(mining.paths, ["services/payments/src/refund.ts"]),
    };
    const md = renderCiSection({ sha: SHA, checks: [check] });
    expect(md).toContain(
      "**build / test** first error at `services/payments/src/refund.ts:42`: `ReferenceError: bulkRefund is not defined`",
    );
  });
});

describe("mining a failed job's log", () => {
  it("finds the error templates, where they start, and the source paths (not node_modules)", () => {
    const m = mineFailureLog(JEST_LOG);
    expect(m.templates.map((t) => t.sample)).toEqual(
      expect.arrayContaining([
        "FAIL services/api/src/orders.test.ts",
        "expect(received).toBe(expected) // Object.is equality",
        "Process completed with exit code 1.",
      ]),
    );
    expect(m.templates.find((t) => t.sample.startsWith("FAIL"))!.firstLine).toBe(3);
    expect(m.paths).toEqual([
      { path: "services/api/src/orders.test.ts" },
      { path: "services/api/src/orders.test.ts", line: 12 },
      { path: "services/api/src/orders.ts", line: 3 },
    ]);
    expect(prFilesInFailure(m.paths, ["services/api/src/orders.ts", "README.md"])).toEqual([
      { file: "services/api/src/orders.ts", line: 3 },
    ]);
  });

  it("tells new from pre-existing from flaky", () => {
    const run = (conclusion: string, completedAt = "2026-11-24T01:00:00Z") => ({
      id: 1,
      name: "test",
      status: "completed",
      conclusion,
      completedAt,
    });
    expect(classifyFailure({ sameCommit: [run("failure")], onBase: [run("success")] })).toEqual({
      kind: "new",
      why: "its latest run on the base branch passed",
    });
    expect(classifyFailure({ sameCommit: [run("failure")], onBase: [run("success", "2026-11-23T00:00:00Z"), run("failure")] }).kind).toBe(
      "pre-existing",
    );
    expect(classifyFailure({ sameCommit: [run("failure"), run("success")], onBase: [run("failure")] }).kind).toBe("flaky");
    expect(classifyFailure({ sameCommit: [run("failure")], onBase: [] })).toEqual({
      kind: "new",
      why: "no run of it on the base branch to compare with",
    });
  });
});

type RunSpec = {
  id: number;
  name: string;
  conclusion: string;
  app?: string;
  completed?: string;
  output?: { title: string; summary: string; text?: string };
};
const checkRun = (r: RunSpec) => ({
  id: r.id,
  name: r.name,
  status: "completed",
  conclusion: r.conclusion,
  head_sha: SHA,
  completed_at: r.completed ?? "2026-11-24T01:03:00Z",
  html_url: `https://github.com/${OWNER}/${REPO}/runs/${r.id}`,
  app: { id: r.app === "insight" ? 123 : 15368, slug: r.app ?? "github-actions" },
  output: r.output ?? { title: null, summary: null, text: null },
});

function failedEvent() {
  const p = example("check_run", "completed");
  Object.assign(p.check_run, { id: 901, name: "build / test", conclusion: "failure", head_sha: SHA });
  p.check_run.pull_requests = [{ number: 2, head: { ref: "changes", sha: SHA }, base: { ref: "main", sha: "f".repeat(40) } }];
  p.repository.owner.login = OWNER;
  p.repository.name = REPO;
  return p;
}

/** The GitHub side: the commit's check runs, the PR, its files, the base branch's runs, the job's log through its redirect. */
/** The commit's checks, the PR (unless `pull: false`: the test serves it), its files and the base branch's runs. */
function mockCommit(runs: RunSpec[], base: Record<string, string>, { pull = true } = {}) {
  const scope = api()
    .get(`/repos/${OWNER}/${REPO}/commits/${SHA}/check-runs`)
    .query(true)
    .reply(200, { total_count: runs.length, check_runs: runs.map(checkRun) });
  if (pull)
    scope
      .get(`/repos/${OWNER}/${REPO}/pulls/2`)
      .reply(200, { number: 2, state: "open", head: { ref: "changes", sha: SHA }, base: { ref: "main", sha: "f".repeat(40) } });
  scope
    .get(`/repos/${OWNER}/${REPO}/pulls/2/files`)
    .query(true)
    .reply(200, [{ filename: "services/api/src/orders.ts", status: "modified", additions: 1, deletions: 1 }]);
  for (const [name, conclusion] of Object.entries(base)) {
    scope
      .get(`/repos/${OWNER}/${REPO}/commits/main/check-runs`)
      .query((q) => q.check_name === name)
      .reply(200, { total_count: 1, check_runs: [{ ...checkRun({ id: 700, name, conclusion }), head_sha: "f".repeat(40) }] });
  }
  return scope;
}

const app = () => loadTestApp({ processors: { "ci-failure": ciFailureProcessor } });
const impactBody = `${stickyMarker("impact")}\n## 🟠 Blast radius: **medium** (40/100)\nreasons`;

describe("CI failure analysis end to end", () => {
  useNock();
  useE2eTimeout();

  it("reads the Actions log, calls a new failure new, names the PR's file, and puts a section into the Insight comment (no new comment)", async () => {
    const t = await app();
    const updated: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    mockCommit(
      [
        { id: 901, name: "build / test", conclusion: "failure" },
        {
          id: 902,
          name: "lint",
          conclusion: "failure",
          app: "circleci-checks",
          output: {
            title: "ESLint found 2 problems",
            summary: "services/api/src/orders.ts:7:3 error 'x' is assigned a value but never used",
          },
        },
        { id: 903, name: "Insight / blast radius", conclusion: "failure", app: "insight" },
      ],
      { "build / test": "success", lint: "failure" },
    );
    api()
      .get(`/repos/${OWNER}/${REPO}/actions/jobs/901/logs`)
      .reply(302, "", { location: "https://results-receiver.actions.githubusercontent.com/logs/901.txt?sig=abc" });
    const blob = (await import("nock"))
      .default("https://results-receiver.actions.githubusercontent.com")
      .get("/logs/901.txt")
      .query(true)
      .reply(200, JEST_LOG, { "content-type": "text/plain" });
    mockListComments(OWNER, REPO, 2, [{ id: 77, body: impactBody }]);
    mockUpdateComment(OWNER, REPO, 77, updated);
    await t.probot.receive({ id: "ci-1", name: "check_run", payload: failedEvent() } as never);
    await t.idle();
    expect(blob.isDone()).toBe(true);
    const body = String(updated.body?.body);
    expect(body.startsWith(impactBody)).toBe(true); // the impact report is kept as it was
    expect(body).toContain(`<!-- insight:ci:start sha=${SHA} -->`);
    expect(body).toContain(
      `| [build / test](https://github.com/${OWNER}/${REPO}/runs/901) | 🔴 **new** — this change broke it | its latest run on the base branch passed |`,
    );
    expect(body).toContain(
      `| [lint](https://github.com/${OWNER}/${REPO}/runs/902) | 🟡 pre-existing | its latest run on the base branch failed as well |`,
    );
    expect(body).not.toContain("Insight / blast radius |");
    expect(body).toContain("Files of this PR in the failure: `services/api/src/orders.ts:3`");
    expect(body).toContain(
      "**build / test** first error at `services/api/src/orders.ts:3`: `expect(received).toBe(expected) // Object.is equality`",
    );
    expect(body).toMatch(/- ×1, first at log line 3: `FAIL services\/api\/src\/orders.test.ts`/);
    expect(body).toContain("Files of this PR in the failure: `services/api/src/orders.ts:7`"); // lint, from the check's output
    expect(body).toContain("Not GitHub Actions: read from the check run's output text.");
    expect(t.audit.outcomes.map((e) => e.action)).toEqual(["comment.update"]);
  });

  it("calls a failure that passed on a re-run flaky, and replaces the earlier section", async () => {
    const t = await app();
    const updated: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    // The first attempt failed; the re-run of the same check failed again later with a different log — and an earlier attempt passed.
    mockCommit(
      [
        { id: 901, name: "build / test", conclusion: "failure", completed: "2026-11-24T01:03:00Z" },
        { id: 904, name: "build / test", conclusion: "success", completed: "2026-11-24T00:50:00Z" },
      ],
      { "build / test": "success" },
    );
    api()
      .get(`/repos/${OWNER}/${REPO}/actions/jobs/901/logs`)
      .reply(200, "2026-11-24T01:02:10Z Error: connect ECONNREFUSED 127.0.0.1:5432", { "content-type": "text/plain" });
    const stale = `<!-- insight:ci:start sha=${"a".repeat(40)} -->\n### CI failures on \`aaaaaaa\`\nold\n<!-- insight:ci:end -->\n`;
    mockListComments(OWNER, REPO, 2, [{ id: 77, body: `${impactBody}\n\n${stale}` }]);
    mockUpdateComment(OWNER, REPO, 77, updated);
    await t.probot.receive({ id: "ci-2", name: "check_run", payload: failedEvent() } as never);
    await t.idle();
    const body = String(updated.body?.body);
    expect(body).toContain("| 🔁 flaky | the same check passed on this commit too (a re-run) |");
    expect(body).not.toContain("aaaaaaa");
    expect(body.match(/insight:ci:start/g)).toHaveLength(1);
  });
});

describe("/insight impact refreshes the CI section", () => {
  useNock();
  useE2eTimeout();

  it("re-runs the blast radius, then the CI failure pipeline on the PR's head, into the one comment", async () => {
    const impact = createImpactProcessor({ mcpServers: parseMcpServers({ mcpServers: {} }), adapters: ADAPTERS });
    const t = await loadTestApp({ commands: { impact: impactCommand(impact, refreshCiSection) } });
    const comment = example("issue_comment", "created");
    Object.assign(comment.comment, { body: "/insight impact", id: 4243, user: { ...comment.comment.user, type: "User" } });
    comment.sender.type = "User";
    Object.assign(comment.issue, { number: 2, pull_request: { url: "x" } });
    comment.repository.owner.login = OWNER;
    comment.repository.name = REPO;
    // The PR's Insight comment as GitHub holds it: listed as it is now, edited in place.
    let current = impactBody;
    const listed = () =>
      api()
        .get(`/repos/${OWNER}/${REPO}/issues/2/comments`)
        .query(true)
        .reply(200, () => [{ id: 77, body: current, user: { login: "devops-insight[bot]", type: "Bot" } }]);
    const edited = () =>
      api()
        .patch(`/repos/${OWNER}/${REPO}/issues/comments/77`, (b) => ((current = b.body), true))
        .reply(200, { id: 77 });
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, "services:\n  api:\n    paths: ['services/api/**']\n");
    mockCommentReaction(OWNER, REPO, 4243);
    // The PR, however often it is asked for: the command reads it once and both steps use that read.
    let pullReads = 0;
    api()
      .get(`/repos/${OWNER}/${REPO}/pulls/2`)
      .reply(200, () => {
        pullReads++;
        return {
          number: 2,
          title: "Docs",
          state: "open",
          draft: false,
          user: { login: "octocat" },
          labels: [{ name: "risk:low" }],
          head: { ref: "changes", sha: SHA },
          base: { ref: "main", sha: "f".repeat(40) },
          changed_files: 1,
        };
      })
      .persist();
    // The blast radius first: a README change, re-posted into the comment.
    mockPullFiles(OWNER, REPO, 2, [
      { filename: "README.md", status: "modified", additions: 1, deletions: 1, patch: "@@ -1 +1 @@\n-a\n+b" },
    ]);
    mockCreateCheckRun(OWNER, REPO);
    listed();
    edited();
    // Then the CI section of the same head: the commit's checks, the PR's files, the base branch's run, the log.
    mockCommit([{ id: 901, name: "build / test", conclusion: "failure" }], { "build / test": "success" }, { pull: false });
    api().get(`/repos/${OWNER}/${REPO}/actions/jobs/901/logs`).reply(200, JEST_LOG, { "content-type": "text/plain" });
    listed();
    edited();
    await t.probot.receive({ id: "ci-cmd-1", name: "issue_comment", payload: comment } as never);
    await t.idle();
    expect(current).toContain("Blast radius: **low**");
    expect(current).toContain(`<!-- insight:ci:start sha=${SHA} -->`);
    expect(current).toContain("| 🔴 **new** — this change broke it | its latest run on the base branch passed |");
    expect(current).toContain("Files of this PR in the failure: `services/api/src/orders.ts:3`");
    expect(t.audit.outcomes.map((e) => e.action)).toEqual(["reaction.create", "check_run.create", "comment.update", "comment.update"]);
    expect(pullReads).toBe(1);
  });
});
