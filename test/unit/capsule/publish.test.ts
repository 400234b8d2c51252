import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { MemoryAuditLog } from "../../../src/audit/file-audit-log.js";
import { A2AClient } from "../../../src/capsule/a2a-client.js";
import { buildBundle } from "../../../src/capsule/build.js";
import { assetId, signBundle } from "../../../src/capsule/hashing.js";
import { capsuleRank, publicKeywords, relatedCapsules } from "../../../src/capsule/lookup.js";
import { renderRelated } from "../../../src/render/related.js";
import { NodeIdentityStore } from "../../../src/capsule/node-identity.js";
import { Outbox } from "../../../src/capsule/outbox.js";
import { backoffMs, CapsulePublisher } from "../../../src/capsule/publisher.js";
import { FIX_INPUT } from "./bundle.test.js";
import { useNock } from "../../helpers/probot.js";

const HUB = "https://hub.evomap.test";
const SECRET = "ab".repeat(32);
const CONTEXT = { installationId: 2, repo: { owner: "acme", repo: "shop" }, incident: 7, pull: 101 };
const silent = { info: () => {}, warn: () => {} };

type Sent = { path: string; headers: Record<string, string>; body: any };

function setup(options: { registered?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "insight-evomap-"));
  const identity = new NodeIdentityStore(join(dir, "node", "evomap-node.json"));
  const client = new A2AClient({ hubUrl: HUB, identity, timeoutMs: 2_000 });
  const audit = new MemoryAuditLog();
  const outbox = new Outbox(join(dir, "outbox"));
  const waits: number[] = [];
  let now = Date.parse("2026-11-24T00:00:00Z");
  const publisher = (extra: Partial<ConstructorParameters<typeof CapsulePublisher>[0]> = {}) =>
    new CapsulePublisher({ client, outbox, audit, log: silent, sleep: async (ms) => void waits.push(ms), now: () => now, ...extra });
  const ready =
    options.registered === false
      ? Promise.resolve()
      : identity.write({ node_id: "node_0123456789abcdef", node_secret: SECRET, heartbeat_interval_ms: 900_000, hub: HUB });
  return { dir, identity, client, audit, outbox, waits, publisher, ready, advance: (ms: number) => (now += ms), now: () => now };
}

/** A hub route that records what it was sent. */
function hub(path: string, status: number, reply: unknown, sent: Sent[] = [], times = 1) {
  return nock(HUB)
    .post(path)
    .times(times)
    .reply(async (req: Request) => {
      sent.push({ path, headers: Object.fromEntries(req.headers.entries()), body: JSON.parse(await req.text()) });
      return [status, reply] as const;
    });
}

const bundle = buildBundle(FIX_INPUT);

useNock();

