import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileAuditLog } from "../../../src/audit/file-audit-log.js";
import { insight } from "../../helpers/cli.js";
// The command modules main() imports on first use, loaded with this file: their import is not the test's work
// (seconds on a loaded machine, against a 5 s test timeout).
import "../../../src/cli/audit-verify.js";

describe("insight audit verify", () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-cli-"));
    file = join(dir, "audit.jsonl");
    const log = new FileAuditLog(file);
    for (let i = 1; i <= 4; i++) {
      await log.append({
        actor: "octocat",
        action: "label.add",
        target: `acme/api#${i}`,
        delivery: `d${i}`,
        reason: "risk label",
        outcome: "ok",
      });
    }
    await log.close();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("passes an intact log", async () => {
    const result = await insight(["audit", "verify", "--file", file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("4 entries, chain intact");
  });

  it("exits 1 and names the first tampered entry", async () => {
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
    lines[2] = lines[2]!.replace('"label.add"', '"label.remove"');
    const tampered = join(dir, "tampered.jsonl");
    await writeFile(tampered, `${lines.join("\n")}\n`);
    const result = await insight(["audit", "verify", "--file", tampered]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("edited at line 3: entry seq 3 (line 3) was edited");
    expect(result.stderr).toContain("2 entries before it are intact");
  });

  it("exits 1 when the tail was cut after /health showed the head (--expect-head)", async () => {
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
    const head = JSON.parse(lines.at(-1)!) as { seq: number; hash: string };
    const cut = join(dir, "cut.jsonl");
    await writeFile(cut, `${lines.slice(0, -1).join("\n")}\n`);
    const result = await insight(["audit", "verify", "--file", cut, "--expect-head", `${head.seq}:${head.hash}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`before the expected head seq ${head.seq}: its tail was cut`);
  });

  it("rejects an unknown command with usage", async () => {
    const result = await insight(["deploy"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'deploy'");
  });
});
