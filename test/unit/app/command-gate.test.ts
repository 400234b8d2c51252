import { describe, expect, it } from "@jest/globals";
import nock from "nock";
import type { CommandHandler } from "../../../src/commands/run-command.js";
import {
  api,
  type Captured,
  mockCommentReaction,
  mockCreateComment,
  mockInstallationToken,
  mockRepoConfig,
} from "../../helpers/github-mocks.js";
import { captureLogger } from "../../helpers/logger.js";
import { loadTestApp, useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import { example } from "../../helpers/webhooks.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";

function commentEvent(body: string, login: string, association: string) {
  const payload = example("issue_comment", "created");
  payload.comment.body = body;
  payload.comment.user = { ...payload.comment.user, login, id: 5150, type: "User" };
  payload.comment.author_association = association;
  payload.sender = payload.comment.user;
  payload.repository.owner.login = OWNER;
  payload.repository.name = REPO;
  payload.repository.private = false;
  delete payload.issue.pull_request;
  return payload;
}

describe("who may run a command, and what they hear when it breaks (issue #15)", () => {
  useNock();
  useE2eTimeout();

  it("refuses a non-collaborator's command on a public repository before any work, politely", async () => {
    const ran: string[] = [];
    const rca: CommandHandler = async (job) => void ran.push(job.actor);
    const app = await loadTestApp({ commands: { rca } });
    const payload = commentEvent("/insight rca since=999d", "stranger", "NONE");
    const reply: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    api().get(`/repos/${OWNER}/${REPO}/collaborators/stranger`).reply(404, { message: "Not Found" });
    mockCreateComment(OWNER, REPO, payload.issue.number, reply);
    await app.probot.receive({ id: "d-public", name: "issue_comment", payload } as never);
    await app.idle();
    expect(ran).toEqual([]);
    expect(reply.body?.body).toMatch(/Thanks for your interest, @stranger.*only collaborators of this repository can run/s);
    expect(app.audit.outcomes.map((e) => [e.action, e.outcome])).toEqual([
      ["command.rca", "refused"],
      ["comment.create", "ok"],
    ]);
  });

  // Attack: a stranger (or a crowd of throwaway accounts) repeats a command to make Insight write a comment each time.
  it("answers a stranger's refusal once an hour and only audits the repeats", async () => {
    const app = await loadTestApp({ commands: { rca: async () => {} } });
    mockInstallationToken();
    for (let i = 0; i < 3; i++) mockRepoConfig(OWNER, REPO);
    api().get(`/repos/${OWNER}/${REPO}/collaborators/stranger`).times(3).reply(404, { message: "Not Found" });
    const replies: Captured = {};
    const first = commentEvent("/insight rca", "stranger", "NONE");
    mockCreateComment(OWNER, REPO, first.issue.number, replies);
    for (let i = 0; i < 3; i++) {
      const payload = commentEvent(`/insight rca attempt=${i}`, "stranger", "NONE");
      payload.comment.id += i;
      await app.probot.receive({ id: `d-flood-${i}`, name: "issue_comment", payload } as never);
      await app.idle();
    }
    expect(replies.body?.body).toMatch(/Thanks for your interest, @stranger/);
    const decisions = app.audit.outcomes.filter((e) => e.action === "command.rca");
    expect(decisions.map((e) => e.outcome)).toEqual(["refused", "refused", "refused"]);
    expect(app.audit.outcomes.filter((e) => e.action === "comment.create")).toHaveLength(1);
    expect(nock.isDone()).toBe(true);
  });

  it("runs a collaborator's command on a public repository", async () => {
    const ran: string[] = [];
    const rca: CommandHandler = async (job) => void ran.push(job.actor);
    const app = await loadTestApp({ commands: { rca } });
    const payload = commentEvent("/insight rca", "helper", "CONTRIBUTOR");
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    api().get(`/repos/${OWNER}/${REPO}/collaborators/helper`).reply(204);
    mockCommentReaction(OWNER, REPO, payload.comment.id);
    await app.probot.receive({ id: "d-collab", name: "issue_comment", payload } as never);
    await app.idle();
    expect(ran).toEqual(["helper"]);
  });

  it("answers a command that throws with an error reference, logs the error under it, and leaks nothing", async () => {
    const { log, lines } = captureLogger();
    const fix: CommandHandler = async () => {
      throw new Error("connect ECONNREFUSED postgres://insight:hunter2@db.internal:5432/prod");
    };
    const app = await loadTestApp({ commands: { rca: fix } }, {}, log);
    const payload = commentEvent("/insight rca", "octocat", "OWNER");
    const reply: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO);
    mockCommentReaction(OWNER, REPO, payload.comment.id);
    mockCreateComment(OWNER, REPO, payload.issue.number, reply);
    await app.probot.receive({ id: "d-throw", name: "issue_comment", payload } as never);
    await app.idle();
    const text = String(reply.body?.body ?? "");
    const ref = /error reference `(E-[0-9a-f]{10})`/.exec(text)?.[1];
    expect(ref).toBeDefined();
    expect(text).not.toMatch(/hunter2|ECONNREFUSED|postgres|at .*\.ts/);
    const logged = lines.find((l) => l.errorRef === ref);
    expect(logged).toMatchObject({ level: 50 });
    expect(JSON.stringify(logged)).not.toContain("hunter2");
    expect(app.audit.outcomes.find((e) => e.action === "job.failed")).toMatchObject({ outcome: "error", detail: { errorRef: ref } });
    expect(nock.pendingMocks()).toEqual([]);
  });
});
