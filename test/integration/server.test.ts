import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyAuditFile } from "../../src/audit/file-audit-log.js";
import { route, startFakeGitHub } from "../helpers/fake-github.js";
import { privateKey } from "../helpers/app-identity.js";
import { waitFor } from "../helpers/spawn-server.js";
import { example } from "../helpers/webhooks.js";

const SECRET = "integration-secret";
const PORT = 3917;

function http(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; ms: number }>((resolve, reject) => {
    const started = Date.now();
    const req = request({ host: "127.0.0.1", port: PORT, method, path, headers }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: data, ms: Date.now() - started }));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

describe("the real server (npm start) against a local GitHub", () => {
  let dir: string;
  let child: ChildProcess;
  let stderr = "";
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  const payload = example("issue_comment", "created");
  payload.comment.body = "/insight help";
  payload.comment.user.type = "User";
  payload.sender.type = "User";
  const {
    owner: { login: owner },
    name: repo,
  } = payload.repository;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-server-"));
    await writeFile(join(dir, "key.pem"), privateKey());
    github = await startFakeGitHub([
      route("POST", `/app/installations/${payload.installation.id}/access_tokens`, {
        status: 201,
        json: { token: "ghs_x", expires_at: "2099-01-01T00:00:00Z" },
      }),
      route("POST", `/repos/${owner}/${repo}/issues/comments/${payload.comment.id}/reactions`, { status: 201, json: { id: 1 } }),
      route("POST", `/repos/${owner}/${repo}/issues/${payload.issue.number}/comments`, { status: 201, json: { id: 99 } }),
    ]);
    child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
      env: {
        PATH: process.env.PATH,
        APP_ID: "123",
        PRIVATE_KEY_PATH: join(dir, "key.pem"),
        WEBHOOK_SECRET: SECRET,
        GHE_HOST: github.host,
        GHE_PROTOCOL: "http",
        PORT: String(PORT),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        INSIGHT_DATA_DIR: dir,
        INSIGHT_DEBOUNCE_MS: "0",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr!.on("data", (c) => (stderr += c));
    await waitFor(async () => ((await http("GET", "/health")).status === 200 ? true : undefined), "server start");
  }, 30_000);

  afterAll(async () => {
    child?.kill("SIGKILL");
    await github?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sign = (body: string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  const deliver = (body: string, signature: string, id = "delivery-int-1") =>
    http("POST", "/api/github/webhooks", body, {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": id,
      "x-hub-signature-256": signature,
    });

  it("refuses a webhook with a bad signature", async () => {
    const body = JSON.stringify(payload);
    const res = await deliver(body, sign(`${body} `));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(github.requests).toHaveLength(0);
  });

  it("acknowledges a signed webhook and answers the command through the GitHub API", async () => {
    const body = JSON.stringify(payload);
    const res = await deliver(body, sign(body));
    expect(res.status).toBe(200);
    const reply = await waitFor(
      async () => github.requests.find((r) => r.path.endsWith(`/issues/${payload.issue.number}/comments`)),
      "the reply",
    );
    expect(String((reply.body as { body: string }).body)).toContain("DevOps Insight commands");
    expect(github.requests.map((r) => `${r.method} ${r.path.replace(/\?.*$/, "")}`)).toEqual([
      `POST /api/v3/app/installations/${payload.installation.id}/access_tokens`,
      `GET /api/v3/repos/${owner}/${repo}/contents/.github%2Finsight.yml`,
      `GET /api/v3/repos/${owner}/.github/contents/.github%2Finsight.yml`,
      `POST /api/v3/repos/${owner}/${repo}/issues/comments/${payload.comment.id}/reactions`,
      `POST /api/v3/repos/${owner}/${repo}/issues/${payload.issue.number}/comments`,
    ]);
  });

  it("drops a redelivery of the same webhook", async () => {
    const before = github.requests.length;
    const body = JSON.stringify(payload);
    expect((await deliver(body, sign(body))).status).toBe(200);
    // The first delivery's job finishes just after its reply reached GitHub: wait for it to count.
    const health = await waitFor(async () => {
      const h = JSON.parse((await http("GET", "/health")).body) as { queue: { counts: Record<string, number> } };
      return h.queue.counts.completed === 1 ? h : undefined;
    }, "the first job to complete");
    expect(health.queue.counts).toMatchObject({ enqueued: 1, duplicate: 1, completed: 1 });
    expect(github.requests.length).toBe(before);
  });

  it("exposes Prometheus metrics", async () => {
    const res = await http("GET", "/metrics");
    expect(res.body).toContain('insight_jobs_total{outcome="completed"} 1');
    expect(res.body).toContain('insight_job_duration_seconds_count{kind="command",outcome="ok"} 1');
    expect(res.body).toMatch(/insight_audit_head_seq [1-9]/);
  });

  it("drains and exits 0 on SIGTERM, leaving a verifiable audit log", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const audit = await verifyAuditFile(join(dir, "audit.jsonl"));
    // The reaction and the reply, each an intent then its outcome, then the signed checkpoint written on close (#15);
    // drained, so no write is left without its outcome.
    expect(audit).toMatchObject({ ok: true, entries: 5 });
    expect(audit.unfinished).toBeUndefined();
    expect(stderr).not.toMatch(/Error/);
  });
});
