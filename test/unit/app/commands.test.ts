import { describe, expect, it } from "@jest/globals";
import type { CommandHandler } from "../../../src/commands/run-command.js";
import {
  api,
  type Captured,
  mockCommentReaction,
  mockCreateComment,
  mockInstallationToken,
  mockListComments,
  mockPermission,
  mockRepoConfig,
  mockUpdateComment,
} from "../../helpers/github-mocks.js";
import { loadTestApp, useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import { example } from "../../helpers/webhooks.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";

function commentEvent(body: string, login = "octocat") {
  const payload = example("issue_comment", "created");
  payload.comment.body = body;
  payload.comment.user = { ...payload.comment.user, login, type: "User" };
  payload.sender = { ...payload.sender, login, type: "User" };
  payload.repository.owner.login = OWNER;
  payload.repository.name = REPO;
  delete payload.issue.pull_request;
  return payload;
}

async function send(app: Awaited<ReturnType<typeof loadTestApp>>, payload: Record<string, any>, id = "delivery-1") {
  await app.probot.receive({ id, name: "issue_comment", payload } as never);
  await app.idle();
}

describe("slash commands end to end", () => {
  useNock();
  useE2eTimeout();

  it("answers /insight help with the commands that exist here, and audits the writes", async () => {
    const app = await loadTestApp();
    const payload = commentEvent("/insight help");
    const reply: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    mockCommentReaction(OWNER, REPO, payload.comment.id);
    mockCreateComment(OWNER, REPO, payload.issue.number, reply);
    await send(app, payload);
    expect(reply.body?.body).toContain("| `/insight help` | Show this help |");
    expect(reply.body?.body).not.toContain("/insight fix"); // no handler in this build → not offered
    expect(app.audit.outcomes.map((e) => [e.action, e.outcome, e.delivery])).toEqual([
      ["reaction.create", "ok", "delivery-1"],
      ["comment.create", "ok", "delivery-1"],
    ]);
  });

  it("answers an unknown command with help", async () => {
    const app = await loadTestApp();
    const payload = commentEvent("/insight deploy now");
    const reply: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    mockCommentReaction(OWNER, REPO, payload.comment.id);
    mockCreateComment(OWNER, REPO, payload.issue.number, reply);
    await send(app, payload);
    expect(reply.body?.body).toMatch(/`\/insight deploy` is not a command I know/);
  });

  it("refuses a writing command to a read-only user, politely, and records the refusal", async () => {
    const ran: string[] = [];
    const fix: CommandHandler = async (job) => void ran.push(job.actor);
    const app = await loadTestApp({ commands: { fix } });
    const payload = commentEvent("/insight fix", "reader");
    const reply: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    mockCommentReaction(OWNER, REPO, payload.comment.id);
    mockPermission(OWNER, REPO, "reader", "read");
    mockCreateComment(OWNER, REPO, payload.issue.number, reply);
    await send(app, payload);
    expect(ran).toEqual([]);
    expect(reply.body?.body).toContain("Sorry @reader, `/insight fix` needs write access to this repository (you have `read`)");
    expect(app.audit.outcomes.find((e) => e.outcome === "refused")).toMatchObject({
      action: "command.fix",
      actor: "reader",
      reason: "permission",
    });
  });

  it("runs a writing command for a maintainer (fine-grained role)", async () => {
    const ran: string[] = [];
    const fix: CommandHandler = async (job) => void ran.push(job.actor);
    const app = await loadTestApp({ commands: { fix } });
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    const payload = commentEvent("/insight fix", "maintainer");
    mockCommentReaction(OWNER, REPO, payload.comment.id);
    mockPermission(OWNER, REPO, "maintainer", "write", "maintain");
    await send(app, payload);
    expect(ran).toEqual(["maintainer"]);
  });

  it("says when the repository switched a command off", async () => {
    const fix: CommandHandler = async () => {};
    const app = await loadTestApp({ commands: { fix } });
    const payload = commentEvent("/insight fix");
    const reply: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, "commands:\n  fix: false\n");
    mockCommentReaction(OWNER, REPO, payload.comment.id);
    mockCreateComment(OWNER, REPO, payload.issue.number, reply);
    await send(app, payload);
    expect(reply.body?.body).toContain("switched off in this repository's `.github/insight.yml` (`commands.fix`)");
  });

  it("reports an invalid config once: created, then left alone while it is unchanged", async () => {
    const app = await loadTestApp();
    const yaml = "incident:\n  window: soon\nservices:\n  api:\n    tier: urgent\n";
    const first = commentEvent("/insight help");
    const posted: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, yaml);
    mockListComments(OWNER, REPO, first.issue.number, []);
    mockCreateComment(OWNER, REPO, first.issue.number, posted, 77);
    await send(app, first);
    const body = String(posted.body?.body);
    expect(body).toContain("<!-- insight:sticky:config-error -->");
    expect(body).toContain("| `incident.window` | a duration such as 30m, 2h or 1d |");
    expect(body).toMatch(/\| `services\.api\.tier` \| Invalid option/);
    expect(body).not.toMatch(/\bat .+\.(ts|js):\d+/);

    const again = commentEvent("/insight help");
    again.comment.id += 1;
    mockRepoConfig(OWNER, REPO, yaml);
    mockListComments(OWNER, REPO, again.issue.number, [{ id: 77, body }]);
    await send(app, again, "delivery-2");
    expect(app.audit.outcomes.filter((e) => e.action === "comment.create")).toHaveLength(1);
  });

  it("edits the config message in place when the problems change", async () => {
    const app = await loadTestApp();
    const payload = commentEvent("/insight help");
    const edited: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, "evomap:\n  minConfidence: 3\n");
    mockListComments(OWNER, REPO, payload.issue.number, [
      { id: 5, body: "<!-- insight:sticky:config-error -->\nhuman copy", bot: false },
      { id: 77, body: "<!-- insight:sticky:config-error -->\nold problems" },
    ]);
    mockUpdateComment(OWNER, REPO, 77, edited);
    await send(app, payload);
    expect(edited.body?.body).toContain("`evomap.minConfidence`");
  });

  it("writes nothing in dry-run mode and records what it would have written", async () => {
    const app = await loadTestApp({}, { INSIGHT_DRY_RUN: "1" });
    const payload = commentEvent("/insight help");
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    await send(app, payload);
    expect(app.audit.outcomes.map((e) => [e.action, e.outcome])).toEqual([
      ["reaction.create", "dry-run"],
      ["comment.create", "dry-run"],
    ]);
  });

  it("records a failed write with GitHub's status and lets the job fail", async () => {
    const app = await loadTestApp();
    const payload = commentEvent("/insight help");
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    mockCommentReaction(OWNER, REPO, payload.comment.id);
    api().post(`/repos/${OWNER}/${REPO}/issues/${payload.issue.number}/comments`).reply(502, { message: "Bad Gateway" });
    await send(app, payload);
    expect(app.audit.outcomes.find((e) => e.action === "comment.create")).toMatchObject({ outcome: "error", detail: { status: 502 } });
    // The error reference reply is tried too (and fails here the same way), after the failure is audited.
    expect(app.audit.outcomes.find((e) => e.action === "job.failed")).toMatchObject({
      outcome: "error",
      detail: { errorRef: expect.stringMatching(/^E-/) },
    });
    expect((await app.insight.queue()!.stats()).counts.failed).toBe(1);
  });
});

describe("health and metrics endpoints", () => {
  it("serves /health and /metrics from the queue state", async () => {
    const { http } = await loadTestApp();
    const call = async (url: string) => {
      let status = 0;
      let body = "";
      const res = { writeHead: (s: number) => ((status = s), res), end: (b: string) => void (body = b) };
      const handled = await http[0]!({ method: "GET", url } as never, res as never);
      return { handled, status, body };
    };
    expect(await call("/health")).toMatchObject({ handled: true, status: 200, body: expect.stringContaining('"status":"ok"') });
    expect((await call("/metrics")).body).toContain('insight_jobs_total{outcome="completed"} 0');
    expect((await call("/other")).handled).toBe(false);
  });
});
