import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle, type BundleInput } from "../../src/capsule/build.js";
import { NodeIdentityStore } from "../../src/capsule/node-identity.js";
import { Outbox } from "../../src/capsule/outbox.js";
import { verifyAuditDb } from "../../src/store/pg/audit-log.js";
import { PgOutbox } from "../../src/store/pg/outbox.js";
import { waitFor } from "../helpers/spawn-server.js";
import { freshDatabase, pgChild, TEST_CHECKPOINT_KEY } from "../helpers/pg-database.js";

const INPUT: BundleInput = {
  keywords: ["TypeError: cannot read properties of undefined reading id", "http 5xx error rate rising"],
  hypothesis: {
    title: "Change #41",
    category: "code",
    confidence: 0.86,
    confirm: "roll back #41; the error rate should return to its level before the onset",
  },
  summary: "Most likely: Change #41",
  fix: {
    kind: "revert",
    approved: true,
    files: [
      {
        path: "services/api/src/orders.ts",
        additions: 1,
        deletions: 1,
        patch: "@@ -3,1 +3,1 @@\n-  sum += i.price;\n+  sum += i.price * i.qty;",
      },
    ],
  },
};
const bundleNo = (i: number) => buildBundle({ ...INPUT, keywords: [`error burst in service number ${i} after deploy`, ...INPUT.keywords] });
const CONTEXT = { installationId: 2, repo: { owner: "acme", repo: "shop" }, incident: 7, pull: 101 };

