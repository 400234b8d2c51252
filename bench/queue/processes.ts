import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP_ID, privateKey } from "../../test/helpers/app-identity.js";
import { freePort, httpCall, startProcess, waitFor } from "../../test/helpers/spawn-server.js";
import { example } from "../../test/helpers/webhooks.js";

export type Proc = ReturnType<typeof startProcess>;
export const SECRET = "bench-queue-secret";

/** A scratch directory with the test App's key. */
export async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "insight-bench-queue-"));
  await writeFile(join(dir, "key.pem"), privateKey());
  return dir;
}

/** A redis-server of the benchmark's own on a free port (in memory, no persistence). */
export async function startRedis(dir: string): Promise<{ proc: Proc; url: string }> {
  const port = await freePort();
  const proc = startProcess(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    { cwd: dir, env: { PATH: process.env.PATH } },
  );
  await waitFor(
    async () =>
      execFileSync("redis-cli", ["-p", String(port), "ping"])
        .toString()
        .includes("PONG")
        ? true
        : undefined,
    "redis",
  );
  return { proc, url: `redis://127.0.0.1:${port}/0` };
}

/** The environment of the app, its workers and the bare Probot baseline: same App, same fake GitHub. */
export function appEnv(dir: string, githubHost: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    APP_ID: String(APP_ID),
    PRIVATE_KEY_PATH: join(dir, "key.pem"),
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: githubHost,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    INSIGHT_DATA_DIR: join(dir, "data"),
    INSIGHT_SIGNING_SECRET: "bench-queue-signing-secret-0123456789abcdef",
    ...extra,
  };
}

/** Starts a webhook server (`node --import tsx <entry>`) and resolves once it answers on its port. */
export async function startServer(
  entry: string,
  env: Record<string, string | undefined>,
  ready = "/health",
): Promise<{ proc: Proc; port: number }> {
  const port = await freePort();
  const proc = startProcess(process.execPath, ["--import", "tsx", entry], { cwd: process.cwd(), env: { ...env, PORT: String(port) } });
  await waitFor(async () => ((await httpCall(port, "GET", ready)).status < 500 ? true : undefined), `${entry} to listen`, 120_000).catch(
    (e: Error) => {
      throw new Error(`${e.message}\n${proc.output().slice(-2000)}`);
    },
  );
  return { proc, port };
}

let delivery = 0;
/** A signed pull_request.opened delivery for PR `number` of acme/shop. */
export function prDelivery(number: number, repo = "shop") {
  const payload = example("pull_request", "opened");
  payload.number = number;
  payload.pull_request.number = number;
  payload.pull_request.draft = false;
  payload.repository.name = repo;
  payload.repository.full_name = `acme/${repo}`;
  payload.repository.owner.login = "acme";
  payload.sender.type = "User";
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": `bench-${process.pid}-${++delivery}`,
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    },
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
