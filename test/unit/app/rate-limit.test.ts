import { describe, expect, it } from "@jest/globals";
import { InProcessQueue } from "../../../src/jobs/in-process-queue.js";
import {
  type Captured,
  mockCommentReaction,
  mockCreateComment,
  mockInstallationToken,
  mockRepoConfig,
} from "../../helpers/github-mocks.js";
import { loadTestApp, useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import { example } from "../../helpers/webhooks.js";

/** The flood of the security review, end to end: one user's commands over the limit get one clear refusal, audited. */
const OWNER = "Codertocat";
const REPO = "Hello-World";

function commentEvent(n: number, login = "mallory") {
  const payload = example("issue_comment", "created");
  payload.comment.body = "/insight help";
  payload.comment.id = 5000 + n;
  payload.comment.user = { ...payload.comment.user, login, type: "User" };
  payload.sender = { ...payload.sender, login, type: "User" };
  payload.repository.owner.login = OWNER;
  payload.repository.name = REPO;
  delete payload.issue.pull_request;
  return payload;
}

describe("per-user command rate limit, end to end", () => {
  useNock();
  useE2eTimeout();

  it("answers two commands, refuses the third once with the limit and when to retry, and drops the fourth silently", async () => {
    let now = 1_000_000;
    const app = await loadTestApp({
      makeQueue: (run, log) =>
        new InProcessQueue({ run, log, concurrency: 2, debounceMs: 0, commandRate: { limit: 2, windowMs: 60_000 }, now: () => now }),
    });
    const issue = commentEvent(0).issue.number;
    mockInstallationToken(); // one token, cached by Probot for every job
    for (let n = 0; n < 2; n++) {
      mockRepoConfig(OWNER, REPO);
      mockCommentReaction(OWNER, REPO, 5000 + n);
      mockCreateComment(OWNER, REPO, issue, {});
    }
    const refusal: Captured = {};
    mockCreateComment(OWNER, REPO, issue, refusal);
    for (let n = 0; n < 4; n++) {
      now += 1_000;
      await app.probot.receive({ id: `flood-${n}`, name: "issue_comment", payload: commentEvent(n) } as never);
    }
    await app.idle();
    expect(refusal.body?.body).toBe(
      "<!-- insight:reply -->\nSorry @mallory, you have sent more than 2 Insight commands in 1 minute on this installation: this one and the next ones are not run. Try again in 58 s.",
    );
    expect(app.audit.outcomes.filter((e) => e.action === "command.rate-limit").map((e) => [e.outcome, e.delivery])).toEqual([
      ["refused", "flood-2"],
    ]);
    expect((await app.insight.queue()!.stats()).counts.limited).toBe(2);
  }, 20_000);
});
