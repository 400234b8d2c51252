import { describe, expect, it } from "@jest/globals";
import type { IncidentImpact } from "../../../src/analysis/incident-severity.js";
import { analyseIncident, type ChangeEvent } from "../../../src/analysis/rca.js";
import { renderRca } from "../../../src/render/rca.js";
import type { Signal } from "../../../src/signals/types.js";
import { stepSignal } from "../../helpers/signals.js";

const T = Date.parse("2026-11-23T02:10:00Z");
const MIN = 60_000;
const window = { from: T - 60 * MIN, to: T + 30 * MIN };
const step = (id: string, name: string, service: string, before: number, after: number): Signal =>
  stepSignal({ id, name, service, before, after, onset: T });
const locks = (blocker: { pid: number; state: string; query: string }): Signal => ({
  id: "db:pg:blocked",
  name: "pg.blocked_queries",
  source: "db",
  adapter: "postgres",
  kind: "event",
  value: 2,
  query: "q",
  data: {
    chains: [
      { pid: 5120, waiting_s: 610, query: "UPDATE orders SET paid_at = now() WHERE id = $1", blockedBy: [blocker] },
      { pid: 5121, waiting_s: 598, query: "INSERT INTO orders (customer_id) VALUES ($1)", blockedBy: [blocker] },
    ],
  },
});
const impact: IncidentImpact = { severity: "SEV2", urgency: "today", rule: "api errors", affected: ["api"], dependents: [], errorRate: {} };
const render = (r: ReturnType<typeof analyseIncident>) =>
  renderRca(r, { impact, windowNote: "since=1h", sources: [], notes: [], elapsedMs: 1 });
const pr7: ChangeEvent = {
  id: "#7",
  kind: "pr",
  title: "Orders get a status",
  at: T - 12 * MIN,
  services: ["api"],
  files: ["db/migrations/V7__orders_status.sql", "services/api/src/orders.ts"],
  changeKinds: ["migration", "code"],
  touches: [
    {
      kind: "migration",
      file: "db/migrations/V7__orders_status.sql",
      table: "orders",
      op: "add_not_null_column",
      locking: true,
      detail: "ALTER TABLE orders ADD COLUMN status text NOT NULL",
    },
  ],
};

