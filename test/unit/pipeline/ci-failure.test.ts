import { describe, expect, it } from "@jest/globals";
import type { CheckRun, FailureLog } from "../../../src/analysis/ci-failure.js";
import { ciFailurePipeline, ciHasNews, commitFailures, MAX_CHECKS } from "../../../src/pipeline/ci-failure.js";

/** The CI failure pipeline on plain data, as the processor, `/insight impact` and `insight ci` call it: no Octokit, no job. */
const SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const run = (id: number, name: string, conclusion: string, completedAt = "2026-11-24T01:03:00Z", app = "github-actions"): CheckRun => ({
  id,
  name,
  status: "completed",
  conclusion,
  completedAt,
  url: `https://github.com/acme/shop/runs/${id}`,
  app,
});
const LOG = [
  "2026-11-24T01:02:09.0000000Z FAIL services/payments/src/refund.test.ts",
  "2026-11-24T01:02:09.2000000Z     ReferenceError: bulkRefund is not defined",
  "2026-11-24T01:02:09.3000000Z       at refundOrder (services/payments/src/refund.ts:42:5)",
  "2026-11-24T01:02:11.5000000Z ##[error]Process completed with exit code 1.",
].join("\n");

/** Callbacks that answer from tables and record what was asked. */
function reads(base: Record<string, CheckRun[]>, logs: Record<number, FailureLog>) {
  const asked = { base: [] as string[], logs: [] as number[] };
  return {
    asked,
    baseRuns: async (name: string) => (asked.base.push(name), base[name] ?? []),
    log: async (r: CheckRun) => (asked.logs.push(r.id), logs[r.id] ?? { text: "", from: "none" as const }),
  };
}

describe("ciFailurePipeline", () => {
  it("gives each failed check its verdict, its mined errors and the PR files it names; Insight's own check is left out", async () => {
    const r = reads(
      { "build / test": [run(700, "build / test", "success")], lint: [run(701, "lint", "failure")] },
      {
        901: { text: LOG, from: "actions" },
        902: { text: "services/payments/src/refund.ts:7:3 error 'x' is never used", from: "output" },
      },
    );
    const analysis = await ciFailurePipeline({
      sha: SHA,
      runs: [
        run(901, "build / test", "failure"),
        run(902, "lint", "failure", undefined, "circleci"),
        run(903, "Insight / blast radius", "failure"),
      ],
      prFiles: ["services/payments/src/refund.ts", "README.md"],
      ...r,
    });
    expect(analysis.sha).toBe(SHA);
    expect(analysis.passing).toEqual([]);
    expect(analysis.checks.map((c) => [c.name, c.kind, c.logsFrom])).toEqual([
      ["build / test", "new", "actions"],
      ["lint", "pre-existing", "output"],
    ]);
    const test = analysis.checks[0]!;
    expect(test.why).toBe("its latest run on the base branch passed");
    expect(test.url).toBe("https://github.com/acme/shop/runs/901");
    expect(test.files).toEqual([{ file: "services/payments/src/refund.ts", line: 42 }]);
    expect(test.mining!.templates.map((t) => t.sample)).toContain("ReferenceError: bulkRefund is not defined");
    expect(analysis.checks[1]!.files).toEqual([{ file: "services/payments/src/refund.ts", line: 7 }]);
    expect(r.asked).toEqual({ base: ["build / test", "lint"], logs: [901, 902] });
    expect(ciHasNews(analysis)).toBe(true);
  });

  it("calls a check that passed on a re-run flaky, and names a check whose failure went away", async () => {
    const r = reads({}, { 901: { text: LOG, from: "actions", note: "The log is 40.0 MB; its last 5 MB were read." } });
    const analysis = await ciFailurePipeline({
      sha: SHA,
      runs: [
        run(901, "build / test", "failure", "2026-11-24T01:03:00Z"),
        run(904, "build / test", "success", "2026-11-24T00:50:00Z"),
        run(905, "e2e", "failure", "2026-11-24T00:40:00Z"),
        run(906, "e2e", "success", "2026-11-24T00:55:00Z"),
      ],
      prFiles: [],
      ...r,
    });
    expect(analysis.checks).toHaveLength(1);
    expect(analysis.checks[0]).toMatchObject({
      name: "build / test",
      kind: "flaky",
      why: "the same check passed on this commit too (a re-run)",
      note: "The log is 40.0 MB; its last 5 MB were read.",
      files: [],
    });
    expect(analysis.passing).toEqual(["e2e"]);
  });

  it("has nothing to say about a green commit, and reads nothing for it", async () => {
    const r = reads({}, {});
    const analysis = await ciFailurePipeline({ sha: SHA, runs: [run(1, "build", "success")], prFiles: [], ...r });
    expect(analysis).toEqual({ sha: SHA, checks: [], passing: [] });
    expect(ciHasNews(analysis)).toBe(false);
    expect(r.asked).toEqual({ base: [], logs: [] });
  });

  it("analyses at most MAX_CHECKS failed checks, each at its latest attempt, and only completed ones", () => {
    const runs = [
      ...Array.from({ length: MAX_CHECKS + 2 }, (_, i) => run(i + 1, `job ${i}`, "failure")),
      { ...run(99, "still running", "failure"), status: "in_progress" },
      run(100, "job 0", "failure", "2026-11-24T02:00:00Z"),
    ];
    const { failed } = commitFailures(runs);
    expect(failed).toHaveLength(MAX_CHECKS);
    expect(failed[0]!.id).toBe(100);
    expect(failed.some((r) => r.name === "still running")).toBe(false);
  });
});
