import { describe, expect, it } from "@jest/globals";
import { mineTemplates, templateText, TemplateMiner } from "../../../src/analysis/log-templates.js";

describe("template miner", () => {
  it("groups lines that differ only in variables and keeps different events apart", () => {
    const { assignment, templates } = mineTemplates([
      "request failed: connection timeout to payments:5432 after 1002 ms",
      "request failed: connection timeout to payments:5432 after 1730 ms",
      "user 42 logged in from 10.0.0.12",
      "user 7 logged in from 10.0.0.99",
      "request failed: connection timeout to payments:5432 after 999 ms",
      "cache miss for key order:123",
    ]);
    expect(assignment).toEqual([0, 0, 1, 1, 0, 2]);
    expect(templates.map(templateText)).toEqual([
      "request failed: connection timeout to payments:<*> after <*> ms",
      "user <*> logged in from <*>",
      "cache miss for key order:<*>",
    ]);
  });

  it("turns differing constant tokens into wildcards once similar enough", () => {
    const miner = new TemplateMiner({ threshold: 0.5 });
    miner.add("Deleting block blk_1 file /data/a");
    const t = miner.add("Deleting block blk_2 file /data/b");
    expect(templateText(t)).toBe("Deleting block blk_<*> file <*>");
    expect(t.lines).toEqual([0, 1]);
  });

  it("does not merge lines of different lengths", () => {
    expect(mineTemplates(["a b c", "a b c d"]).templates).toHaveLength(2);
  });

  it("masks UUIDs, hex and IPs", () => {
    expect(new TemplateMiner().tokenize("req 123e4567-e89b-12d3-a456-426614174000 from 10.1.2.3:8080 ptr 0xdeadbeef")).toEqual(["req", "<*>", "from", "<*>", "ptr", "<*>"]);
  });

  it("joins groups that differ only in numbers the masks left (the tree split them at a strict threshold)", () => {
    const lines = ["job 7 done", "job 7 done", "job 8 done", "job 9 done in time"];
    const split = new TemplateMiner({ threshold: 0.7, masks: [] });
    lines.forEach((l) => split.add(l));
    expect(split.groups.map((g) => g.tokens.join(" "))).toEqual(["job 7 done", "job 8 done", "job 9 done in time"]);
    const { assignment, templates } = mineTemplates(lines, { threshold: 0.7, masks: [] });
    expect(assignment).toEqual([0, 0, 0, 1]);
    expect(templates.map((t) => [t.tokens.join(" "), t.lines])).toEqual([["job <*> done", [0, 1, 2]], ["job 9 done in time", [3]]]);
  });
});
