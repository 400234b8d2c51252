import { describe, expect, it } from "@jest/globals";
import { parseCommand } from "../../../src/commands/parse-command.js";

describe("parseCommand", () => {
  it("reads the command and key=value arguments", () => {
    expect(parseCommand("/insight rca since=2h service=api,db")).toEqual({
      ok: true,
      command: { name: "rca", args: { since: "2h", service: "api,db" }, positional: [], line: 1 },
    });
  });

  it("finds the command on any line and is case-insensitive", () => {
    const result = parseCommand("Thanks!\n\n/Insight  FIX\nmore text");
    expect(result).toMatchObject({ ok: true, command: { name: "fix", line: 3 } });
  });

  it("groups quoted values and keeps other words as positional", () => {
    expect(parseCommand(`/insight reject reason="not the cause" too risky`)).toMatchObject({
      ok: true,
      command: { name: "reject", args: { reason: "not the cause" }, positional: ["too", "risky"] },
    });
  });

  it("treats a bare /insight as help", () => {
    expect(parseCommand("/insight")).toMatchObject({ ok: true, command: { name: "help" } });
  });

  it.each([
    ["a quoted reply", "> /insight fix\nI disagree"],
    ["a fenced code block", "```\n/insight fix\n```"],
    ["a tilde fence", "~~~sh\n/insight approve\n~~~"],
    ["an indented code block", "    /insight approve"],
    ["an inline mention", "you can run `/insight rca` later"],
    ["a longer word", "/insightful comment"],
    ["no command", "LGTM"],
  ])("ignores %s", (_name, body) => {
    expect(parseCommand(body)).toBeUndefined();
  });

  // Attack (#15): commands nobody can see in the rendered comment ran anyway.
  it.each([
    ["an HTML comment", "Looks fine.\n<!--\n/insight approve\n-->"],
    ["an HTML comment opened on the line before", "<!-- hidden\n/insight fix -->"],
    ["a <details> block", "<details>\n<summary>logs</summary>\n\n/insight approve\n</details>"],
    ["a <details> opened inline", "<details><summary>more</summary>\n/insight reject\n</details>"],
    ["a <pre> block", "<pre>\n/insight rollback\n</pre>"],
    ["a <code> block", "<code>\n/insight fix\n</code>"],
    ["nested <details>", "<details>\n<details>\n</details>\n/insight approve\n</details>"],
  ])("does not run a command hidden in %s", (_name, body) => {
    expect(parseCommand(body)).toBeUndefined();
  });

  // Outside review (attacker), variants of #15's hidden commands that the renderer hides or shows as code.
  it.each([
    ["an HTML attribute spanning lines", 'thanks <a title="\n/insight approve\n">x</a>'],
    ["an <img alt> spanning lines", '<img src="x.png" alt="\n/insight approve\n">'],
    ["a <details tag whose > is on the next line", "<details\n>\n/insight approve\n</details>"],
    ["a link title spanning lines", 'see [docs](https://github.com/acme "\n/insight approve\n")'],
    ["a link definition's title spanning lines", "[a]: https://github.com/acme '\n/insight approve\n'"],
    ["a fence after a lone carriage return", "ok\r```\n/insight approve\n```"],
    ["a fence whose 'closing' line has an info string", "```\ncode\n```sh\n/insight approve\n```"],
    ["a <script> block", "<script>\n/insight approve\n</script>"],
    ["a <style> block", "<style>\n/insight approve\n</style>"],
    ["a quote's lazy continuation line", "> quoted from someone\n/insight approve"],
    ["a <details> whose 'closer' is shown as code", "<details>\n\n`</details>`\n\n/insight approve\n\n</details>"],
    ["a definition's title on the next line", '[a]: https://github.com/acme\n"\n/insight approve\n"'],
    // A code span crosses lines inside a paragraph: its `</details>` is shown as code and closes nothing.
    [
      "a <details> whose 'closer' is inside a code span crossing lines",
      "<details>\n\ntext `a\nb </details>` c\n\n/insight approve\n</details>",
    ],
    // (A line that starts with `</details>` is an HTML block that interrupts the paragraph: it does close.)
    ["a double-backtick span crossing lines", "<details>\n\nsee ``x\ny </details> z\n`` ok\n\n/insight approve\n</details>"],
    ["a <details> that interrupts a paragraph holding an open backtick", "`a\n<details>`\n/insight approve\n"],
  ])("does not run a command hidden in %s", (_name, body) => {
    expect(parseCommand(body)).toBeUndefined();
  });

  it("finds a command after a <details> closed on a line that only looks like the end of a code span", () => {
    // No closing backtick in the paragraph: the backtick is literal, and the `</details>` line is HTML.
    expect(parseCommand("<details>\n\nx `a\n</details>\n\n/insight rca")).toMatchObject({ ok: true, command: { name: "rca" } });
    expect(parseCommand("<details>\n\nx ``a` b\n</details>\n\n/insight rca")).toMatchObject({ ok: true, command: { name: "rca" } });
  });
  it("finds a command after a closed HTML comment or <details> block", () => {
    expect(parseCommand("<!-- note -->\n/insight help")).toMatchObject({ ok: true, command: { name: "help", line: 2 } });
    expect(parseCommand("<details>\n/insight fix\n</details>\n/insight rca")).toMatchObject({
      ok: true,
      command: { name: "rca", line: 4 },
    });
  });

  it("resumes after a closed fence", () => {
    expect(parseCommand("```\n/insight fix\n```\n/insight help")).toMatchObject({ ok: true, command: { name: "help", line: 4 } });
  });

  it("takes the first command only", () => {
    expect(parseCommand("/insight approve\n/insight rollback")).toMatchObject({ command: { name: "approve" } });
  });

  it.each([
    ["an unclosed quote", `/insight rca service="api`, /unclosed " quote/],
    ["a command name with symbols", "/insight $(rm -rf)", /is not a command name/],
    ["an over-long argument", `/insight rca service=${"a".repeat(300)}`, /longer than 200/],
    ["too many arguments", `/insight rca ${Array.from({ length: 30 }, (_, i) => `k${i}=v`).join(" ")}`, /too many arguments/],
  ])("reports %s", (_name, body, error) => {
    const result = parseCommand(body);
    expect(result?.ok).toBe(false);
    if (result && !result.ok) expect(result.error).toMatch(error);
  });
});
