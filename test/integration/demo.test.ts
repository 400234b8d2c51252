import { describe, expect, it } from "@jest/globals";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

describe("npm run demo (the README's main job)", () => {
  it("prints the PR-impact report of the sample change from fixture production, offline", async () => {
    const { stdout } = await run(process.execPath, ["bin/insight.js", "demo"], { env: { PATH: process.env.PATH }, timeout: 120_000 });
    expect(stdout).toContain("## 🔴 Blast radius: **critical**");
    expect(stdout).toMatch(/\| Database migration \| \+35 \| 1 migration on orders; orders \(48\.0M rows, 20\.0 GiB\) is large or hot/);
    expect(stdout).toContain("| Deployment configuration | +14 | 1 Kubernetes/Helm file: replicas 3 → 2, memory 512Mi → 384Mi |");
    expect(stdout).toContain("major version bump: express ^4.19.2 → ^5.0.1");
    expect(stdout).toContain("- **payments** — no alert rule on its error rate or latency");
    expect(stdout).toContain("Sources: ✅ metrics (mcp-prometheus) · ✅ postgres (dbhub) · ✅ kubernetes (kubernetes-mcp-server) · ✅ apm (skywalking-mcp)");
    expect(stdout).not.toContain("Recent instability");
  }, 120_000);
});
