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

  /** A contents-API reader answering from `files` (path in repo → text); anything else 404. */
  const reader = (files: Record<string, string>, fail?: Error) => {
    const endpoint = (_route: string, p: Record<string, string>) => ({
      url: `https://api.github.com/repos/${p.owner}/${p.repo}/contents/${encodeURIComponent(p.path!)}`,
    });
    const request = async (_route: string, p: Record<string, string>) => {
      if (fail) throw fail;
      const text = files[`${p.repo}:${p.path}`];
      if (text === undefined) throw Object.assign(new Error("Not Found"), { status: 404 });
      const sha = `sha-${Buffer.from(text).toString("hex").slice(0, 30)}-${text.length}`;
      return {
        data: { type: "file", sha, size: Buffer.byteLength(text), encoding: "base64", content: Buffer.from(text).toString("base64") },
      };
    };
    return { request: Object.assign(request, { endpoint }) } as never;
  };

  it("falls back to defaults when there is no file, in the repo nor in the org's .github", async () => {
    await expect(loadRepoConfig(reader({}), { owner: "a", repo: "b" })).resolves.toMatchObject({ status: "ok", source: "default" });
  });

  it("reads the org's .github file and follows _extends, the repo's own settings winning", async () => {
    const result = await loadRepoConfig(
      reader({
        ".github:.github/insight.yml": "_extends: shared:base.yml\nincident: { label: sev }\n",
        "shared:base.yml": "incident: { label: base, window: 3h }\n",
      }),
      { owner: "a", repo: "b" },
    );
    expect(result).toMatchObject({ status: "ok", source: "file", config: { incident: { label: "sev" } } });
    if (result.status === "ok") expect(result.files).toHaveLength(2);
  });

  it("turns unparseable YAML into a reported problem", async () => {
    const result = await loadRepoConfig(reader({ "b:.github/insight.yml": "services: [unclosed\n  - x: {" }), { owner: "a", repo: "b" });
    expect(result).toMatchObject({ status: "invalid" });
    if (result.status === "invalid") expect(result.error.problems[0]).toMatch(/^\(file\) → invalid YAML: /);
  });

  it("lets GitHub server errors propagate (they are not the user's to fix)", async () => {
    await expect(loadRepoConfig(reader({}, Object.assign(new Error("boom"), { status: 502 })), { owner: "a", repo: "b" })).rejects.toThrow(
      "boom",
    );
  });

  it("has a current JSON Schema in schema/insight.schema.json (run npm run schema)", async () => {
    const committed = await readFile(new URL("../../../schema/insight.schema.json", import.meta.url), "utf8");
    expect(committed).toBe(repoConfigJsonSchemaText());
  });
});
