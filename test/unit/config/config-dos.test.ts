import { describe, expect, it, jest } from "@jest/globals";
import { ProbotOctokit } from "probot";
import * as loader from "../../../src/config/load-repo-config.js";
import { api, contentsAnswer } from "../../helpers/github-mocks.js";
import { useNock } from "../../helpers/probot.js";

/**
 * The denial of service of the security review: a 289 KB `.github/insight.yml` of 30k keys froze
 * the event loop for 42 s (the YAML parser's duplicate-key check is quadratic), and the file was
 * parsed again on every job. Each hostile file must be refused with a problem naming the limit.
 * No timing here: bench/config.ts measures how fast.
 */
const octokit = () => new ProbotOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } } as never);
const PATH = `/contents/${encodeURIComponent(".github/insight.yml")}`;
const serve = (repo: string, text: string, times = 1) => api().get(`/repos/acme/${repo}${PATH}`).times(times).reply(contentsAnswer(text));
const keys = (n: number, key = (i: number) => `k${i}: ${i}`) =>
  `services:\n  api:\n    tier: low\n${Array.from({ length: n }, (_, i) => key(i)).join("\n")}\n`;
const shortKeys = (n: number) => keys(n, (i) => `k${i.toString(36)}: 1`);
const load = (repo: string, cache?: unknown) =>
  (loader.loadRepoConfig as (...a: unknown[]) => ReturnType<typeof loader.loadRepoConfig>)(octokit(), { owner: "acme", repo }, cache);
const problems = (r: Awaited<ReturnType<typeof loader.loadRepoConfig>>) =>
  r.status === "invalid" ? r.error.problems.join("\n") : `ok: ${JSON.stringify(r).slice(0, 200)}`;

describe("repository config against hostile files (attack of the security review)", () => {
  jest.setTimeout(30_000); // worker threads start slowly on a loaded machine; no timing is asserted
  useNock();

  it("refuses the 289 KB file of 30,000 keys by its size, naming the limit", async () => {
    const hostile = keys(30_000);
    expect(hostile.length).toBeGreaterThan(280_000);
    serve("big", hostile);
    const result = await load("big");
    expect(problems(result)).toMatch(/^\(file\) → the file is \d+ KB; the limit is 64 KB/m);
  });

  it("refuses a file under the size cap whose keys exceed the key budget", async () => {
    const hostile = shortKeys(7_000);
    expect(hostile.length).toBeLessThan(64 * 1024);
    serve("many", hostile);
    expect(problems(await load("many"))).toMatch(/^\(file\) → more than 5,000 keys and values; the limit is 5,000/m);
  });

  it("refuses nesting deeper than the limit instead of overflowing the parser's stack", async () => {
    serve("deep", `services: ${"[".repeat(5_000)}${"]".repeat(5_000)}\n`);
    expect(problems(await load("deep"))).toMatch(/^\(file\) → .*(nest|deep)/m);
  });

  it("refuses an alias bomb", async () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(", ")}]`,
      ),
    ].join("\n");
    serve("bomb", bomb);
    expect(problems(await load("bomb"))).toMatch(/^\(file\) → .*alias/im);
  });

  it("parses a file once per blob sha: the next job reuses it, a changed file is parsed again", async () => {
    const Cache = (loader as Record<string, unknown>).RepoConfigCache as new () => { hits: number; misses: number };
    expect(typeof Cache).toBe("function");
    const cache = new Cache();
    const good = "services:\n  api:\n    tier: critical\n";
    serve("cached", good, 2);
    const first = await load("cached", cache);
    const second = await load("cached", cache);
    expect(first).toMatchObject({ status: "ok", source: "file" });
    expect(second).toEqual(first);
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 1, misses: 1 });
    serve("cached", "services:\n  api:\n    tier: low\n");
    const third = await load("cached", cache);
    expect(third.status === "ok" && third.config.services.api?.tier).toBe("low");
    expect(cache.misses).toBe(2);
  });

  it("caches a refusal too: a redelivered hostile file is not parsed again", async () => {
    const Cache = (loader as Record<string, unknown>).RepoConfigCache as new () => { hits: number; misses: number };
    const cache = new Cache();
    serve("again", shortKeys(7_000), 2);
    await load("again", cache);
    const second = await load("again", cache);
    expect(second.status).toBe("invalid");
    expect(cache.hits).toBe(1);
  });
});