describe("renderRca", () => {
  it("reads as one chain: the PR's migration holding the lock → api errors, then the mitigation with its SQL, the pause, and the fix", () => {
    const r = analyseIncident({
      signals: [
        locks({ pid: 4711, state: "active", query: "ALTER TABLE orders ADD COLUMN status text NOT NULL" }),
        step("m:api:err", "http.error_rate", "api", 0.004, 0.09),
      ],
      window,
      changes: [pr7],
      edges: [],
    });
    const md = render(r);
    expect(r.verdict).toBe("cause");
    expect(md).toContain("### 🎯 Most likely cause");
    expect(md).toMatch(
      /\*\*PR #7's migration `V7__orders_status\.sql` → the `ALTER TABLE orders ADD COLUMN status text NOT NULL` holding the lock \(pid 4711\) on `orders`; 2 queries wait → api errors ×\d/,
    );
    // The lock is a link of the PR's chain, not a rival row.
    expect(md).not.toMatch(/\| \d \| Lock contention in PostgreSQL/);
    expect(md).toMatch(
      /1\. \*\*Mitigate now:\*\* Cancel the blocking statement: `SELECT pg_cancel_backend\(4711\);` — .*`SELECT pg_terminate_backend\(4711\);`/,
    );
    expect(md).toMatch(/\d\. \*\*Pause the rollout of #7\*\*/);
    expect(md).toMatch(/\d\. \*\*Then fix the cause:\*\* `\/insight fix` proposes a revert of #7 .*corrective migration/);
    expect(md.indexOf("Mitigate now")).toBeLessThan(md.indexOf("Then fix the cause"));
  });

  it("keeps a lock held by an idle transaction with no migration behind it as its own root", () => {
    const r = analyseIncident({
      signals: [locks({ pid: 777, state: "idle in transaction", query: "UPDATE orders SET total = total + 1" })],
      window,
      changes: [],
      edges: [],
    });
    const md = render(r);
    expect(md).toMatch(/\*\*the `UPDATE orders SET total = total \+ 1` holding the lock \(pid 777, idle in transaction\) on `orders`/);
    expect(md).toContain("`SELECT pg_terminate_backend(777);`");
  });

  it("says anomalous but unexplained, with what is missing, for a lone service nothing explains", () => {
    const r = analyseIncident({
      signals: [step("m:pay:lat", "http.latency_p95", "payments", 0.1, 2.5)],
      window,
      changes: [],
      edges: [],
      coverage: {
        sources: [
          { source: "metrics", status: "ok" },
          { source: "db", status: "error", error: "timed out" },
        ],
        services: ["payments", "ledger"],
        history: true,
      },
    });
    const md = render(r);
    expect(r.verdict).toBe("unexplained");
    expect(md).toContain("### ❓ Anomalous, but not explained by what we can see");
    expect(md).toContain("**What is missing to explain it:**\n- source `db` did not answer (error: timed out)\n- no metrics for ledger");
    expect(md).not.toContain("Most likely cause");
    expect(md).toMatch(/1\. Fill the gaps first: source `db` did not answer/);
  });

  it("says nothing anomalous when nothing moved, and no data when no source answered", () => {
    const quiet = analyseIncident({
      signals: [step("m:api:err", "http.error_rate", "api", 0.01, 0.01)],
      window,
      changes: [pr7],
      edges: [],
      coverage: { sources: [{ source: "metrics", status: "ok" }] },
    });
    expect(quiet.verdict).toBe("nothing");
    expect(quiet.hypotheses).toEqual([]);
    expect(render(quiet)).toContain("### ✅ Nothing anomalous");
    const blind = analyseIncident({
      signals: [],
      window,
      changes: [pr7],
      edges: [],
      coverage: { sources: [{ source: "metrics", status: "error", error: "timed out" }] },
    });
    expect(blind.verdict).toBe("unexplained");
    expect(render(blind)).toContain("### ⚠️ No data: no source answered");
    expect(render(blind)).not.toContain("Nothing anomalous");
  });
});

describe("the RCA in the CLI", () => {
  it("gives advice with CLI flags, not slash commands", () => {
    const r = analyseIncident({
      signals: [
        locks({ pid: 4711, state: "active", query: "ALTER TABLE orders ADD COLUMN status text NOT NULL" }),
        step("m:api:err", "http.error_rate", "api", 0.004, 0.09),
      ],
      window,
      changes: [pr7],
      edges: [],
    });
    const md = renderRca(r, { impact, windowNote: "--since 1h", sources: [], notes: [], elapsedMs: 1, syntax: "cli" });
    expect(md).not.toMatch(/`\/insight rca/);
    expect(md).toContain("re-run with `insight rca --since <span>`");
    const quiet = renderRca(
      analyseIncident({ signals: [step("m:api:err", "http.error_rate", "api", 0.004, 0.004)], window, changes: [], edges: [] }),
      { impact, windowNote: "--since 1h", sources: [], notes: [], elapsedMs: 1, syntax: "cli" },
    );
    expect(quiet).toContain("`insight rca --since 6h`");
    expect(quiet).not.toContain("/insight");
  });
});

describe("re-running /insight rca", () => {
  it("says 'no change since <time>' for the same evidence, and what changed otherwise", async () => {
    const { rerunNote } = await import("../../../src/jobs/rca-thread.js");
    const previous = {
      digest: "abc",
      analysedAt: Date.parse("2026-11-23T02:10:00Z"),
      severity: "SEV3",
      summary: "api errors, cause unknown",
    };
    expect(rerunNote(previous, { digest: "abc", severity: "SEV3", summary: "api errors, cause unknown" })).toBe(
      "> 🔁 **No change since 2026-11-23 02:10Z**: a re-run read the same evidence and reached the same conclusion.",
    );
    const changed = rerunNote(previous, { digest: "def", severity: "SEV2", summary: "PR #7's migration holds the lock" });
    expect(changed).toContain('**Updated since 2026-11-23 02:10Z**: severity SEV3 → SEV2; was: "api errors, cause unknown"');
  });
});
