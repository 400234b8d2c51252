import { describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

describe("npm run demo (the README's main job)", () => {
  it("prints the PR-impact report of the sample change from fixture production, offline", async () => {
    const { stdout, stderr } = await run(process.execPath, ["bin/insight.js", "demo"], {
      env: { PATH: process.env.PATH },
      timeout: 120_000,
    });
    expect(stdout).toContain("## 🔴 Blast radius: **critical**");
    expect(stdout).toContain("keep it with `npm run demo -- --keep`");
    expect(stderr).toContain("Starting four fixture MCP servers");
    expect(stderr).toMatch(/✓ metrics \(mcp-prometheus\) answered after [\d.]+ s/);
    // The NOT NULL column on the populated orders table is its own factor, with a floor of high.
    expect(stdout).toMatch(
      /\| NOT NULL column without a default \(floor: high\) \| \+20 \| ADD COLUMN … NOT NULL with no DEFAULT on orders \(48,000,000 rows\)/,
    );
    // Watch thresholds from the same hour over the previous 7 days, not from the live value.
    expect(stdout).toMatch(
      /\| api \| error rate \| `[^`]+` \| 0\.004 \| > 0\.014<br>`[^`]+` \| median of the same hour over the previous 7 days \(7 days\) \|/,
    );
    expect(stdout).toMatch(/\| Database migration \| \+35 \| 1 migration on orders; orders \(48\.0M rows, 20\.0 GiB\) is large or hot/);
    expect(stdout).toContain("| Deployment configuration | +14 | 1 Kubernetes/Helm file: replicas 3 → 2, memory 512Mi → 384Mi |");
    expect(stdout).toContain("major version bump: express ^4.19.2 → ^5.0.1");
    expect(stdout).toContain("- **payments** — no alert rule on its error rate or latency");
    expect(stdout).toContain(
      "Sources: ✅ metrics (mcp-prometheus) · ✅ postgres (dbhub) · ✅ kubernetes (kubernetes-mcp-server) · ✅ apm (skywalking-mcp)",
    );
    expect(stdout.split("part 2")[0]).not.toContain("Recent instability");
    // Part 2: the merged change locks the orders table; the RCA reads as one chain: PR → migration's lock → api errors, mitigation first.
    const rca = stdout.split("part 2")[1]!;
    expect(rca).toContain("Root-cause analysis: SEV2, urgency page now");
    expect(rca).toContain("### 🎯 Most likely cause");
    expect(rca).toMatch(
      /PR #7's migration `V7__orders_status\.sql` → the `ALTER TABLE orders ADD COLUMN status text NOT NULL` holding the lock \(pid 4711\) on `orders`; \d+ queries wait → api errors/,
    );
    expect(rca).toContain("- root: PR #7's migration `V7__orders_status.sql`");
    expect(rca).toMatch(/- mechanism: .*— `postgres:pg:blocked`/);
    expect(rca).toMatch(/- symptom: api errors .*`metrics:api:http\.error_rate`/);
    expect(rca).toContain("**Mitigate now:** Cancel the blocking statement: `SELECT pg_cancel_backend(4711);`");
    expect(rca).not.toContain("| Lock contention in PostgreSQL |"); // the lock is the chain's mechanism, not a rival row
  }, 120_000);
});
