import { afterAll, describe, expect, it, jest } from "@jest/globals";
import { stringify } from "yaml";
import { impactCommand } from "../../../src/commands/impact.js";
import { readMetadata } from "../../../src/github/metadata.js";
import { createImpactProcessor } from "../../../src/jobs/processors/pr-impact.js";
import { liveSources } from "../../helpers/fixture-pool.js";
import {
  type Captured,
  mockAddLabels,
  mockCommentReaction,
  mockCreateCheckRun,
  mockCreateComment,
  mockInstallationToken,
  mockListComments,
  mockPull,
  mockPullFiles,
  mockRemoveLabel,
  mockRepoConfig,
  mockUpdateComment,
} from "../../helpers/github-mocks.js";
import { loadTestApp, useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import { productionServices } from "../../helpers/scenario.js";
import { example } from "../../helpers/webhooks.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const repoConfig = stringify({
  services: {
    api: { ...productionServices.api, paths: ["services/api/**"] },
    web: { ...productionServices.web, paths: ["services/web/**"] },
  },
});
const sources = await liveSources(OWNER);
afterAll(() => sources.pool.close());

const processor = createImpactProcessor(sources);
const app = () => loadTestApp({ processors: { "pr-impact": processor }, commands: { impact: impactCommand(processor) } });

const sha = (c: string) => c.repeat(40);
const migration = {
  filename: "services/api/db/migrations/V7__orders_status.sql",
  status: "added",
  additions: 2,
  deletions: 0,
  patch: "@@ -0,0 +1,2 @@\n+CREATE INDEX idx_orders_status ON orders (status);\n+ALTER TABLE orders ADD COLUMN status text NOT NULL;",
};
const docs = { filename: "services/web/README.md", status: "modified", additions: 1, deletions: 1, patch: "@@ -1 +1 @@\n-old\n+new" };

function prEvent(action: string, head: string, number = 7) {
  const payload = example("pull_request", action === "synchronize" ? "synchronize" : "opened");
  payload.action = action;
  payload.number = number;
  Object.assign(payload.pull_request, { number, state: "open", draft: false, head: { ...payload.pull_request.head, sha: head } });
  payload.repository.owner.login = OWNER;
  payload.repository.name = REPO;
  return payload;
}

async function deliver(t: Awaited<ReturnType<typeof app>>, name: string, payload: Record<string, unknown>, id: string) {
  await t.probot.receive({ id, name, payload } as never);
  await t.idle();
}

