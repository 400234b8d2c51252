import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { readMetadata, stickyMarker, writeMetadata } from "../../../src/github/metadata.js";
import { createHistoryProcessor } from "../../../src/jobs/processors/history.js";
import { FileHistoryStore } from "../../../src/history/store.js";
import { createRcaProcessor } from "../../../src/jobs/processors/rca.js";
import { liveSources } from "../../helpers/fixture-pool.js";
import { loadTestApp, useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import { productionServices } from "../../helpers/scenario.js";
import { StatefulGitHub } from "../../helpers/stateful-github.js";
import { example } from "../../helpers/webhooks.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const sources = await liveSources(OWNER);
afterAll(() => sources.pool.close());

const bot = { login: "devops-insight[bot]", type: "Bot" as const };
const rcaComment = (id: number, issue: number, meta: unknown) => ({
  id,
  issue,
  body: `${stickyMarker("rca")}\n${writeMetadata("rca", meta)}\n## RCA`,
  user: bot,
});

/** Two closed incidents with Insight's RCA threads: #12 (connections exhausted on api, fixed by PR #45 "Fixes #12") and #13 (redis evictions on web). */
function github() {
  const gh = new StatefulGitHub(OWNER, REPO);
  gh.commit("main", { "services/api/src/db.ts": "export const pool = { max: 100 };\n" }, "Initial");
  const fix = gh.mergedPull(45, "Cap the api connection pool", { "services/api/src/db.ts": "export const pool = { max: 20 };\n" });
  fix.body = "Fixes #12: the pool opened more connections than max_connections.";
  gh.repoConfig = stringify({
    services: {
      api: { ...productionServices.api, paths: ["services/api/**"] },
      web: { ...productionServices.web, paths: ["services/web/**"] },
    },
  });
  gh.permissions.set("oncall", "write");
  gh.issues.set(12, {
    title: "Checkout errors: too many connections",
    body: "",
    created_at: "2026-11-20T10:00:00Z",
    closed_at: "2026-11-20T13:30:00Z",
    updated_at: "2026-11-20T13:30:00Z",
  });
  gh.issues.set(13, {
    title: "Web pages slow",
    body: "",
    created_at: "2026-11-21T10:00:00Z",
    closed_at: "2026-11-21T11:00:00Z",
    updated_at: "2026-11-21T11:00:00Z",
  });
  for (const n of [12, 13]) {
    gh.labels.set(n, new Set(["incident", "incident:analysed"]));
    gh.closedIssues.add(n);
  }
  gh.comments.push(
    rcaComment(600, 12, {
      signals: ["postgres connection exhaustion", "http 5xx error rate rising"],
      affected: ["api"],
      hypotheses: [{ id: "h1", title: "PostgreSQL connections exhausted", category: "dependency", confidence: 0.8, service: "api" }],
    }),
  );
  gh.comments.push(
    rcaComment(601, 13, {
      signals: ["redis eviction storm"],
      affected: ["web"],
      hypotheses: [{ id: "h1", title: "Redis eviction storm", category: "dependency", confidence: 0.7, service: "web" }],
    }),
  );
  gh.comments.push({ id: 602, issue: 13, body: "<!-- insight:reply -->\n🚀 Fix #46 is merged as `abcdef0`.", user: bot });
  // A person quoting Insight's marker on #13 is not read as its RCA.
  gh.comments.push({
    id: 603,
    issue: 13,
    body: `${stickyMarker("rca")}\n${writeMetadata("rca", { signals: ["postgres connection exhaustion"], affected: ["api"], hypotheses: [] })}`,
    user: { login: "mallory", type: "User" },
  });
  gh.issues.set(20, { title: "api returns 500s", body: "", created_at: new Date(Date.now() - 60_000).toISOString() });
  gh.labels.set(20, new Set(["incident"]));
  gh.install();
  return gh;
}

function issueEvent(action: "labeled" | "closed", number: number) {
  // The examples have no issues.closed: a labeled one with the action changed, as GitHub sends it.
  const p = example("issues", "labeled");
  p.action = action;
  if (action === "labeled") p.label = { name: "incident" };
  else delete p.label;
  Object.assign(p.issue, { number, state: action === "closed" ? "closed" : "open", pull_request: undefined });
  Object.assign(p.sender, { login: "oncall", type: "User" });
  p.repository.owner.login = OWNER;
  p.repository.name = REPO;
  return p;
}

describe("Seen before: the RCA thread with the past incidents like this one", () => {
  useNock();
  useE2eTimeout();

  it("shows the most similar past incident with what fixed it, cites the fix as evidence, indexes the incident when it closes, and re-reads nothing unchanged", async () => {
    const gh = github();
    const dir = mkdtempSync(join(tmpdir(), "insight-history-e2e-"));
    const history = { store: new FileHistoryStore(dir) };
    const t = await loadTestApp({
      processors: { rca: createRcaProcessor({ ...sources, history }), history: createHistoryProcessor(history) },
    });
    await t.probot.receive({ id: "seen-1", name: "issues", payload: issueEvent("labeled", 20) } as never);
    await t.idle();

    const body = gh.commentsOn(20).find((b) => b.startsWith(stickyMarker("rca")))!;
    expect(body).toContain("### 🔁 Seen before");
    const section = body.slice(body.indexOf("### 🔁 Seen before"));
    expect(section).toMatch(
      /\| \[#12\]\(https:\/\/github\.com\/Codertocat\/Hello-World\/issues\/12\) Checkout errors: too many connections \| \d+% \| shared keywords [^|]*`postgres connection exhaustion`[^|]*services api.*same mechanism: PostgreSQL connections exhausted \| \[#45 Cap the api connection pool\]\(https:\/\/github\.com\/Codertocat\/Hello-World\/pull\/45\) \| 3\.5 h \|/,
    );
    expect(section.split("### Related")[0]).not.toContain("#13"); // redis on web is not like this one
    // The past fix is evidence for the matching hypothesis, not a hypothesis of its own.
    expect(body).toMatch(/\| \d \| PostgreSQL connections exhausted \| dependency \| \d+% \| [^|]*\|/);
    expect(body).toContain("seen before in #12");
    expect(body).toContain("fixed by #45");
    expect(body).not.toMatch(/\| \d \| [^|]*Cap the api connection pool/);
    const meta = readMetadata<{ seenBefore: number[]; hypotheses: Array<{ title: string; root?: string }> }>(body, "rca")!;
    expect(meta.seenBefore[0]).toBe(12);
    const doc = (await history.store.load(`${OWNER}/${REPO}`))!;
    expect(doc.build).toMatchObject({ state: "done" });
    expect(doc.incidents.map((i) => [i.number, i.fix?.ref])).toEqual([
      [12, "#45"],
      [13, "#46"],
    ]);

    // The incident closes: it joins the memory from its own RCA thread.
    gh.closedIssues.add(20);
    Object.assign(gh.issues.get(20)!, { closed_at: new Date().toISOString(), updated_at: new Date().toISOString() });
    await t.probot.receive({ id: "seen-2", name: "issues", payload: issueEvent("closed", 20) } as never);
    await t.idle();
    const after = (await history.store.load(`${OWNER}/${REPO}`))!;
    const twenty = after.incidents.find((i) => i.number === 20)!;
    expect(twenty.signals).toEqual(expect.arrayContaining(["postgres connection exhaustion"]));
    expect(twenty.mechanism).toBe(meta.hypotheses[0]!.title);

    // Another analysis reads the merged PRs and deployments conditionally: unchanged → 304, nothing re-read.
    gh.labels.set(21, new Set(["incident"]));
    gh.issues.set(21, { title: "api 500s again", body: "", created_at: new Date(Date.now() - 30_000).toISOString() });
    await t.probot.receive({ id: "seen-3", name: "issues", payload: issueEvent("labeled", 21) } as never);
    await t.idle();
    expect(gh.notModified).toEqual(expect.arrayContaining([expect.stringContaining("/pulls?"), expect.stringContaining("/deployments")]));
    const second = gh.commentsOn(21).find((b) => b.startsWith(stickyMarker("rca")))!;
    expect(second).toMatch(/\| \[#20\]\([^)]+\) api returns 500s \| \d+% \|/); // the incident just closed is remembered
  }, 60_000);
});
