import { describe, expect, it } from "@jest/globals";
import { renderModelImpact } from "../../../src/render/model.js";
import { untrustedInline } from "../../../src/render/untrusted.js";

/** Model text and echoed command arguments as untrusted text (attack of the security review). */
describe("untrusted text", () => {
  it("keeps GitHub links and the configured sources' hosts, removes every other link, bare or not", () => {
    const out = untrustedInline(
      "see [run](https://github.com/acme/api/actions/runs/1), [graph](https://grafana.acme.internal/d/x), [x](javascript:alert(1)), [y](http://github.com/a), https://evil.example/a www.evil.example [z](https://user:pw@github.com/)",
      { linkHosts: ["grafana.acme.internal"] },
    );
    expect(out).toContain("[run](https://github.com/acme/api/actions/runs/1)");
    expect(out).toContain("[graph](https://grafana.acme.internal/d/x)");
    expect(out).not.toMatch(/javascript:|http:\/\/github|evil\.example|user:pw/);
    expect(out.match(/\(link removed\)/g)).toHaveLength(5);
  });

  it("neutralises images, HTML, hidden blocks, mentions, headings, definitions, emphasis and status emoji, on one line", () => {
    const out = untrustedInline(
      "![p](https://evil.example/p.png)\n<img src=x onerror=y><!-- insight:reply -->\n### ✅ **Approved** by @lead and @acme/sre\n[ref]: https://evil.example\n> quoted\n- item `code`",
    );
    expect(out).not.toContain("\n");
    expect(out).not.toMatch(/!\[|<img|<!--|\*\*|✅|evil\.example/);
    expect(out).not.toMatch(/(^|[^\u200b])@[a-z]/);
    expect(out).toContain("\\#\\#\\#");
    expect(out).toContain("\\`code\\`");
    expect(untrustedInline("# title")).toBe("\\# title");
    expect(untrustedInline("- item")).toBe("\\- item");
    expect(untrustedInline("1. item")).toBe("\\1. item");
  });

  it("strips invisible and direction-changing characters", () => {
    expect(untrustedInline("ab\u200bc\u202edef\u2066")).toBe("abcdef");
  });

  it("leaves citations and plain prose as they are", () => {
    expect(untrustedInline("Connections are at the maximum [db:pg:connections] while #41 waits.")).toBe(
      "Connections are at the maximum [db:pg:connections] while #41 waits.",
    );
  });

  it("renders a PR's model notes the same way", () => {
    const run = {
      model: "m",
      usage: { input: 1, output: 1 },
      steps: 1,
      toolCalls: 0,
      refusedCalls: [],
      scopeRefusals: [],
      droppedClaims: 0,
      droppedCitations: 0,
      packTokens: 1,
      cut: 0,
      linkHosts: [],
    };
    const text = renderModelImpact({
      status: "ok",
      run,
      value: {
        summary: "LGTM ✅ @acme/reviewers ![x](https://evil.example/x.png)",
        risks: [{ risk: "<b>locks</b>", watch: "[dash](https://evil.example)", evidence: ["factor:1"] }],
      },
    }).join("\n");
    expect(text).not.toMatch(/evil\.example|<b>|✅|@acme/);
  });

  // Outside review (attacker): links the first pass did not recognise still rendered as links.
  it.each([
    ["a protocol-relative link with a single-quoted title", "[Approve here](//evil.example/login 'GitHub')"],
    ["a protocol-relative link with a parenthesised title", "[Approve here](//evil.example/login (GitHub))"],
    ["a slash-less https link with a title", "[Approve here](https:evil.example/login 'GitHub')"],
    ["an escaped-slash link with a title", "[Approve here](\\/\\/evil.example 'x')"],
  ])("leaves no link from %s", (_name, text) => {
    // An unescaped `](` is a link GitHub renders; `\](` is text.
    expect(untrustedInline(text)).not.toMatch(/(?<!\\)\]\(/);
  });

  it("drops the check-mark look-alikes of Insight's status lines", () => {
    expect(untrustedInline("\u2713 approved by alice \u2714\ufe0f")).not.toMatch(/[\u2713\u2714]/);
  });
});