describe("PR blast radius end to end", () => {
  useNock();
  useE2eTimeout();
  // Each test starts an App and fixture MCP servers: a loaded machine needs more than the default 5 s.
  jest.setTimeout(60_000);

  it("comments once, then edits that comment on the next push, swapping the risk label", async () => {
    const t = await app();
    // First push: a locking migration on a 48M-row table of a critical, failing service.
    const check: Captured = {};
    const comment: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, repoConfig);
    mockPull(OWNER, REPO, { number: 7, head: sha("a"), changedFiles: 1 });
    mockPullFiles(OWNER, REPO, 7, [migration]);
    mockCreateCheckRun(OWNER, REPO, check);
    mockAddLabels(OWNER, REPO, 7, ["risk:critical"]);
    mockListComments(OWNER, REPO, 7, []);
    mockCreateComment(OWNER, REPO, 7, comment, 9001);
    await deliver(t, "pull_request", prEvent("opened", sha("a")), "d1");

    const body = String(comment.body?.body);
    expect(body).toMatch(/^<!-- insight:sticky:impact -->/);
    expect(body).toContain("## 🔴 Blast radius: **critical**");
    expect(body).toContain("covers `aaaaaaa`");
    expect(body).toMatch(
      /\| Database migration \| \+35 \| 1 migration on orders; orders \(48\.0M rows, 20\.0 GiB\) is large or hot; create index, add not null column locks it while it runs \| `db:pg:tables` \|/,
    );
    expect(body).toContain("```mermaid");
    expect(readMetadata(body, "impact")).toMatchObject({ head: sha("a"), level: "critical" });
    expect(check.body).toMatchObject({
      name: "Insight / blast radius",
      head_sha: sha("a"),
      status: "completed",
      conclusion: "action_required", // critical: the default conclusion matches the risk
      actions: [{ label: "Re-analyze", identifier: "reanalyze", description: expect.any(String) }],
      output: { title: expect.stringMatching(/^Blast radius: critical \(\d+\/100\)$/) },
    });
    expect((check.body!.output as { annotations: unknown[] }).annotations).toContainEqual(
      expect.objectContaining({ path: migration.filename, start_line: 1, annotation_level: "warning", title: "Database migration (+35)" }),
    );

    // Second push: the migration is gone, only docs change. Same comment, edited; label swapped.
    const edited: Captured = {};
    mockRepoConfig(OWNER, REPO, repoConfig);
    mockPull(OWNER, REPO, { number: 7, head: sha("c"), labels: ["risk:critical", "bug"], changedFiles: 1 });
    mockPullFiles(OWNER, REPO, 7, [docs]);
    mockCreateCheckRun(OWNER, REPO);
    mockRemoveLabel(OWNER, REPO, 7, "risk:critical");
    mockAddLabels(OWNER, REPO, 7, ["risk:low"]);
    mockListComments(OWNER, REPO, 7, [{ id: 9001, body }]);
    mockUpdateComment(OWNER, REPO, 9001, edited);
    await deliver(t, "pull_request", prEvent("synchronize", sha("c")), "d2");

    const second = String(edited.body?.body);
    expect(second).toContain("## 🟢 Blast radius: **low**");
    expect(second).toMatch(/covers `ccccccc` · \d+ → \d+ since `aaaaaaa` \(.*Database migration -35/);
    expect(second).toContain("<details>\n<summary>Details</summary>"); // low risk: compact, details folded
    expect(t.audit.outcomes.filter((e) => e.action === "comment.create")).toHaveLength(1);
    expect(t.audit.outcomes.map((e) => e.action)).toEqual([
      "check_run.create",
      "label.add",
      "comment.create",
      "check_run.create",
      "label.remove",
      "label.add",
      "comment.update",
    ]);
  });

  it("stays quiet on a re-run that finds nothing new, and re-runs from the check run's button", async () => {
    const t = await app();
    const first: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, repoConfig);
    mockPull(OWNER, REPO, { number: 8, head: sha("d"), labels: ["risk:low"], changedFiles: 1 });
    mockPullFiles(OWNER, REPO, 8, [docs]);
    mockCreateCheckRun(OWNER, REPO);
    mockListComments(OWNER, REPO, 8, []);
    mockCreateComment(OWNER, REPO, 8, first, 77);
    await deliver(t, "pull_request", prEvent("opened", sha("d"), 8), "e1");

    const action = example("check_run", "requested_action");
    Object.assign(action.check_run, {
      name: "Insight / blast radius",
      head_sha: sha("d"),
      pull_requests: [{ number: 8, head: { sha: sha("d") }, base: { sha: sha("b") } }],
    });
    action.check_run.app.id = 123;
    action.requested_action = { identifier: "reanalyze" };
    action.repository.owner.login = OWNER;
    action.repository.name = REPO;
    mockRepoConfig(OWNER, REPO, repoConfig);
    mockPull(OWNER, REPO, { number: 8, head: sha("d"), labels: ["risk:low"], changedFiles: 1 });
    mockPullFiles(OWNER, REPO, 8, [docs]);
    mockCreateCheckRun(OWNER, REPO);
    mockListComments(OWNER, REPO, 8, [{ id: 77, body: String(first.body?.body) }]);
    await deliver(t, "check_run", action, "e2");
    expect(t.audit.outcomes.filter((e) => e.action.startsWith("comment."))).toHaveLength(1);
    expect(t.audit.outcomes.filter((e) => e.action === "check_run.create")).toHaveLength(2);
  });

  it("re-runs on check_run.rerequested and on /insight impact", async () => {
    const t = await app();
    const rerequested = example("check_run", "rerequested");
    Object.assign(rerequested.check_run, {
      name: "Insight / blast radius",
      head_sha: sha("e"),
      pull_requests: [{ number: 9, head: { sha: sha("e") }, base: { sha: sha("b") } }],
    });
    rerequested.check_run.app.id = 123;
    rerequested.repository.owner.login = OWNER;
    rerequested.repository.name = REPO;
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, repoConfig);
    mockPull(OWNER, REPO, { number: 9, head: sha("e"), labels: ["risk:low"], changedFiles: 1 });
    mockPullFiles(OWNER, REPO, 9, [docs]);
    mockCreateCheckRun(OWNER, REPO);
    mockListComments(OWNER, REPO, 9, []);
    mockCreateComment(OWNER, REPO, 9);
    await deliver(t, "check_run", rerequested, "f1");

    const comment = example("issue_comment", "created");
    Object.assign(comment.comment, { body: "/insight impact", id: 4242, user: { ...comment.comment.user, type: "User" } });
    comment.sender.type = "User";
    Object.assign(comment.issue, { number: 9, pull_request: { url: "x" } });
    comment.repository.owner.login = OWNER;
    comment.repository.name = REPO;
    mockRepoConfig(OWNER, REPO, repoConfig);
    mockCommentReaction(OWNER, REPO, 4242);
    mockPull(OWNER, REPO, { number: 9, head: sha("e"), draft: true, labels: ["risk:low"], changedFiles: 1 });
    mockPullFiles(OWNER, REPO, 9, [docs]);
    mockCreateCheckRun(OWNER, REPO);
    mockListComments(OWNER, REPO, 9, []);
    mockCreateComment(OWNER, REPO, 9);
    await deliver(t, "issue_comment", comment, "f2");
    expect(t.audit.outcomes.filter((e) => e.action === "check_run.create")).toHaveLength(2);
  });

  it("leaves drafts alone unless impact.drafts is on", async () => {
    const t = await app();
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, repoConfig);
    mockPull(OWNER, REPO, { number: 10, head: sha("f"), draft: true, changedFiles: 1 });
    mockPullFiles(OWNER, REPO, 10, [docs]);
    await deliver(t, "pull_request", prEvent("opened", sha("f"), 10), "g1");
    expect(t.audit.outcomes).toEqual([]);
  });

  it("analyses a 3,000-file PR within GitHub's limits and says what was not listed", async () => {
    const t = await app();
    const files = Array.from({ length: 3000 }, (_, i) => ({
      filename: `services/${i % 2 ? "api" : "web"}/src/module${i}.ts`,
      status: "modified",
      additions: 3,
      deletions: 1,
      patch: `@@ -1,1 +1,3 @@\n+export const v${i} = ${i};`,
    }));
    const comment: Captured = {};
    const check: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, repoConfig);
    mockPull(OWNER, REPO, { number: 11, head: sha("9"), changedFiles: 3400 });
    mockPullFiles(OWNER, REPO, 11, files);
    mockCreateCheckRun(OWNER, REPO, check);
    mockAddLabels(OWNER, REPO, 11, ["risk:high"]);
    mockListComments(OWNER, REPO, 11, []);
    mockCreateComment(OWNER, REPO, 11, comment);
    await deliver(t, "pull_request", prEvent("opened", sha("9"), 11), "h1");
    const body = String(comment.body?.body);
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain("400 files beyond GitHub's 3,000-file listing limit were not listed, so not classified");
    expect(body).toContain("| code | 3000 |");
    expect(body).toMatch(/\| Size and spread \| \+13 \| 12000 lines in 3000 files across 2 services \|/);
  }, 30_000);
});
