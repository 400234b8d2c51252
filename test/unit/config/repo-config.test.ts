import { describe, expect, it } from "@jest/globals";
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { repoConfigJsonSchemaText } from "../../../src/config/json-schema.js";
import { loadRepoConfig, parseRepoConfig } from "../../../src/config/load-repo-config.js";
import { DEFAULT_REPO_CONFIG } from "../../../src/config/repo-config.js";

describe("repository config", () => {
  it("has a default for every field", () => {
    expect(DEFAULT_REPO_CONFIG.impact.thresholds).toEqual({ medium: 25, high: 50, critical: 75 });
    expect(DEFAULT_REPO_CONFIG.incident.label).toBe("incident");
    expect(DEFAULT_REPO_CONFIG.evomap).toEqual({ autoPublish: false, minConfidence: 0.8 });
    expect(DEFAULT_REPO_CONFIG.commands.fix).toBe(true);
  });

  it("accepts a full service map and fills the rest", () => {
    const result = parseRepoConfig(
      parse(`
services:
  api:
    paths: ["services/api/**"]
    tier: critical
    kubernetes: { namespace: prod, labels: { app: api } }
    prometheus: { labels: { service: api } }
    logs: { index: "logs-api-*" }
incident: { label: sev, window: 90m }
`),
    );
    expect(result.status).toBe("ok");
    if (result.status !== "ok") return;
    expect(result.config.services.api?.tier).toBe("critical");
    expect(result.config.incident).toMatchObject({ label: "sev", window: "90m", baseline: "24h" });
  });

  it("lists every problem as field.path → problem", () => {
    const result = parseRepoConfig({
      services: { api: { tier: "urgent", prometheus: { labels: { service: 'api"} or vector(1)' } } } },
      impact: { thresholds: { medium: 60, high: 50 } },
      evomap: { minConfidence: 2 },
      incident: { timezone: "Mars/Olympus" },
      command: "rm -rf /",
    });
    expect(result.status).toBe("invalid");
    if (result.status !== "invalid") return;
    const text = result.error.problems.join("\n");
    expect(text).toMatch(/^services\.api\.tier → /m);
    expect(text).toMatch(/^services\.api\.prometheus\.labels\.service → a label value may contain only/m);
    expect(text).toMatch(/^impact\.thresholds → thresholds must rise/m);
    expect(text).toMatch(/^evomap\.minConfidence → /m);
    expect(text).toMatch(/^incident\.timezone → an IANA time zone/m);
    expect(text).toMatch(/^\(root\) → Unrecognized key: "command"/m);
    expect(result.error.message).not.toMatch(/\bat \S+:\d+:\d+/); // no stack trace
  });

  it("reads through the config plugin and falls back to defaults when there is no file", async () => {
    const octokit = { config: { get: async () => ({ config: {}, files: [{ url: "x", config: null }] }) } };
    await expect(loadRepoConfig(octokit, { owner: "a", repo: "b" })).resolves.toMatchObject({ status: "ok", source: "default" });
  });

  it("turns unparseable YAML into a reported problem", async () => {
    const octokit = {
      config: {
        get: async () => {
          throw new Error("[@probot/octokit-plugin-config] Configuration could not be parsed from https://x (invalid YAML)");
        },
      },
    };
    const result = await loadRepoConfig(octokit, { owner: "a", repo: "b" });
    expect(result).toMatchObject({ status: "invalid" });
    if (result.status === "invalid") expect(result.error.problems).toEqual(["(file) → Configuration could not be parsed from https://x (invalid YAML)"]);
  });

  it("lets GitHub server errors propagate (they are not the user's to fix)", async () => {
    const octokit = { config: { get: async () => { throw Object.assign(new Error("boom"), { status: 502 }); } } };
    await expect(loadRepoConfig(octokit, { owner: "a", repo: "b" })).rejects.toThrow("boom");
  });

  it("has a current JSON Schema in schema/insight.schema.json (run npm run schema)", async () => {
    const committed = await readFile(new URL("../../../schema/insight.schema.json", import.meta.url), "utf8");
    expect(committed).toBe(repoConfigJsonSchemaText());
  });
});
