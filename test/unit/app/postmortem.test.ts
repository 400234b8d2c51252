import { describe, expect, it } from "@jest/globals";
import { postmortemCommand } from "../../../src/commands/postmortem.js";
import { stickyMarker, writeMetadata } from "../../../src/github/metadata.js";
import type { RcaMeta } from "../../../src/render/postmortem.js";
import {
  type Captured,
  mockCommentReaction,
  mockCreateComment,
  mockInstallationToken,
  mockIssue,
  mockListComments,
  mockRepoConfig,
} from "../../helpers/github-mocks.js";
import { loadTestApp, useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import { example } from "../../helpers/webhooks.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const T = Date.parse("2026-11-23T02:10:00Z");
const meta: RcaMeta = {
  window: { from: T - 3600_000, to: T + 1800_000 },
  issueOpened: T + 40 * 60_000,
  analysedAt: T + 41 * 60_000,
  onset: { at: T, service: "api", detail: "http.error_rate 0.010 → 0.20 (×20.0)" },
  summary: 'Most likely: Change #41 "Faster order totals" (62%).',
  severity: "SEV2",
  severityRule: "api is critical-tier with 20% errors",
  affected: ["api"],
  timeline: [
    { at: T - 8 * 60_000, what: "#41 Faster order totals", kind: "change" },
    { at: T, what: "api http.error_rate 0.010 → 0.20", kind: "anomaly" },
  ],
  hypotheses: [
    {
      id: "h1",
      title: 'Change #41 "Faster order totals"',
      category: "code",
      confidence: 0.62,
      suspect: "#41",
      service: "api",
      confirm: "roll back #41",
    },
    { id: "h2", title: "Slow queries in PostgreSQL", category: "dependency", confidence: 0.3, confirm: "pg_stat_statements" },
  ],
};

function command(body: string) {
  const p = example("issue_comment", "created");
  Object.assign(p.comment, { body, id: 99, user: { ...p.comment.user, type: "User" } });
  p.sender.type = "User";
  Object.assign(p.issue, { number: 3 });
  delete p.issue.pull_request;
  p.repository.owner.login = OWNER;
  p.repository.name = REPO;
  return p;
}

describe("/insight postmortem", () => {
  useNock();
  useE2eTimeout();

  it("drafts a postmortem from the RCA's facts", async () => {
    const t = await loadTestApp({ commands: { postmortem: postmortemCommand } });
    const draft: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    mockCommentReaction(OWNER, REPO, 99);
    mockListComments(OWNER, REPO, 3, [{ id: 5, body: `${stickyMarker("rca")}\n${writeMetadata("rca", meta)}\n## RCA` }]);
    mockIssue(OWNER, REPO, { number: 3, title: "api returns 500s", body: "", createdAt: new Date(meta.issueOpened).toISOString() });
    mockCreateComment(OWNER, REPO, 3, draft);
    await t.probot.receive({ id: "pm-1", name: "issue_comment", payload: command("/insight postmortem") } as never);
    await t.idle();
    const body = String(draft.body?.body);
    expect(body).toContain("## 📝 Postmortem draft: api returns 500s (#3)");
    expect(body).toContain("SEV2 — api is critical-tier with 20% errors.");
    expect(body).toContain("- 2026-11-23 02:02Z 🔀 #41 Faster order totals");
    expect(body).toContain("The issue was opened 40 min after the first sign (http.error_rate 0.010 → 0.20 (×20.0)).");
    expect(body).toContain("- [ ] Alert on the first sign: http.error_rate 0.010 → 0.20 (×20.0)");
    expect(body).toContain("- [ ] Rule out h2: Slow queries in PostgreSQL");
  });

  it("asks for an RCA first", async () => {
    const t = await loadTestApp({ commands: { postmortem: postmortemCommand } });
    const reply: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    mockCommentReaction(OWNER, REPO, 99);
    mockListComments(OWNER, REPO, 3, []);
    mockCreateComment(OWNER, REPO, 3, reply);
    await t.probot.receive({ id: "pm-2", name: "issue_comment", payload: command("/insight postmortem") } as never);
    await t.idle();
    expect(String(reply.body?.body)).toContain("run `/insight rca` first");
  });
});
