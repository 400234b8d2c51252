import { describe, expect, it } from "@jest/globals";
import { insight } from "../../helpers/cli.js";
// The command modules main() imports on first use, loaded with this file: their import is not the test's work
// (seconds on a loaded machine, against a 5 s test timeout).
import "../../../src/cli/rca.js";

describe("insight CLI explains itself", () => {
  it("prints a command's own usage for `insight <command> --help`", async () => {
    const rca = await insight(["rca", "--help"]);
    expect(rca.code).toBe(0);
    expect(rca.stdout).toMatch(/^Usage:\n {2}insight rca \[--since 2h\] \[--until <time>\]/);
    expect(rca.stdout).toContain("root-cause analysis over the configured sources");
    expect(rca.stdout).not.toContain("insight impact");
    const capsule = await insight(["capsule", "-h"]);
    expect(capsule.stdout).toContain("insight capsule build --input <file>");
    expect(capsule.stdout).toContain("insight capsule validate <file>");
    expect((await insight(["impact", "--help"])).stdout).toContain("insight impact --repo <path> --base <ref>");
  });

  it("`insight rca` with no source says there is no data and exits non-zero, with no severity or verdict", async () => {
    const r = await insight(["rca", "--since", "1h"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("no data: no source is configured");
    expect(r.stderr).toContain("--mcp-config");
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/SEV4|nothing abnormal|Nothing anomalous|\/insight rca/);
  });
});
