import { describe, expect, it } from "@jest/globals";
import { stringify } from "yaml";
import { stickyMarker, writeMetadata } from "../../../src/github/metadata.js";
import { comment, fixApp, fixPr, INCIDENT, lastReply, ORDERS, ORDERS_BUGGY, OWNER, REPO } from "../../helpers/fix-flow.js";
import { useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import { StatefulGitHub } from "../../helpers/stateful-github.js";

/** Issue #17, the fix flow: the fix fixes the cause (a migration) first, and a risky fix needs a second approver. */

const MIGRATION = "db/migrations/V7__orders_status.sql";
const CHAIN =
  "PR #41's migration `V7__orders_status.sql` → the `ALTER TABLE orders ADD COLUMN status text NOT NULL` holding the lock (pid 4711) on `orders`; 2 queries wait → api errors";
const MITIGATION = [
  "Cancel the blocking statement: `SELECT pg_cancel_backend(4711);` (if it does not stop: `SELECT pg_terminate_backend(4711);`)",
  "Pause the deploy of api (`kubectl rollout pause deployment/api -n shop`)",
];

function world(options: { running: boolean; thresholds?: Record<string, number> }) {
  const gh = new StatefulGitHub(OWNER, REPO);
  gh.commit("main", { "services/api/src/orders.ts": ORDERS }, "Initial");
  gh.mergedPull(41, "Orders get a status", {
    "services/api/src/orders.ts": ORDERS_BUGGY,
    [MIGRATION]: "ALTER TABLE orders ADD COLUMN status text NOT NULL;\n",
  });
  gh.repoConfig = stringify({
    services: { api: { paths: ["services/api/**", "db/**"], tier: "critical" } },
    ...(options.thresholds ? { impact: { thresholds: options.thresholds } } : {}),
  });
  gh.permissions.set("oncall", "write").set("lead", "maintain").set("sre-bob", "write");
  gh.labels.set(INCIDENT, new Set(["incident", "incident:analysed"]));
  const chain = options.running ? CHAIN : "PR #41's migration `V7__orders_status.sql` → orders rewritten → api errors";
  const rca = {
    summary: "Most likely: PR #41's migration.",
    severity: "SEV2",
    hypotheses: [
      {
        id: "h1",
        title: "PR #41's migration V7__orders_status.sql",
        category: "code",
        confidence: 0.8,
        suspect: "#41",
        chain,
        mitigation: options.running ? MITIGATION : [MITIGATION[1]],
      },
    ],
  };
  gh.comments.push({
    id: 500,
    issue: INCIDENT,
    body: `${stickyMarker("rca")}\n${writeMetadata("rca", rca)}\n## RCA`,
    user: { login: "devops-insight[bot]", type: "Bot" },
  });
  gh.install();
  return gh;
}

describe("/insight fix fixes the cause", () => {
  useNock();
  useE2eTimeout();

  it("puts the migration runbook first (cancel pid 4711, then its down step) and the code revert second, never 'already ran' while it runs", async () => {
    const gh = world({ running: true });
    const t = await fixApp();
    await comment(t, "/insight fix", "oncall");
    const plan = gh.commentsOn(INCIDENT).find((b) => b.includes(stickyMarker("fix")))!;
    const step1 = plan.indexOf("**Step 1 — mitigate the cause now (by hand; the migration is still running):**");
    const step2 = plan.indexOf("**Step 2 — revert the code (this pull request):**");
    expect(step1).toBeGreaterThan(0);
    expect(step2).toBeGreaterThan(step1);
    expect(plan.slice(step1, step2)).toContain("1. Cancel the blocking statement: `SELECT pg_cancel_backend(4711);`");
    expect(plan.slice(step1, step2)).toMatch(
      /3\. Undo the schema change of `V7__orders_status\.sql`: run its down step, or write a corrective migration/,
    );
    expect(plan).toContain(`\`${MIGRATION}\`: still running when the analysis ran (it holds the lock): cancel it first — step 1`);
    expect(plan).not.toContain("already run");
    const body = fixPr(gh).body;
    expect(body.indexOf("Step 1 — mitigate the cause now")).toBeLessThan(body.indexOf("Step 2 — revert the code"));
    expect(body).toContain("- [ ] Step 1 (the migration runbook) is done");
  });

  it("says a migration that ran has run: its down step first, no cancel", async () => {
    const gh = world({ running: false });
    const t = await fixApp();
    await comment(t, "/insight fix", "oncall");
    const plan = gh.commentsOn(INCIDENT).find((b) => b.includes(stickyMarker("fix")))!;
    expect(plan).toContain("**Step 1 — mitigate the cause now (by hand; the migration has run):**");
    expect(plan).not.toContain("pg_cancel_backend");
    expect(plan).toContain(`\`${MIGRATION}\`: has run: reverting the file does not undo the schema change`);
  });
});

describe("a fix whose own blast radius is high", () => {
  useNock();
  useE2eTimeout();

  it("says so at the top of the fix PR, needs a second approver, and each approval reply shows the warning", async () => {
    const gh = world({ running: true, thresholds: { medium: 5, high: 10, critical: 95 } });
    const t = await fixApp();
    await comment(t, "/insight fix", "oncall");
    const pr = fixPr(gh);
    expect(pr.body.split("\n")[1]).toMatch(
      /^> ⚠️ \*\*This fix's own blast radius is high \(\d+\/100\)\*\*: it needs 2 approvals from different people \(not the requester\)/,
    );
    await comment(t, "/insight approve", "lead", { pull: pr.number });
    const first = lastReply(gh, pr.number);
    expect(first).toContain("⚠️ **This fix's own blast radius is high");
    expect(first).toContain("Approval 1 of 2");
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
    await comment(t, "/insight approve", "lead", { pull: pr.number });
    expect(lastReply(gh, pr.number)).toContain("has already approved");
    expect(gh.pulls.get(pr.number)!.draft).toBe(true);
    await comment(t, "/insight approve", "sre-bob", { pull: pr.number });
    const second = lastReply(gh, pr.number);
    expect(second).toContain("⚠️ **This fix's own blast radius is high");
    expect(second).toContain("approved by @sre-bob");
    expect(gh.pulls.get(pr.number)!.draft).toBe(false);
  });
});
