import { describe, expect, it } from "@jest/globals";
import { canonicalJson, sha256Hex } from "../../../src/util/canonical-json.js";

describe("canonicalJson", () => {
  it("matches the GEP-A2A test vector", () => {
    const id = `sha256:${sha256Hex(canonicalJson({ type: "Gene", id: "test_gene" }))}`;
    expect(id).toBe("sha256:98663a152e7107d4f41e795d1c5429be20d8acc2627a66763fd7160ea49193db");
  });

  it("sorts keys at every level, keeps array order, drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: undefined, e: null } })).toBe('{"a":{"d":[3,1],"e":null},"b":1}');
  });

  it("turns non-finite numbers and undefined array items into null", () => {
    expect(canonicalJson([NaN, Infinity, undefined, 1.5])).toBe("[null,null,null,1.5]");
  });
});
