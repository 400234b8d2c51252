import { describe, expect, it } from "@jest/globals";
import { stringify } from "yaml";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { FileAuditLog, MemoryAuditLog, verifyAuditFile } from "../../../src/audit/file-audit-log.js";
import { A2AClient } from "../../../src/capsule/a2a-client.js";
import { NodeIdentityStore } from "../../../src/capsule/node-identity.js";
import { Outbox } from "../../../src/capsule/outbox.js";
import { CapsulePublisher } from "../../../src/capsule/publisher.js";
import { stickyMarker, writeMetadata } from "../../../src/github/metadata.js";
import { useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import {
  INCIDENT,
  ORDERS,
  ORDERS_BUGGY,
  OWNER,
  REPO,
  fixApp as app,
  comment,
  fixPr,
  fixState,
  history,
  lastReply,
  merge,
  proposeAndApprove,
} from "../../helpers/fix-flow.js";

describe("fix branches behind an approval gate", () => {
  useNock();
  useE2eTimeout();

  it("proposes a revert as a draft PR, refuses a reader and the requester, and a maintainer's approval makes it ready; the merge closes the loop", async () => {
    const gh = history();
    const auditPath = join(mkdtempSync(join(tmpdir(), "insight-fix-")), "audit.jsonl");
    const fileAudit = new FileAuditLog(auditPath);
    const t = await app({}, fileAudit);
    const mainBefore = gh.files("main");

    await comment(t, "/insight fix", "oncall");
    const pr = fixPr(gh);
    expect(pr).toMatchObject({ state: "open", draft: true, base: { ref: "main" }, user: { type: "Bot" } });
    // The branch is today's main with #41 undone: orders.ts back, cache.ts gone, the later tax change kept.
    const branch = gh.files(`insight/fix-${INCIDENT}`);
    expect(branch).toEqual({
      ...Object.fromEntries(Object.entries(mainBefore).filter(([p]) => p !== "services/api/src/cache.ts")),
      "services/api/src/orders.ts": ORDERS,
    });
    expect(branch["services/api/src/tax.ts"]).toBe("export const RATE = 0.21;\n");
    expect(gh.commits.get(gh.refs.get(`insight/fix-${INCIDENT}`)!)!.parents).toEqual([gh.refs.get("main")]);
    expect(fixState(gh, pr.number)).toMatchObject({
      kind: "revert",
      incident: INCIDENT,
      target: 41,
      requester: { id: 1001, login: "oncall" },
      status: "proposed",
      approvals: [],
      commit: pr.head.sha,
    });
    expect(pr.body).toContain("### Evidence");
    expect(pr.body).toContain("Faster order totals");
    expect(gh.labelsOf(INCIDENT)).toEqual(["incident", "incident:fix-proposed"]);
    const plan = gh.commentsOn(INCIDENT).find((b) => b.includes(stickyMarker("fix")))!;
    expect(plan).toContain(`Fix proposed in [#${pr.number}]`);
    expect(plan).toMatch(/`services\/api\/src\/orders.ts` \| restored/);
    expect(plan).toMatch(/`services\/api\/src\/cache.ts` \| deleted/);
    expect(plan).toMatch(/The fix's own blast radius: \w+ \(\d+\/100\)/);

    await comment(t, "/insight approve", "reader", { pull: pr.number });
    expect(lastReply(gh, pr.number)).toMatch(/needs write, maintain or admin access; @reader has `read`/);
    await comment(t, "/insight approve", "oncall", { pull: pr.number });
    expect(lastReply(gh, pr.number)).toMatch(/@oncall asked for this fix, and the requester's approval does not count/);
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
    expect(gh.labelsOf(INCIDENT)).toContain("incident:fix-proposed");

    await comment(t, "/insight approve", "lead"); // on the incident, not the PR
    expect(gh.pulls.get(pr.number)!.draft).toBe(false);
    expect(gh.graphqlCalls.at(-1)).toMatch(/markPullRequestReadyForReview/);
    expect(fixState(gh, pr.number)).toMatchObject({
      status: "approved",
      approvals: [{ by: { id: 1002, login: "lead" }, basis: "maintain access", commit: pr.head.sha }],
    });
    expect(gh.pulls.get(pr.number)!.body).toMatch(/- requested by @oncall\n- ✅ @lead \(maintain access\)/);
    expect(gh.labelsOf(INCIDENT)).toEqual(["incident", "incident:fix-approved"]);

    await merge(t, gh, pr.number);
    expect(lastReply(gh, INCIDENT)).toMatch(
      new RegExp(`Fix #${pr.number} is merged as .[0-9a-f]{7}. \\(approved by @lead \\(maintain access\\)\\)`),
    );
    expect(gh.labelsOf(INCIDENT)).toEqual(["incident", "incident:resolved"]);
    expect(gh.closedIssues.has(INCIDENT)).toBe(true);
    expect(fixState(gh, pr.number).status).toBe("merged");

    // `insight audit verify` on the file the whole flow wrote.
    const audit = readFileSync(auditPath, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string; outcome: string; actor: string; detail?: unknown });
    const decisions = audit.filter((e) => e.outcome === "refused" || e.outcome === "decision").map((e) => [e.action, e.outcome, e.actor]);
    expect(decisions).toEqual([
      ["fix.propose", "decision", "oncall"],
      ["fix.approve", "refused", "reader"],
      ["fix.approve", "refused", "oncall"],
      ["fix.approve", "decision", "lead"],
      ["fix.merged", "decision", expect.any(String)],
    ]);
    expect(audit.find((e) => e.action === "fix.approve" && e.outcome === "decision")!.detail).toMatchObject({
      chain: { requester: { login: "oncall" }, approvals: [{ by: { login: "lead" } }] },
    });
    for (const action of ["git.tree.create", "git.commit.create", "git.ref.set", "pull.create", "pull.ready_for_review", "issue.close"])
      expect(audit.map((e) => e.action)).toContain(action);
    expect(await verifyAuditFile(auditPath)).toMatchObject({ ok: true, entries: audit.length });
    await fileAudit.close();
  });

  it("rolls back a merged fix as a new draft PR under the same rules", async () => {
    const gh = history();
    const t = await app();
    const pr = await proposeAndApprove(t, gh);
    await merge(t, gh, pr.number);
    expect(gh.files("main")["services/api/src/orders.ts"]).toBe(ORDERS);

    await comment(t, "/insight rollback", "oncall", { pull: pr.number });
    const rollback = [...gh.pulls.values()].find((p) => p.head.ref === `insight/rollback-${pr.number}`)!;
    expect(rollback).toMatchObject({ draft: true, state: "open" });
    expect(gh.files(rollback.head.sha)["services/api/src/orders.ts"]).toBe(ORDERS_BUGGY);
    expect(fixState(gh, rollback.number)).toMatchObject({
      kind: "rollback",
      target: pr.number,
      incident: INCIDENT,
      requester: { login: "oncall" },
    });
    expect(lastReply(gh, INCIDENT)).toMatch(new RegExp(`Rollback of #${pr.number} proposed in #${rollback.number}`));
    await comment(t, "/insight approve", "oncall", { pull: rollback.number });
    expect(gh.pulls.get(rollback.number)!.draft).toBe(true);
  });

  it("merges the revert into a file that later commits changed on other lines", async () => {
    const later = ORDERS_BUGGY.replace("  return items.length;", "  return items.filter(Boolean).length;");
    const gh = history({ later: { "services/api/src/orders.ts": later } });
    const t = await app();
    await comment(t, "/insight fix", "oncall");
    expect(gh.files(`insight/fix-${INCIDENT}`)["services/api/src/orders.ts"]).toBe(
      ORDERS.replace("  return items.length;", "  return items.filter(Boolean).length;"),
    );
    expect(gh.commentsOn(INCIDENT).find((b) => b.includes(stickyMarker("fix")))).toMatch(
      /`services\/api\/src\/orders.ts` \| merged with later changes/,
    );
  });

  it("refuses when later commits changed the same lines, naming them, and pushes nothing", async () => {
    const later = ORDERS_BUGGY.replace("sum += i.price;", "sum += i.price * (i.discount ?? 1);");
    const gh = history({ later: { "services/api/src/orders.ts": later } });
    const t = await app();
    await comment(t, "/insight fix", "oncall");
    const laterSha = gh.refs.get("main")!.slice(0, 7);
    expect(lastReply(gh, INCIDENT)).toMatch(
      new RegExp(
        `later commits changed the same lines[\\s\\S]*services/api/src/orders.ts\`: changed on the same lines since the merge by ${laterSha} "Raise the tax rate" by @taxman`,
      ),
    );
    expect(gh.refs.has(`insight/fix-${INCIDENT}`)).toBe(false);
    expect([...gh.pulls.keys()]).toEqual([41]);
    expect(t.audit.outcomes.filter((e) => e.action === "fix.plan").map((e) => e.outcome)).toEqual(["refused"]);
  });

  it("rejects: the PR is closed with who and why, and the incident is back to analysed", async () => {
    const gh = history();
    const t = await app();
    await comment(t, "/insight fix", "oncall");
    const pr = fixPr(gh);
    await comment(t, "/insight reject the totals bug is elsewhere", "lead", { pull: pr.number });
    expect(gh.pulls.get(pr.number)!.state).toBe("closed");
    expect(fixState(gh, pr.number)).toMatchObject({
      status: "rejected",
      rejected: { by: { login: "lead" }, reason: "the totals bug is elsewhere" },
    });
    expect(gh.labelsOf(INCIDENT)).toEqual(["incident", "incident:analysed"]);
    await comment(t, "/insight approve", "lead", { pull: pr.number });
    expect(lastReply(gh, pr.number)).toMatch(/is closed: there is nothing to approve/);
  });

  it("dry run records the plan and every write it would make, and writes nothing", async () => {
    const gh = history();
    const t = await app({ INSIGHT_DRY_RUN: "1" });
    const refs = new Map(gh.refs);
    const comments = gh.comments.length;
    await comment(t, "/insight fix", "oncall");
    expect(gh.refs).toEqual(refs);
    expect(gh.pulls.size).toBe(1);
    expect(gh.comments.length).toBe(comments);
    expect(gh.labelsOf(INCIDENT)).toEqual(["incident", "incident:analysed"]);
    const planned = t.audit.outcomes.filter((e) => e.outcome === "dry-run").map((e) => e.action);
    expect(planned).toEqual(["reaction.create", "comment.create", "git.tree.create", "git.commit.create", "git.ref.set", "pull.create"]);
    expect(t.audit.outcomes.find((e) => e.action === "fix.propose")!.outcome).toBe("decision");
  });

  it("a GitHub 5xx half-way leaves a state the next run repairs: one branch, one PR", async () => {
    const gh = history();
    const t = await app();
    gh.faults.push({ match: `POST /repos/${OWNER}/${REPO}/pulls`, status: 502 });
    await comment(t, "/insight fix", "oncall");
    expect(gh.refs.has(`insight/fix-${INCIDENT}`)).toBe(true);
    expect([...gh.pulls.keys()]).toEqual([41]);
    expect(t.audit.outcomes.find((e) => e.action === "pull.create")).toMatchObject({ outcome: "error", detail: { status: 502 } });

    await comment(t, "/insight fix", "oncall");
    const fixes = [...gh.pulls.values()].filter((p) => p.head.ref.startsWith("insight/"));
    expect(fixes).toHaveLength(1);
    expect([...gh.refs.keys()].filter((r) => r.startsWith("insight/"))).toEqual([`insight/fix-${INCIDENT}`]);
    expect(fixState(gh, fixes[0]!.number).commit).toBe(gh.refs.get(`insight/fix-${INCIDENT}`));
    expect(gh.labelsOf(INCIDENT)).toContain("incident:fix-proposed");
  });

  it("a re-run replaces the plan on the same branch and PR, and voids an approval", async () => {
    const gh = history();
    const t = await app();
    const pr = await proposeAndApprove(t, gh);
    expect(gh.pulls.get(pr.number)!.draft).toBe(false);
    gh.commit("main", { "services/api/src/tax.ts": "export const RATE = 0.22;\n" }, "Tax again");
    await comment(t, "/insight fix", "oncall");
    expect([...gh.pulls.values()].filter((p) => p.head.ref.startsWith("insight/"))).toHaveLength(1);
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
    expect(fixState(gh, pr.number)).toMatchObject({ status: "proposed", approvals: [], commit: gh.refs.get(`insight/fix-${INCIDENT}`) });
    expect(gh.files(`insight/fix-${INCIDENT}`)["services/api/src/tax.ts"]).toBe("export const RATE = 0.22;\n");
  });

  it("refuses an approval when someone pushed to the fix branch, and accepts a configured team approver", async () => {
    const gh = history();
    gh.repoConfig = stringify({ services: { api: { paths: ["services/api/**"] } }, approvers: { teams: [`${OWNER}/sre`] } });
    gh.permissions.set("sre-bob", "read");
    gh.teams.set(`${OWNER}/sre`, new Set(["sre-bob"]));
    const t = await app();
    await comment(t, "/insight fix", "oncall");
    const pr = fixPr(gh);
    await comment(t, "/insight approve", "sre-bob", { pull: pr.number });
    expect(fixState(gh, pr.number).approvals).toEqual([
      expect.objectContaining({ by: { id: 1004, login: "sre-bob" }, basis: `member of @${OWNER}/sre` }),
    ]);

    await comment(t, "/insight fix", "oncall");
    gh.commit(`insight/fix-${INCIDENT}`, { "services/api/src/extra.ts": "x\n" }, "sneaky");
    gh.pulls.get(pr.number)!.head.sha = gh.refs.get(`insight/fix-${INCIDENT}`)!;
    await comment(t, "/insight approve", "lead", { pull: pr.number });
    expect(lastReply(gh, pr.number)).toMatch(/someone pushed to it\. Approvals bind to what was proposed/);
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
  });

  it("says why when there is nothing safe to fix: no analysis, a low-confidence top hypothesis, a hypothesis that is no PR", async () => {
    const gh = history();
    const t = await app();
    await comment(t, "/insight fix", "oncall", { issue: 8 });
    expect(lastReply(gh, 8)).toMatch(/no analysis on this issue yet: run `\/insight rca` first/);
    await comment(t, "/insight fix h2", "oncall");
    expect(lastReply(gh, INCIDENT)).toMatch(/h2 "Redis eviction storm" is not a pull request of this repository/);
    gh.comments[0]!.body =
      `${stickyMarker("rca")}\n${writeMetadata("rca", { hypotheses: [{ id: "h1", title: 'Change #41 "Faster order totals"', category: "code", confidence: 0.2, suspect: "#41" }] })}`;
    await comment(t, "/insight fix", "oncall");
    expect(lastReply(gh, INCIDENT)).toMatch(/has 20% confidence: a fix on that evidence would be a guess/);
    expect(gh.refs.has(`insight/fix-${INCIDENT}`)).toBe(false);
  });

  it("publishes what an approved fix taught as a capsule, redacted of the repository's names, and says so on the incident", async () => {
    const gh = history();
    gh.repoConfig = stringify({
      services: { api: { paths: ["services/api/**"], tier: "critical" } },
      evomap: { autoPublish: true, minConfidence: 0.6 },
    });
    const dir = mkdtempSync(join(tmpdir(), "insight-evomap-"));
    const identity = new NodeIdentityStore(join(dir, "node.json"));
    await identity.write({
      node_id: "node_00112233aabbccdd",
      node_secret: "ab".repeat(32),
      heartbeat_interval_ms: 900_000,
      hub: "https://hub.evomap.test",
    });
    const client = new A2AClient({ hubUrl: "https://hub.evomap.test", identity });
    const publisher = new CapsulePublisher({
      client,
      outbox: new Outbox(join(dir, "outbox")),
      audit: new MemoryAuditLog(),
      log: { info: () => {}, warn: () => {} },
    });
    const t = await app({}, undefined, { client, publisher });
    const pr = await proposeAndApprove(t, gh);
    gh.pulls.get(pr.number)!.files = [
      {
        filename: "services/api/src/orders.ts",
        status: "modified",
        additions: 1,
        deletions: 1,
        patch: "@@ -3 +3 @@\n-  for (const i of items) sum += i.price;\n+  for (const i of items) sum += i.price * i.qty;",
      },
    ];
    let published = "";
    const hub = nock("https://hub.evomap.test")
      .post("/a2a/validate")
      .reply(200, {})
      .post("/a2a/publish")
      .reply(async (req: Request) => {
        published = await req.text();
        return [200, { decision: "accept", bundle_id: "bundle_abc" }] as const;
      })
      .get("/a2a/nodes/node_00112233aabbccdd")
      .reply(200, { reputation: 64 });
    await merge(t, gh, pr.number);
    expect(hub.isDone()).toBe(true);
    expect(lastReply(gh, INCIDENT)).toMatch(
      /📦 Capsule published to EvoMap: \[bundle_abc\]\(https:\/\/hub\.evomap\.test\/a2a\/assets\/bundle_abc\) \(node reputation 64\)\./,
    );
    const assets = JSON.parse(published).payload.assets;
    expect(assets.map((a: { type: string }) => a.type)).toEqual(["Gene", "Capsule", "EvolutionEvent"]);
    expect(published).not.toMatch(/Codertocat|Hello-World|Faster order totals|#41/);
    expect(assets[1].diff).toContain("+  for (const i of items) sum += i.price * i.qty;");
  });

  it("tells the incident why no capsule was published", async () => {
    const gh = history();
    const t = await app();
    const pr = await proposeAndApprove(t, gh);
    await merge(t, gh, pr.number);
    expect(lastReply(gh, INCIDENT)).toMatch(/📦 No capsule: EvoMap is not enabled by this installation's operator/);
  });
});
