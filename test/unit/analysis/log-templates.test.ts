import { describe, expect, it } from "@jest/globals";
import { mineTemplates, mineTemplatesDrain, templateText, TemplateMiner, tokenizeLine } from "../../../src/analysis/log-templates.js";

describe("template miner (Drain-style, streaming)", () => {
  it("groups lines that differ only in variables and keeps different events apart", () => {
    const { assignment, templates } = mineTemplatesDrain([
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
    expect(mineTemplatesDrain(["a b c", "a b c d"]).templates).toHaveLength(2);
  });

  it("masks UUIDs, hex and IPs", () => {
    expect(new TemplateMiner().tokenize("req 123e4567-e89b-12d3-a456-426614174000 from 10.1.2.3:8080 ptr 0xdeadbeef")).toEqual([
      "req",
      "<*>",
      "from",
      "<*>",
      "ptr",
      "<*>",
    ]);
  });

  it("joins groups that differ only in numbers the masks left (the tree split them at a strict threshold)", () => {
    const lines = ["job 7 done", "job 7 done", "job 8 done", "job 9 done in time"];
    const split = new TemplateMiner({ threshold: 0.7, masks: [] });
    lines.forEach((l) => split.add(l));
    expect(split.groups.map((g) => g.tokens.join(" "))).toEqual(["job 7 done", "job 8 done", "job 9 done in time"]);
    const { assignment, templates } = mineTemplatesDrain(lines, { threshold: 0.7, masks: [] });
    expect(assignment).toEqual([0, 0, 0, 1]);
    expect(templates.map((t) => [t.tokens.join(" "), t.lines])).toEqual([
      ["job <*> done", [0, 1, 2]],
      ["job 9 done in time", [3]],
    ]);
  });
});

describe("batch template miner (generic defaults, what the RCA uses)", () => {
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
      "request failed: connection timeout to payments: <*> after <*>",
      "user <*> logged in from <*>",
      "cache miss for key order: <*>",
    ]);
  });

  it("types whole values: ids, host:port, dotted host names, paths, URLs, key=value", () => {
    expect(
      tokenizeLine(
        "GET https://api.stripe.com/v1/charges?x=1 from proxy.cse.cuhk.edu.hk:5070 block blk_-1608999687919862906 to /var/lib/x.db uid=0 user=root",
      ),
    ).toEqual(["GET", "<*>", "from", "<*>", "block", "<*>", "to", "<*>", "uid", "=", "<*>", "user", "=", "root"]);
    expect(tokenizeLine("req 123e4567-e89b-12d3-a456-426614174000 ptr 0xdeadbeef mac 5c:50:15:36:bc:03")).toEqual([
      "req",
      "<*>",
      "ptr",
      "<*>",
      "mac",
      "<*>",
    ]);
  });

  it("keeps a template's length when a value spans several words (dates, sizes with units, optional brackets)", () => {
    const a = tokenizeLine("connection from 24.54.76.216 (adsl-24.example.net) at Fri Jun 17 07:07:00 2005");
    const b = tokenizeLine("connection from 222.33.90.199 () at Mon Jul  1 03:40:59 2005");
    expect(a).toEqual(["connection", "from", "<*>", "at", "<*>"]);
    expect(b).toEqual(a);
    const c = tokenizeLine("github.com:443 close, 1190 bytes (1.16 KB) sent, 1671 bytes (1.63 KB) received, lifetime 00:02");
    const d = tokenizeLine("github.com:443 close, 0 bytes sent, 0 bytes received, lifetime <1 sec");
    expect(c).toEqual(d);
  });

  it("a column holding many one-off words is a variable; a few recurring words stay constants", () => {
    const users = ["alice", "bob", "carol", "dave", "erin", "frank"].map((u) => `Invalid user ${u} from 10.0.0.${u.length}`);
    const states = Array.from({ length: 12 }, (_, i) => `VM ${["Started", "Stopped"][i % 2]} (Lifecycle Event)`);
    const { templates } = mineTemplates([...users, ...states]);
    expect(templates.map(templateText)).toEqual([
      "Invalid user <*> from <*>",
      "VM Started (Lifecycle Event)",
      "VM Stopped (Lifecycle Event)",
    ]);
    expect(templates.map((t) => t.lines.length)).toEqual([6, 6, 6]);
  });

  it("a column that is a typed variable in some lines is a variable in all of them", () => {
    const { templates } = mineTemplates([
      ...Array.from({ length: 5 }, (_, i) => `authentication failure; rhost=10.1.1.${i} user=root`),
      "authentication failure; rhost=zummit.com user=root",
    ]);
    expect(templates.map(templateText)).toEqual(["authentication failure; rhost=<*> user=root"]);
  });

  it("never makes the first word a variable by count alone", () => {
    const keys = ["getSteps", "setSteps", "getCalories", "setCalories", "getFloors", "onStandStepChanged"];
    const { templates } = mineTemplates(keys.flatMap((k, i) => [`${k}=${i}##${i * 7}`, `${k}=${i + 1}##${i * 3}`]));
    expect(templates).toHaveLength(keys.length);
  });

  it("lines are mined as given: the caller redacts first, the miner never sees more than its input", () => {
    const { templates } = mineTemplates(["login failed for [REDACTED] from 10.0.0.1", "login failed for [REDACTED] from 10.0.0.2"]);
    expect(templates.map(templateText)).toEqual(["login failed for [REDACTED] from <*>"]);
  });

  it("handles empty input and blank lines", () => {
    expect(mineTemplates([])).toEqual({ assignment: [], templates: [] });
    expect(mineTemplates(["", "   "]).assignment).toEqual([0, 0]);
  });
});