describe("A2A client", () => {
  it("registers with hello: its own node id, the secret kept in a 0600 file, no bearer before it has one", async () => {
    const t = setup({ registered: false });
    await t.ready;
    const sent: Sent[] = [];
    hub(
      "/a2a/hello",
      200,
      { status: "acknowledged", your_node_id: "node_fedcba9876543210", node_secret: SECRET, heartbeat_interval_ms: 600_000 },
      sent,
    );
    const r = await t.client.node();
    expect(r).toEqual({
      ok: true,
      value: { node_id: "node_fedcba9876543210", node_secret: SECRET, heartbeat_interval_ms: 600_000, hub: HUB },
    });
    const hello = sent[0]!;
    expect(hello.body).toMatchObject({
      protocol: "gep-a2a",
      protocol_version: "1.0.0",
      message_type: "hello",
      payload: { env_fingerprint: { platform: expect.any(String), arch: expect.any(String) } },
    });
    expect(hello.body.message_id).toMatch(/^msg_\d{13}_[0-9a-f]{8}$/);
    expect(hello.body.sender_id).toMatch(/^node_[0-9a-f]{16}$/);
    expect(Number.isNaN(Date.parse(hello.body.timestamp))).toBe(false);
    expect(hello.headers.authorization).toBeUndefined();
    expect(statSync(t.identity.path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(t.identity.path, "utf8")).node_secret).toBe(SECRET);
  });

  it("heartbeats with its bearer and says hello again on unknown_node", async () => {
    const t = setup();
    await t.ready;
    const sent: Sent[] = [];
    nock(HUB).post("/a2a/heartbeat").reply(200, { status: "unknown_node" });
    hub("/a2a/hello", 200, { payload: { node_secret: "cd".repeat(32), heartbeat_interval_ms: 300_000 } }, sent);
    const r = await t.client.heartbeat(Date.now() - 1000);
    expect(r).toEqual({ ok: true, value: { status: "reregistered", nextInMs: 300_000 } });
    expect(sent[0]!.body.sender_id).toBe("node_0123456789abcdef"); // the same identity, registered again
    expect((await t.identity.read())!.node_secret).toBe("cd".repeat(32));
  });

  it("reads the node's reputation", async () => {
    const t = setup();
    await t.ready;
    nock(HUB).get("/a2a/nodes/node_0123456789abcdef").reply(200, { node_id: "node_0123456789abcdef", reputation: 72.5 });
    expect(await t.client.reputation()).toEqual({ ok: true, value: 72.5 });
  });
});