/** A fake EvoMap hub on node:http: decides every publish (after a short think), counting decisions per capsule; `hang` holds publishes unanswered. */
function fakeHub() {
  const decided = new Map<string, number[]>();
  const received: string[] = [];
  let hang = false;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const reply = (status: number, value: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      if (req.url === "/a2a/validate") return reply(200, { valid: true });
      if (req.url !== "/a2a/publish") return reply(404, { error: "not_found" });
      const capsule = (JSON.parse(body).payload.assets as Array<{ type: string; asset_id: string }>).find(
        (a) => a.type === "Capsule",
      )!.asset_id;
      received.push(capsule);
      if (hang) return; // the publisher waits on an answer that never comes
      setTimeout(() => {
        decided.set(capsule, [...(decided.get(capsule) ?? []), Date.now()]);
        reply(200, { decision: "accept", bundle_id: `bundle_${capsule.slice(7, 15)}` });
      }, 150);
    });
  });
  return {
    decided,
    received,
    setHang: (v: boolean) => (hang = v),
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("EvoMap outbox in PostgreSQL, drained by several processes", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let hub: ReturnType<typeof fakeHub>;
  let hubUrl: string;
  let dir: string;
  let identity: string;

  beforeAll(async () => {
    db = await freshDatabase("insight_pgstore_outbox", { migrated: true });
    hub = fakeHub();
    hubUrl = await hub.listen();
    dir = await mkdtemp(join(tmpdir(), "insight-pgstore-"));
    identity = join(dir, "evomap-node.json");
    await new NodeIdentityStore(identity).write({
      node_id: "node_0123456789abcdef",
      node_secret: "ab".repeat(32),
      heartbeat_interval_ms: 900_000,
      hub: hubUrl,
    });
  }, 60_000);
  afterAll(async () => {
    await hub?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("two workers draining at once publish each of 12 bundles exactly once", async () => {
    const outbox = new PgOutbox(db.pool);
    const bundles = Array.from({ length: 12 }, (_, i) => bundleNo(i));
    for (const b of bundles) await outbox.put(b, CONTEXT);
    await outbox.put(bundles[0]!, CONTEXT); // stored once per key
    expect(await outbox.depth(Date.now())).toEqual({ waiting: 12, due: 12, dead: 0 });

    // Both workers start draining together (a barrier), so that they really compete for the rows.
    const workers = ["a", "b"].map((name) => pgChild(["outbox", db.url, hubUrl, identity, "300000", dir, name]));
    await waitFor(
      async () => (existsSync(join(dir, "ready-a")) && existsSync(join(dir, "ready-b")) ? true : undefined),
      "both workers to start",
      120_000,
    );
    await writeFile(join(dir, "go"), "");
    const [a, b] = await Promise.all(workers);
    expect(a).toMatchObject({ code: 0 });
    expect(b).toMatchObject({ code: 0 });
    for (const bundle of bundles) expect(hub.decided.get(bundle.capsule.asset_id!)).toHaveLength(1);
    expect(hub.received).toHaveLength(12);
    const counts = [a!, b!].map((r) => Number(/decided (\d+)/.exec(r.output)![1]));
    expect(counts[0]! + counts[1]!).toBe(12);
    // Each took a share: the hub thinks 150 ms per bundle, so neither could drain all twelve alone first.
    expect(Math.min(...counts)).toBeGreaterThan(0);
    const rows = await db.pool.query("SELECT status, decision, count(*)::int AS n FROM evomap_outbox GROUP BY 1, 2");
    expect(rows.rows).toEqual([{ status: "decided", decision: "accept", n: 12 }]);
    // Both workers wrote their audit entries to one chain.
    const chain = await verifyAuditDb(db.pool, { checkpointKey: TEST_CHECKPOINT_KEY });
    expect(chain).toMatchObject({ ok: true, entries: 12 + (await checkpoints()) });
  }, 240_000);

  it("a worker killed (-9) mid-attempt leaves its row leased, then claimable once the lease ends; it is published once", async () => {
    const outbox = new PgOutbox(db.pool);
    const bundle = bundleNo(99);
    await outbox.put(bundle, CONTEXT);
    hub.setHang(true);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", new URL("../helpers/pg-child.ts", import.meta.url).pathname, "outbox", db.url, hubUrl, identity, "4000"],
      { env: { PATH: process.env.PATH }, stdio: "ignore" },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await waitFor(
      async () => (hub.received.includes(bundle.capsule.asset_id!) ? true : undefined),
      "the worker's publish to reach the hub",
      90_000,
    );
    child.kill("SIGKILL");
    await exited;
    hub.setHang(false);
    const held = await db.pool.query<{ claimed_by: string; lease_until: Date; status: string }>(
      "SELECT claimed_by, lease_until, status FROM evomap_outbox WHERE key = $1",
      [keyOf(bundle)],
    );
    const row = held.rows[0]!;
    expect(row).toMatchObject({ status: "waiting", claimed_by: expect.stringMatching(/:\d+:[0-9a-f]{8}$/) });
    // The dead worker's claim still holds: nobody else may take the row until its lease ends.
    if (Date.now() < row.lease_until.getTime()) expect(await new PgOutbox(db.pool).claim(keyOf(bundle), Date.now())).toBeUndefined();
    // A second worker started now publishes it, but only after the lease ended.
    const second = await pgChild(["outbox", db.url, hubUrl, identity, "300000"]);
    expect(second).toMatchObject({ code: 0 });
    expect(second.output).toMatch(/decided 1/);
    const decisions = hub.decided.get(bundle.capsule.asset_id!)!;
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!).toBeGreaterThanOrEqual(row.lease_until.getTime());
    const after = await db.pool.query("SELECT status, attempts FROM evomap_outbox WHERE key = $1", [keyOf(bundle)]);
    expect(after.rows).toEqual([{ status: "decided", attempts: 1 }]);
  }, 240_000);

  it("a bundle the hub never decides is set aside as dead after its attempts, and kept", async () => {
    const outbox = new PgOutbox(db.pool);
    const bundle = bundleNo(7_000);
    const entry = await outbox.put(bundle, CONTEXT);
    const claimed = await outbox.claim(entry.key, Date.now());
    expect(claimed).toBeDefined();
    // Another publisher cannot take it while claimed, nor record over this one's attempt.
    const other = new PgOutbox(db.pool);
    expect(await other.claim(entry.key, Date.now())).toBeUndefined();
    await other.defer({ ...claimed!, attempts: 9, nextAttemptAt: Date.now() }, true);
    expect((await db.pool.query("SELECT status FROM evomap_outbox WHERE key = $1", [entry.key])).rows).toEqual([{ status: "waiting" }]);
    await outbox.defer({ ...claimed!, attempts: 40, lastError: "hub error HTTP 503", nextAttemptAt: Date.now() }, true);
    expect(await outbox.depth(Date.now())).toMatchObject({ dead: 1 });
    expect(await outbox.claimDue(Date.now() + 86_400_000, 10)).toEqual([]);
    const kept = await db.pool.query("SELECT status, attempts, last_error, bundle FROM evomap_outbox WHERE key = $1", [entry.key]);
    expect(kept.rows[0]).toMatchObject({ status: "dead", attempts: 40, last_error: "hub error HTTP 503" });
    expect(JSON.parse(kept.rows[0].bundle)).toEqual(bundle);
  }, 60_000);

  async function checkpoints(): Promise<number> {
    const r = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'audit.checkpoint'");
    return r.rows[0]!.n;
  }
});

const keyOf = (bundle: ReturnType<typeof bundleNo>) => Outbox.keyOf(bundle);
