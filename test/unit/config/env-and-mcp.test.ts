import { describe, expect, it } from "@jest/globals";
import { loadEnv } from "../../../src/config/env.js";
import { matchRepoGlob, parseMcpServers, sourcesForRepo } from "../../../src/config/mcp-servers.js";

describe("operator environment", () => {
  it("applies defaults", () => {
    const env = loadEnv({});
    expect(env).toMatchObject({ LOG_LEVEL: "info", INSIGHT_DRY_RUN: false, INSIGHT_CONCURRENCY: 4, auditPath: ".insight/audit.jsonl" });
  });

  it("names each bad variable", () => {
    expect(() => loadEnv({ APP_ID: "abc", LOG_LEVEL: "loud", INSIGHT_DRY_RUN: "maybe", REDIS_URL: "not a url" })).toThrow(
      /APP_ID → must be the numeric App ID[\s\S]*LOG_LEVEL → [\s\S]*INSIGHT_DRY_RUN → [\s\S]*REDIS_URL → must be a URL/,
    );
  });

  it("requires credentials for the real server", () => {
    expect(() => loadEnv({}, { requireCredentials: true })).toThrow(
      /APP_ID → required[\s\S]*PRIVATE_KEY or PRIVATE_KEY_PATH[\s\S]*WEBHOOK_SECRET/,
    );
  });

  it("reads dry run as a flag", () => {
    expect(loadEnv({ INSIGHT_DRY_RUN: "1" }).INSIGHT_DRY_RUN).toBe(true);
  });
});

describe("MCP servers file", () => {
  const valid = {
    mcpServers: {
      postgres: {
        command: "npx",
        args: ["-y", "@bytebase/dbhub", "--readonly"],
        insight: { adapter: "postgres", repositories: ["acme/*"] },
      },
      metrics: { url: "http://127.0.0.1:9000/mcp", insight: { adapter: "prometheus", repositories: ["acme/api", "ops/*"] } },
    },
  };

  it("accepts the Claude Desktop format plus insight settings", () => {
    const config = parseMcpServers(valid);
    expect(config.mcpServers.postgres!.insight.timeoutMs).toBe(10_000);
    expect(config.insight.budgetMs).toBe(45_000);
  });

  it("reaches only the servers allowed for a repository", () => {
    const config = parseMcpServers(valid);
    expect(sourcesForRepo(config, "acme/api").map(([n]) => n)).toEqual(["postgres", "metrics"]);
    expect(sourcesForRepo(config, "acme/web").map(([n]) => n)).toEqual(["postgres"]);
    expect(sourcesForRepo(config, "evil/api")).toEqual([]);
  });

  it("says what is wrong with a server", () => {
    expect(() => parseMcpServers({ mcpServers: { db: { command: "x", insight: { adapter: "oracle", repositories: [] } } } })).toThrow(
      /mcpServers\.db/,
    );
  });

  it("matches globs on whole segments", () => {
    expect(matchRepoGlob("acme/*", "acme/api")).toBe(true);
    expect(matchRepoGlob("acme/*", "acme-evil/api")).toBe(false);
    expect(matchRepoGlob("*/*", "x/y")).toBe(true);
    expect(matchRepoGlob("acme/api", "ACME/API")).toBe(true);
    expect(matchRepoGlob("acme/a.i", "acme/abi")).toBe(false);
  });
});