describe("publishing through the outbox", () => {
  it("validates, then publishes the signed bundle; the hub's hashes recompute; the outbox is emptied on accept", async () => {
    const t = setup();
    await t.ready;
    const sent: Sent[] = [];
    hub("/a2a/validate", 200, { valid: true }, sent);
    hub("/a2a/publish", 200, { decision: "accept", bundle_id: "bundle_9f2" }, sent);
    const outcome = await t.publisher().submit(bundle, CONTEXT);
    expect(outcome).toMatchObject({
      status: "decided",
      decision: { decision: "accept", bundleId: "bundle_9f2", validated: true },
      attempts: 1,
    });
    expect(sent.map((s) => s.path)).toEqual(["/a2a/validate", "/a2a/publish"]);
    const publish = sent[1]!;
    expect(publish.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(publish.body).toMatchObject({ message_type: "publish", sender_id: "node_0123456789abcdef" });
    const [gene, capsule, event] = publish.body.payload.assets;
    // What the hub does: recompute each asset id from the content and check the signature.
    for (const a of [gene, capsule, event]) expect(assetId(a)).toBe(a.asset_id);
    expect(publish.body.payload.signature).toBe(signBundle(SECRET, gene.asset_id, capsule.asset_id));
    expect(await t.outbox.list()).toEqual([]);
    expect(t.audit.entries).toEqual([
      expect.objectContaining({
        action: "capsule.publish",
        outcome: "ok",
        detail: expect.objectContaining({ decision: "accept", bundleId: "bundle_9f2" }),
      }),
    ]);
  });

  it("a quarantine is decided but not a success; a rejection at validation carries the hub's correction", async () => {
    const t = setup();
    await t.ready;
    hub("/a2a/validate", 200, {});
    hub("/a2a/publish", 200, { payload: { decision: "quarantine", reason: "similar to a quarantined asset" } });
    const q = await t.publisher().submit(bundle, CONTEXT);
    expect(q).toMatchObject({ status: "decided", decision: { decision: "quarantine", reason: "similar to a quarantined asset" } });
    expect(t.audit.entries.at(-1)).toMatchObject({ outcome: "refused", detail: { decision: "quarantine" } });

    const other = buildBundle({ ...FIX_INPUT, keywords: ["redis eviction storm"] });
    hub("/a2a/validate", 400, {
      error: "blast_radius_too_large",
      correction: { problem: "blast_radius.lines exceeds 500", fix: "split the change" },
    });
    const r = await t.publisher().submit(other, CONTEXT);
    expect(r).toMatchObject({
      status: "decided",
      decision: {
        decision: "rejected",
        validated: false,
        reason: "blast_radius_too_large",
        correction: { problem: "blast_radius.lines exceeds 500", fix: "split the change" },
      },
    });
    expect(await t.outbox.list()).toEqual([]);
  });

  it("waits out a short rate limit as the hub asks, and leaves a long one to the outbox", async () => {
    const t = setup();
    await t.ready;
    hub("/a2a/validate", 429, { error: "rate_limited", retry_after_ms: 4_000 });
    hub("/a2a/validate", 200, {});
    hub("/a2a/publish", 200, { decision: "accept", bundle_id: "b1" });
    expect(await t.publisher().submit(bundle, CONTEXT)).toMatchObject({ status: "decided", attempts: 2 });
    expect(t.waits).toEqual([4_000]);

    const other = buildBundle({ ...FIX_INPUT, keywords: ["postgres lock contention"] });
    hub("/a2a/validate", 429, { error: "rate_limited", retry_after_ms: 120_000 });
    const r = await t.publisher().submit(other, CONTEXT);
    expect(r).toMatchObject({ status: "waiting", nextAttemptAt: t.now() + 120_000 });
    expect((await t.outbox.list()).map((e) => e.key)).toEqual([Outbox.keyOf(other)]);
  });

  it("backs off on 5xx, keeps the bundle, and the drain publishes it once due", async () => {
    const t = setup();
    await t.ready;
    hub("/a2a/validate", 503, { error: "maintenance" });
    const p = t.publisher();
    expect(await p.submit(bundle, CONTEXT)).toMatchObject({ status: "waiting", attempts: 1, nextAttemptAt: t.now() + 30_000 });
    expect(backoffMs(1)).toBe(30_000);
    expect(backoffMs(3)).toBe(120_000);
    expect(backoffMs(20)).toBe(3_600_000);
    expect(await p.drain()).toEqual([]); // not due yet: nothing sent
    t.advance(30_000);
    hub("/a2a/validate", 200, {});
    hub("/a2a/publish", 200, { decision: "accept", bundle_id: "b2" });
    const drained = await p.drain();
    expect(drained.map((d) => d.outcome)).toEqual([expect.objectContaining({ status: "decided", attempts: 2 })]);
    expect(t.audit.entries.map((e) => e.outcome)).toEqual(["error", "ok"]);
  });

  it("sets a bundle aside as dead after its attempts, kept in outbox/dead/ and counted, never sent again", async () => {
    const t = setup();
    await t.ready;
    hub("/a2a/validate", 503, { error: "maintenance" }, [], 2);
    const p = t.publisher({ maxAttempts: 2 });
    expect(await p.submit(bundle, CONTEXT)).toMatchObject({ status: "waiting", attempts: 1 });
    t.advance(30_000);
    const [drained] = await p.drain();
    expect(drained!.outcome).toMatchObject({ status: "waiting", attempts: 2, nextAttemptAt: Infinity });
    expect(await t.outbox.list()).toEqual([]);
    expect(await t.outbox.depth(t.now())).toEqual({ waiting: 0, due: 0, dead: 1 });
    t.advance(86_400_000);
    expect(await p.drain()).toEqual([]);
    expect(JSON.parse(await readFile(join(t.dir, "outbox", "dead", `${Outbox.keyOf(bundle)}.json`), "utf8"))).toMatchObject({
      attempts: 2,
      lastError: "hub error HTTP 503",
      bundle,
    });
    expect(t.audit.entries.at(-1)).toMatchObject({ outcome: "error", detail: expect.objectContaining({ dead: true, attempts: 2 }) });
  });

  it("survives a restart between persist and publish: the bundle is published exactly once", async () => {
    const t = setup();
    await t.ready;
    // The process stops right after persisting (before any attempt).
    await t.outbox.put(bundle, CONTEXT, t.now());
    const decided: string[] = [];
    // A new process: new client, publisher and outbox objects on the same files.
    const client = new A2AClient({ hubUrl: HUB, identity: new NodeIdentityStore(t.identity.path) });
    const restarted = new CapsulePublisher({
      client,
      outbox: new Outbox(t.outbox.dir),
      audit: t.audit,
      log: silent,
      onDecided: async (e, o) => void decided.push(`${e.context.incident}:${o.decision.decision}`),
    });
    const sent: Sent[] = [];
    hub("/a2a/validate", 200, {}, sent);
    hub("/a2a/publish", 200, { decision: "accept", bundle_id: "b3" }, sent);
    await Promise.all([restarted.drain(), restarted.drain()]); // two drains racing: one attempt
    expect(await restarted.drain()).toEqual([]);
    expect(sent.filter((s) => s.path === "/a2a/publish")).toHaveLength(1);
    expect(decided).toEqual(["7:accept"]);
    expect(await t.outbox.list()).toEqual([]);
  });

  it("keeps the bundle and registers again when the hub refuses the node's credentials", async () => {
    const t = setup();
    await t.ready;
    hub("/a2a/validate", 401, { error: "invalid_signature" });
    expect(await t.publisher().submit(bundle, CONTEXT)).toMatchObject({ status: "waiting" });
    expect(await t.outbox.list()).toHaveLength(1);
    hub("/a2a/hello", 200, { node_secret: "ef".repeat(32) });
    hub("/a2a/validate", 200, {});
    hub("/a2a/publish", 200, { decision: "accept" });
    t.advance(60_000);
    expect((await t.publisher().drain())[0]!.outcome).toMatchObject({ status: "decided" });
  });
});

describe("related capsules", () => {
  it("searches with public keywords only and ranks by confidence × streak (capped at 5) × reputation", async () => {
    const t = setup();
    await t.ready;
    const sent: Sent[] = [];
    hub(
      "/a2a/fetch",
      200,
      {
        payload: {
          results: [
            { asset_id: "sha256:" + "1".repeat(64), summary: "Revert a bad deploy", confidence: 0.9, success_streak: 1, reputation: 50 },
            { asset_id: "sha256:" + "2".repeat(64), summary: "Roll back pool size", confidence: 0.6, success_streak: 9, reputation: 80 },
            { asset_id: "sha256:" + "3".repeat(64), summary: "Raise maxmemory", confidence: 0.95, success_streak: 0, reputation: 100 },
          ],
        },
      },
      sent,
    );
    const keywords = ["http 5xx error rate rising", "failed to reach http://10.0.0.4/api", "user a@b.example timed out", "OOMKilled"];
    const r = (await relatedCapsules(t.client, keywords))!;
    expect(sent[0]!.body.payload).toEqual({
      asset_type: "Capsule",
      signals: ["http 5xx error rate rising", "OOMKilled"],
      search_only: true,
      limit: 20,
    });
    expect(r.status).toBe("ok");
    const ranked = r.status === "ok" ? r.capsules : [];
    expect(ranked.map((c) => [c.summary, Number(c.rank.toFixed(3))])).toEqual([
      ["Roll back pool size", 2.4],
      ["Raise maxmemory", 0.95],
      ["Revert a bad deploy", 0.45],
    ]);
    expect(capsuleRank({ confidence: 0.5, successStreak: 0, reputation: 100 } as never)).toBe(0.5);
    expect(renderRelated(r).join("\n")).toContain(`[Roll back pool size](${HUB}/a2a/assets/sha256%3A${"2".repeat(64)})`);
    expect(publicKeywords(["see /var/log/x", "ok signal"])).toEqual(["ok signal"]);
  });

  it("says the hub could not be reached instead of failing the report", async () => {
    const t = setup();
    await t.ready;
    nock(HUB).post("/a2a/fetch").reply(502, "bad gateway");
    expect(await relatedCapsules(t.client, ["OOMKilled"])).toMatchObject({
      status: "error",
      message: expect.stringMatching(/HTTP 502|not JSON/),
    });
  });
});
