import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKey } from "../helpers/app-identity.js";
import { freePort, httpCall, startProcess, waitFor } from "../helpers/spawn-server.js";

const SERVER = new URL("../../bin/server.js", import.meta.url).pathname;
const bare = { PATH: process.env.PATH, HOME: process.env.HOME };

/**
 * The README's start path as a new user takes it: credentials only in `.env`, `npm start` (an npm
 * script that execs node), SIGTERM to the process npm is.
 */
describe("start path: .env, npm start, SIGTERM", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "insight-start-"));
    await writeFile(join(dir, "key.pem"), privateKey());
    // The repository's own start script, in a project whose cwd holds the .env under test.
    await writeFile(
      join(dir, "package.json"),
      JSON.stringify({
        name: "start-path",
        private: true,
        scripts: { start: `exec node ${SERVER}`, setup: `exec node ${SERVER} --setup` },
      }),
    );
  });
  const started: Array<ReturnType<typeof startProcess>> = [];
  const launch = (script: string) => {
    const npm = startProcess("npm", ["run", script, "--silent"], { cwd: dir, env: bare });
    started.push(npm);
    return npm;
  };
  afterAll(async () => {
    for (const p of started) p.killGroup();
    await rm(dir, { recursive: true, force: true });
  });

  const writeDotEnv = (vars: Record<string, string>) =>
    writeFile(
      join(dir, ".env"),
      Object.entries(vars)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n") + "\n",
    );

  // REDIS_URL is Probot's (its throttling shares rate-limit state there through ioredis): it must not crash start-up.
  it("starts the app from .env alone and stops on SIGTERM sent to npm, leaving no server behind", async () => {
    const port = await freePort();
    await writeDotEnv({
      APP_ID: "123",
      PRIVATE_KEY_PATH: join(dir, "key.pem"),
      WEBHOOK_SECRET: "s3cret",
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      INSIGHT_DATA_DIR: join(dir, "data"),
      REDIS_URL: "redis://127.0.0.1:6379/11",
    });
    const npm = launch("start");
    const health = await waitFor(
      async () => {
        const res = await httpCall(port, "GET", "/health");
        return res.status === 200 ? JSON.parse(res.body) : undefined;
      },
      "the app's /health",
      90_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${npm.output()}`);
    });
    expect(health.status).toBe("ok");
    npm.child.kill("SIGTERM");
    expect(await npm.exited()).toBe(0);
    expect(npm.output()).toContain("SIGTERM: stopping the server and draining the queue");
    await expect(httpCall(port, "GET", "/health")).rejects.toThrow(/ECONNREFUSED/);
  }, 150_000);

  it("stops start-up naming a bad variable from .env", async () => {
    await writeDotEnv({ APP_ID: "my-app", PRIVATE_KEY_PATH: join(dir, "missing.pem"), WEBHOOK_SECRET: "s3cret" });
    const npm = launch("start");
    expect(await npm.exited()).toBe(1);
    expect(npm.output()).toMatch(/APP_ID → must be the numeric App ID/);
    expect(npm.output()).toMatch(/PRIVATE_KEY_PATH → file does not exist/);
  }, 150_000);

  it("without credentials refuses to start and points at the setup wizard", async () => {
    await writeDotEnv({ LOG_LEVEL: "info" });
    const npm = launch("start");
    expect(await npm.exited()).toBe(1);
    expect(npm.output()).toMatch(/APP_ID → required/);
    expect(npm.output()).toContain("npm run setup");
  }, 150_000);

  it("serves Probot's setup wizard when asked for", async () => {
    const port = await freePort();
    await writeDotEnv({ PORT: String(port), HOST: "127.0.0.1" });
    const npm = launch("setup");
    const page = await waitFor(
      async () => {
        const res = await httpCall(port, "GET", "/probot");
        return res.status === 200 ? res.body : undefined;
      },
      "the setup wizard",
      90_000,
    );
    expect(page).toContain("Register GitHub App");
    npm.child.kill("SIGTERM");
    await npm.exited();
    await expect(httpCall(port, "GET", "/probot")).rejects.toThrow(/ECONNREFUSED/);
  }, 150_000);
});
