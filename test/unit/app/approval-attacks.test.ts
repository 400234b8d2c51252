import { describe, expect, it } from "@jest/globals";
import { writeMetadata } from "../../../src/github/metadata.js";
import { useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import type { StatefulGitHub } from "../../helpers/stateful-github.js";
import {
  INCIDENT,
  OWNER,
  REPO,
  USER_IDS,
  comment,
  commentPayload,
  fixApp,
  fixPr,
  fixState,
  history,
  lastReply,
  merge,
  proposeAndApprove,
  pushTo,
  send,
} from "../../helpers/fix-flow.js";

/**
 * The approval-gate attacks of issue #15, each as it was executed against the app. Every test
 * failed on the code before the fix state moved out of the PR description.
 */

/** A writer edits the hidden state block in the PR description (keeping whatever signature was there). */
function editState(gh: StatefulGitHub, number: number, change: (state: Record<string, any>) => Record<string, any>) {
  const pr = gh.pulls.get(number)!;
  const start = pr.body.indexOf("<!-- insight:meta:fix ");
  const end = pr.body.indexOf(" -->", start) + 4;
  pr.body = `${pr.body.slice(0, start)}${writeMetadata("fix", change(fixState(gh, number)))}${pr.body.slice(end)}`;
}

const refusals = (
  t: { audit: { entries: Array<{ action: string; outcome: string; actor: string; reason: string }> } },
  action = "fix.approve",
) => t.audit.entries.filter((e) => e.action === action && e.outcome === "refused");
const readyCalls = (gh: StatefulGitHub) => gh.graphqlCalls.filter((q) => /markPullRequestReadyForReview/.test(q)).length;

describe("approval gate attacks (issue #15)", () => {
  useNock();
  useE2eTimeout();

  it("attack 1: a PR from insight/fix-* opened by another bot with a forged state block is not Insight's fix", async () => {
    const gh = history();
    const t = await fixApp();
    const head = gh.commit(
      `insight/fix-${INCIDENT}`,
      { "services/api/src/orders.ts": "export const pwned = 1;\n" },
      "forged",
      "github-actions[bot]",
    );
    const forged = { kind: "revert", incident: INCIDENT, target: 41, requester: "ghost", commit: head, status: "proposed", approvals: [] };
    gh.pulls.set(300, {
      number: 300,
      node_id: "PR_300",
      title: "Revert #41",
      body: `${writeMetadata("fix", forged)}\nA fix.`,
      state: "open",
      draft: true,
      merged_at: null,
      merge_commit_sha: null,
      user: { login: "github-actions[bot]", type: "Bot", id: 41898282 },
      head: { ref: `insight/fix-${INCIDENT}`, sha: head },
      base: { ref: "main", sha: gh.refs.get("main")! },
      commits: 1,
      files: [],
    } as never);

    await comment(t, "/insight approve", "lead", { pull: 300 });
    expect(gh.pulls.get(300)!.draft).toBe(true);
    expect(readyCalls(gh)).toBe(0);
    expect(lastReply(gh, 300)).toMatch(/not a fix proposed by Insight/);
    expect(refusals(t).map((e) => e.reason)).toEqual(["no fix"]);

    await merge(t, gh, 300);
    expect(gh.commentsOn(INCIDENT).some((b) => /is merged/.test(b))).toBe(false);
    expect(refusals(t, "fix.merged")).toHaveLength(1);
    expect(gh.labelsOf(INCIDENT)).toEqual(["incident", "incident:analysed"]);
  });

  it("attack 2a: an approval a writer adds to the description does not count, and the requester cannot finish it", async () => {
    const gh = history();
    const t = await fixApp();
    await comment(t, "/insight fix", "oncall");
    const pr = fixPr(gh);
    editState(gh, pr.number, (s) => ({
      ...s,
      status: "approved",
      approvals: [
        { by: "oncall", byId: USER_IDS.oncall, basis: "write access", at: "2026-11-24T00:00:00Z", commit: s.commit, commentId: 1 },
      ],
    }));
    await comment(t, "/insight approve", "oncall", { pull: pr.number });
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
    expect(readyCalls(gh)).toBe(0);
    expect(gh.labelsOf(INCIDENT)).not.toContain("incident:fix-approved");
    expect(refusals(t).map((e) => [e.actor, e.reason])).toEqual([["oncall", "tampered state"]]);
  });

  it("attack 2b: a requester rewritten in the description does not let the real requester approve", async () => {
    const gh = history();
    const t = await fixApp();
    await comment(t, "/insight fix", "oncall");
    const pr = fixPr(gh);
    editState(gh, pr.number, (s) => ({ ...s, requester: typeof s.requester === "string" ? "lead" : { id: USER_IDS.lead, login: "lead" } }));
    await comment(t, "/insight approve", "oncall", { pull: pr.number });
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
    expect(readyCalls(gh)).toBe(0);
    expect(refusals(t).map((e) => e.reason)).toEqual(["tampered state"]);
    expect(t.audit.entries.some((e) => e.action === "fix.approve" && e.outcome === "decision")).toBe(false);
  });

  it("attack 2c: a bound commit pointed at a writer's own push cannot be approved", async () => {
    const gh = history();
    const t = await fixApp();
    await comment(t, "/insight fix", "oncall");
    const pr = fixPr(gh);
    const mine = gh.commit(pr.head.ref, { "services/api/src/backdoor.ts": "export const open = true;\n" }, "mine", "mallory");
    gh.pulls.get(pr.number)!.head.sha = mine;
    editState(gh, pr.number, (s) => ({ ...s, commit: mine }));
    await comment(t, "/insight approve", "lead", { pull: pr.number });
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
    expect(readyCalls(gh)).toBe(0);
    expect(refusals(t).map((e) => [e.actor, e.reason])).toEqual([["lead", "tampered state"]]);
  });

  it("attack 2d: the merge report does not trust approvals written into the description", async () => {
    const gh = history();
    const t = await fixApp();
    await comment(t, "/insight fix", "oncall");
    const pr = fixPr(gh);
    editState(gh, pr.number, (s) => ({
      ...s,
      status: "approved",
      approvals: [
        { by: "lead", byId: USER_IDS.lead, basis: "maintain access", at: "2026-11-24T00:00:00Z", commit: s.commit, commentId: 1 },
      ],
    }));
    await merge(t, gh, pr.number);
    expect(lastReply(gh, INCIDENT)).toMatch(/merged without an Insight approval/);
    expect(lastReply(gh, INCIDENT)).not.toMatch(/approved by @lead/);
    expect(t.audit.entries.find((e) => e.action === "fix.merged")).toMatchObject({
      reason: expect.stringMatching(/without an Insight approval/),
    });
  });

  it("attack 3: a requester who renamed their account cannot approve their own fix", async () => {
    const gh = history();
    const t = await fixApp();
    await comment(t, "/insight fix", "oncall");
    const pr = fixPr(gh);
    USER_IDS["oncall-renamed"] = USER_IDS.oncall!;
    gh.permissions.set("oncall-renamed", "write");
    await comment(t, "/insight approve", "oncall-renamed", { pull: pr.number });
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
    expect(lastReply(gh, pr.number)).toMatch(/asked for this fix/);
    expect(refusals(t).map((e) => [e.actor, e.reason])).toEqual([["oncall-renamed", expect.stringMatching(/asked for this fix/)]]);
  });

  it("attack 4: a captured approval webhook replayed with a new delivery id after a re-proposal approves nothing", async () => {
    const gh = history();
    const t = await fixApp();
    await comment(t, "/insight fix", "oncall");
    const pr = fixPr(gh);
    const captured = commentPayload("/insight approve", "lead", { pull: pr.number });
    await send(t, "issue_comment", structuredClone(captured));
    expect(gh.pulls.get(pr.number)!.draft).toBe(false);

    gh.commit("main", { "services/api/src/tax.ts": "export const RATE = 0.22;\n" }, "Tax again");
    await comment(t, "/insight fix", "oncall");
    const proposed = gh.refs.get(`insight/fix-${INCIDENT}`)!;
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);

    await send(t, "issue_comment", structuredClone(captured), "d-replayed");
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
    expect(gh.labelsOf(INCIDENT)).toContain("incident:fix-proposed");
    expect(refusals(t).map((e) => [e.actor, e.reason])).toEqual([
      ["lead", expect.stringMatching(/^comment (already used|older than the proposal)$/)],
    ]);
    expect(
      t.audit.entries.filter(
        (e) => e.action === "fix.approve" && e.outcome === "decision" && (e.detail as { commit?: string }).commit === proposed,
      ),
    ).toEqual([]);
  });

  it("attack 5: a push to the fix branch after approval revokes it at once: draft, label, comment, audit", async () => {
    const gh = history();
    const t = await fixApp();
    const pr = await proposeAndApprove(t, gh);
    expect(gh.pulls.get(pr.number)!.draft).toBe(false);
    expect(gh.labelsOf(INCIDENT)).toContain("incident:fix-approved");

    await pushTo(t, gh, pr.number, { "services/api/src/extra.ts": "export const extra = 1;\n" });
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
    expect(gh.graphqlCalls.at(-1)).toMatch(/convertPullRequestToDraft/);
    expect(gh.labelsOf(INCIDENT)).toEqual(["incident", "incident:fix-proposed"]);
    expect(lastReply(gh, pr.number)).toMatch(/approval .*revoked/i);
    expect(t.audit.entries.find((e) => e.action === "fix.revoke")).toMatchObject({ outcome: "decision", actor: "mallory" });

    await comment(t, "/insight approve", "lead", { pull: pr.number });
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
  });

  it("attack 6: a rejected fix PR that is reopened cannot be approved without a new proposal", async () => {
    const gh = history();
    const t = await fixApp();
    await comment(t, "/insight fix", "oncall");
    const pr = fixPr(gh);
    await comment(t, "/insight reject wrong suspect", "lead", { pull: pr.number });
    expect(gh.pulls.get(pr.number)!.state).toBe("closed");
    gh.pulls.get(pr.number)!.state = "open"; // a writer reopens it
    await comment(t, "/insight approve", "lead", { pull: pr.number });
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
    expect(readyCalls(gh)).toBe(0);
    expect(lastReply(gh, pr.number)).toMatch(/rejected/);
    expect(refusals(t).map((e) => [e.actor, e.reason])).toEqual([["lead", "rejected"]]);
  });
});

export { OWNER, REPO };
