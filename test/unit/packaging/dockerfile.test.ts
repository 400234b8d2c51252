import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { validate } from "dockerfile-utils";

const text = readFileSync(new URL("../../../Dockerfile", import.meta.url), "utf8");
const instructions = text.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));

describe("Dockerfile", () => {
  it("has no problem dockerfile-utils finds (errors or warnings)", () => {
    const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it("is multi-stage, ships only dist/ and production dependencies, and runs node as a non-root user", () => {
    const froms = instructions.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith("FROM "));
    expect(froms).toHaveLength(2);
    const final = instructions.slice(froms[1]![1]);
    const copies = final.filter((l) => l.startsWith("COPY "));
    expect(copies.some((l) => /\bsrc\b/.test(l))).toBe(false);
    expect(copies.filter((l) => l.includes("--from=build")).map((l) => l.split(/\s+/)[2])).toEqual([
      "/app/package.json",
      "/app/node_modules",
      "/app/dist",
    ]);
    expect(instructions.find((l) => l.startsWith("RUN ") && l.includes("npm prune --omit=dev"))).toBeDefined();
    const user = final.findIndex((l) => l.startsWith("USER "));
    expect(final[user]).toBe("USER node");
    expect(user).toBeLessThan(final.findIndex((l) => l.startsWith("CMD ")));
    expect(final.at(-1)).toBe('CMD ["node", "bin/server.js"]');
  });
});
