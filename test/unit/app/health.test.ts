import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { stringify } from "yaml";
import { MemoryAuditLog } from "../../../src/audit/file-audit-log.js";
import { A2AClient } from "../../../src/capsule/a2a-client.js";
import { NodeIdentityStore } from "../../../src/capsule/node-identity.js";
import { Outbox } from "../../../src/capsule/outbox.js";
import { CapsulePublisher } from "../../../src/capsule/publisher.js";
import { writeMetadata } from "../../../src/github/metadata.js";
import { HEALTH_MARKER } from "../../../src/render/health.js";
import { scanHealth, trend } from "../../../src/analysis/health.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import { readMetadata } from "../../../src/github/metadata.js";
import { HealthScheduler, jitterOffsetMs, nextScanAt } from "../../../src/jobs/health-schedule.js";
import { healthCommand } from "../../../src/commands/health.js";
import { createHealthProcessor } from "../../../src/jobs/processors/health.js";
import type { HealthJob } from "../../../src/jobs/types.js";
import { ramp } from "../../../fixtures/mcp/scenario.js";
import { liveSources } from "../../helpers/fixture-pool.js";
import {
  api,
  type Captured,
  mockCommentReaction,
  mockCreateComment,
  mockInstallationToken,
  mockRepoConfig,
} from "../../helpers/github-mocks.js";
import { loadTestApp, useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import { productionServices } from "../../helpers/scenario.js";
import { example } from "../../helpers/webhooks.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const MB = 1024 * 1024;
const repoConfig = stringify({ services: { api: productionServices.api, web: productionServices.web } });
// Production where web's memory grows steadily over the six hours and web has no alert rule.
const sources = await liveSources(OWNER, (s) => {
  s.prometheus!.series!.push({
    contains: ['service="web"', "process_resident_memory_bytes"],
    points: ramp(-6 * 3600, 300, (t) => 200 * MB + ((t + 6 * 3600) / 3600) * 25 * MB + ((t / 300) % 3) * MB),
  });
});
afterAll(() => sources.pool.close());
const services = { ...sources, windowMs: 6 * 3_600_000 };
const app = () => loadTestApp({ processors: { health: createHealthProcessor(services) }, commands: { health: healthCommand(services) } });

function command(issue = 9) {
  const p = example("issue_comment", "created");
  p.comment.body = "/insight health";
  p.comment.user = { ...p.comment.user, login: "oncall", type: "User" };
  p.sender = { ...p.sender, login: "oncall", type: "User" };
  p.repository.owner.login = OWNER;
  p.repository.name = REPO;
  p.issue.number = issue;
  delete p.issue.pull_request;
  return p;
}

describe("trends", () => {
  it("fit a line and say how steady it is", () => {
    const t = trend(Array.from({ length: 13 }, (_, i) => [i * 1_800_000, 100 + i * 5] as [number, number]))!;
    expect(t.slopePerHour).toBeCloseTo(10);
    expect(t.r2).toBeCloseTo(1);
    expect(
      trend([
        [0, 1],
        [1, 2],
      ]),
    ).toBeUndefined();
  });
});

describe("scanHealth", () => {
  it("finds a steady memory growth and a service without an alert rule, and stays quiet about flat series", () => {
    const now = Date.parse("2026-11-24T06:00:00Z");
    const series = (values: (i: number) => number) => [
      { labels: {}, points: Array.from({ length: 72 }, (_, i) => [now - (71 - i) * 300_000, values(i)] as [number, number]) },
    ];
    const signals = [
      {
        id: "m:web:mem",
        source: "m",
        adapter: "prometheus" as const,
        kind: "metric" as const,
        service: "web",
        name: "process.memory_bytes",
        query: 'sum(process_resident_memory_bytes{service="web"})',
        series: series((i) => 200 * MB + i * 2 * MB),
      },
      {
        id: "m:api:mem",
        source: "m",
        adapter: "prometheus" as const,
        kind: "metric" as const,
        service: "api",
        name: "process.memory_bytes",
        query: "q",
        series: series((i) => 300 * MB + (i % 5) * MB),
      },
      {
        id: "m:rules",
        source: "m",
        adapter: "prometheus" as const,
        kind: "state" as const,
        name: "alert.rules",
        value: 1,
        query: "rules",
        data: { rules: [{ name: "ApiErrors", query: 'rate(x{service="api"}[5m]) > 1' }] },
      },
    ];
    const config = repoConfigSchema.parse({ services: { api: productionServices.api, web: productionServices.web } });
    const scan = scanHealth({
      collection: {
        window: { from: now - 6 * 3_600_000, to: now },
        sources: [{ source: "m", adapter: "prometheus", provides: ["metrics"], status: "ok", signals, notes: [], elapsedMs: 1 }],
        signals,
        elapsedMs: 1,
      },
      config,
      window: { from: now - 6 * 3_600_000, to: now },
    });
    const growth = scan.problems.find((p) => p.kind === "memory-growth")!;
    expect(growth).toMatchObject({ key: "memory-growth:web", service: "web", severity: "critical" });
    expect(growth.text).toMatch(/^memory grows steadily: 204 MB → 338 MB \(\+66%, 24\.0 MB\/h, fit R² 1\.00\)/); // medians of the first and last five points
    expect(growth.suggestion).toContain("alert: MemoryGrowing");
    expect(growth.suggestion).toContain("labels: { severity: warning, service: web }");
    expect(scan.problems.some((p) => p.key === "memory-growth:api")).toBe(false);
    const gaps = scan.problems.filter((p) => p.kind === "monitoring-gap").map((p) => p.key);
    expect(gaps).toContain("monitoring-gap:web:alert");
    expect(gaps).not.toContain("monitoring-gap:api:alert"); // api has its rule
    expect(gaps).toContain("monitoring-gap:web:metric"); // and neither has an error-rate series here
    expect(scan.services.map((s) => [s.service, s.status])).toEqual([
      ["api", "ok"],
      ["web", "critical"],
    ]);
  });
});

describe("the health report issue", () => {
  useNock();
  useE2eTimeout();

  it("is created on the first scan, then edited in place: quietly when nothing is new, with one comment when something is", async () => {
    const t = await app();
    // Scan 1: no report yet → one issue is created; the command is answered where it was asked.
    const created: Captured = {};
    const answer1: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, repoConfig);
    mockCommentReaction(OWNER, REPO, command().comment.id);
    api().get(`/repos/${OWNER}/${REPO}/issues`).query({ labels: "insight:health", state: "open", per_page: "20" }).reply(200, []);
    api()
      .post(`/repos/${OWNER}/${REPO}/issues`, (b) => ((created.body = b), true))
      .reply(201, { number: 50 });
    mockCreateComment(OWNER, REPO, 9, answer1);
    await t.probot.receive({ id: "h-1", name: "issue_comment", payload: command() } as never);
    await t.idle();
    const body1 = String(created.body?.body);
    expect(created.body).toMatchObject({ title: "Insight health report", labels: ["insight:health"] });
    expect(body1).toMatch(/### 🆕 New since the last scan \(\d+\)/);
    expect(body1).toMatch(/- 🔴 \*\*web\*\* — memory grows steadily: \d+ MB → \d+ MB/);
    expect(body1).toMatch(/\| web \| 🔴 \| [^|]+ \| [^|]+ \| [^|]+ \| [▁▂▃▄▅▆▇█]{6,} \|/);
    expect(body1).toContain("**web** — no alert rule on its error rate or latency");
    expect(String(answer1.body?.body)).toMatch(
      /🩺 Health scan done: \d+ problems \(\d+ new\) and 2 monitoring gaps — the report is in #50\./,
    );
    const keys = readMetadata<{ keys: string[] }>(body1, "health")!.keys;
    expect(keys).toEqual(expect.arrayContaining(["memory-growth:web", "monitoring-gap:web:alert"]));

    // Scan 2, scheduled: the same problems → the body is edited, no comment, no second issue.
    // (Probot keeps the installation token it got for scan 1.)
    const edited: Captured = {};
    mockRepoConfig(OWNER, REPO, repoConfig);
    api()
      .get(`/repos/${OWNER}/${REPO}/issues`)
      .query(true)
      .reply(200, [
        { number: 50, body: body1, user: { login: "insight[bot]", type: "Bot" }, labels: [{ name: "insight:health" }] },
        { number: 51, body: body1, user: { login: "mallory", type: "User" }, labels: [{ name: "insight:health" }] },
      ]);
    api()
      .patch(`/repos/${OWNER}/${REPO}/issues/50`, (b) => ((edited.body = b), true))
      .reply(200, { number: 50 });
    const job: HealthJob = {
      id: "schedule:1:health",
      delivery: "schedule:1",
      installationId: 2,
      repo: { owner: OWNER, repo: REPO },
      actor: "insight",
      kind: "health",
      trigger: "schedule",
    };
    t.insight.queue()!.enqueue(job);
    await t.idle();
    const body2 = String(edited.body?.body);
    expect(body2).not.toContain("### 🆕 New since the last scan");
    expect(body2).toMatch(/### Still there \(\d+\)/);
    expect(t.audit.outcomes.filter((e) => e.delivery === "schedule:1").map((e) => e.action)).toEqual(["issue.update"]);

    // Scan 3: a problem the report did not have → edited, and one comment names it.
    const edited3: Captured = {};
    const note: Captured = {};
    const without = body2.replace(/"memory-growth:web",?/, "");
    mockRepoConfig(OWNER, REPO, repoConfig);
    api()
      .get(`/repos/${OWNER}/${REPO}/issues`)
      .query(true)
      .reply(200, [{ number: 50, body: without, user: { login: "insight[bot]", type: "Bot" }, labels: [] }]);
    api()
      .patch(`/repos/${OWNER}/${REPO}/issues/50`, (b) => ((edited3.body = b), true))
      .reply(200, { number: 50 });
    mockCreateComment(OWNER, REPO, 50, note);
    t.insight.queue()!.enqueue({ ...job, id: "schedule:2:health", delivery: "schedule:2" });
    await t.idle();
    expect(String(edited3.body?.body)).toContain("### 🆕 New since the last scan (1)");
    expect(String(note.body?.body)).toMatch(/🆕 1 new problem since the last scan:\n- 🔴 \*\*web\*\* — memory grows steadily/);
  }, 30_000);
});

describe("/insight health with no service", () => {
  useNock();

  it("answers that there is nothing to scan, and reads no source and no issue", async () => {
    const t = await app();
    const answer: Captured = {};
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, "commands: { health: true }\n");
    mockCommentReaction(OWNER, REPO, command().comment.id);
    mockCreateComment(OWNER, REPO, 9, answer);
    await t.probot.receive({ id: "h-empty", name: "issue_comment", payload: command() } as never);
    await t.idle();
    expect(String(answer.body?.body)).toContain("There is nothing to scan: `.github/insight.yml` maps no service.");
    expect(t.audit.outcomes.map((e) => e.action)).toEqual(["reaction.create", "comment.create"]);
  });
});

describe("warning capsules", () => {
  useNock();
  useE2eTimeout();

  it("publish a problem confirmed by two scans, with the alert rule that would catch it, once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "insight-health-evomap-"));
    const identity = new NodeIdentityStore(join(dir, "node.json"));
    await identity.write({
      node_id: "node_00112233aabbccdd",
      node_secret: "ab".repeat(32),
      heartbeat_interval_ms: 900_000,
      hub: "https://hub.evomap.test",
    });
    const client = new A2AClient({ hubUrl: "https://hub.evomap.test", identity });
    const evomap = {
      client,
      publisher: new CapsulePublisher({
        client,
        outbox: new Outbox(join(dir, "outbox")),
        audit: new MemoryAuditLog(),
        log: { info: () => {}, warn: () => {} },
      }),
    };
    const withEvomap = { ...services, evomap };
    const t = await loadTestApp({ processors: { health: createHealthProcessor(withEvomap) } });
    const config = stringify({
      services: { api: productionServices.api, web: productionServices.web },
      evomap: { autoPublish: true, minConfidence: 0.6 },
    });
    const previous = `${HEALTH_MARKER}\n${writeMetadata("health", { keys: ["memory-growth:web"], published: [], scannedAt: 1 })}\nold report`;
    const edited: Captured = {};
    let published = "";
    mockInstallationToken();
    mockRepoConfig(OWNER, REPO, config);
    api()
      .get(`/repos/${OWNER}/${REPO}/issues`)
      .query(true)
      .reply(200, [{ number: 50, body: previous, user: { login: "insight[bot]", type: "Bot" }, labels: [] }]);
    api()
      .patch(`/repos/${OWNER}/${REPO}/issues/50`, (b) => ((edited.body = b), true))
      .reply(200, { number: 50 });
    mockCreateComment(OWNER, REPO, 50); // the problems new in this scan
    const hub = nock("https://hub.evomap.test")
      .post("/a2a/validate")
      .reply(200, {})
      .post("/a2a/publish")
      .reply(async (req: Request) => {
        published = await req.text();
        return [200, { decision: "accept", bundle_id: "bundle_w1" }] as const;
      });
    t.insight.queue()!.enqueue({
      id: "s:1",
      delivery: "s:1",
      installationId: 2,
      repo: { owner: OWNER, repo: REPO },
      actor: "insight",
      kind: "health",
      trigger: "schedule",
    });
    await t.idle();
    expect(hub.isDone()).toBe(true);
    const [gene, capsule] = JSON.parse(published).payload.assets;
    expect(gene).toMatchObject({ category: "optimize", signals_match: ["memory growth"] });
    expect(capsule.summary).toMatch(/^Warning, not an incident yet: memory grows steadily/);
    expect(capsule.content).toContain("labels: { severity: warning, service: a-service }"); // the service's name stays home
    expect(published).not.toMatch(/Codertocat|Hello-World|"web"|service=\\"web/);
    const meta = readMetadata<{ published: string[] }>(String(edited.body?.body), "health")!;
    expect(meta.published).toEqual(["memory-growth:web"]);
    expect(String(edited.body?.body)).toContain("Published as warning capsules: memory-growth:web.");
  }, 30_000);
});

describe("the schedule", () => {
  const H6 = 6 * 3_600_000;
  it("spreads installations over the first jitter share of the interval, and keeps each one's slot", () => {
    const offsets = Array.from({ length: 200 }, (_, i) => jitterOffsetMs(i + 1, H6, 0.25));
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThan(0.25 * H6);
    expect(new Set(offsets.map((o) => Math.floor(o / ((0.25 * H6) / 10)))).size).toBe(10); // every tenth of the window used
    expect(jitterOffsetMs(42, H6, 0.25)).toBe(jitterOffsetMs(42, H6, 0.25));
    expect(jitterOffsetMs(42, H6, 0)).toBe(0);
    const now = Date.parse("2026-11-24T05:00:00Z");
    const next = nextScanAt(42, H6, 0.25, now);
    expect(next).toBeGreaterThanOrEqual(now);
    expect(next - now).toBeLessThanOrEqual(H6);
    expect((next - jitterOffsetMs(42, H6, 0.25)) % H6).toBe(0);
  });

  it("enqueues one job per repository when an installation's slot comes, then waits a whole interval", async () => {
    let now = Date.parse("2026-11-24T00:00:00Z");
    const jobs: string[] = [];
    const scheduler = new HealthScheduler({
      intervalMs: H6,
      jitter: 0.25,
      now: () => now,
      queue: { enqueue: (j) => (jobs.push(`${j.repo.repo}@${j.delivery}`), "queued") },
      log: { info: () => {}, warn: () => {} },
      targets: async () => [
        {
          installationId: 7,
          repos: [
            { owner: "acme", repo: "api" },
            { owner: "acme", repo: "web" },
          ],
        },
      ],
    });
    await scheduler.tick();
    const slot = scheduler.nextFor(7)!;
    expect(jobs).toEqual([]);
    now = slot;
    await scheduler.tick();
    expect(jobs).toEqual([`api@schedule:${slot}`, `web@schedule:${slot}`]);
    await scheduler.tick();
    expect(jobs).toHaveLength(2);
    expect(scheduler.nextFor(7)).toBe(slot + H6);
  });
});
