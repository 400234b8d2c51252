import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyDotEnv, credentialState, envWarnings, loadEnv } from "../../../src/config/env.js";

describe(".env and the start-up checks", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dotenv-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads .env like Probot: parsed by node, its values over the exported ones", async () => {
    await writeFile(join(dir, ".env"), 'APP_ID=42\nWEBHOOK_SECRET="quoted secret"\n# comment\nLOG_LEVEL=debug\n');
    const target: Record<string, string | undefined> = { APP_ID: "1", PORT: "4000" };
    expect(applyDotEnv(target, dir)).toBe(join(dir, ".env"));
    expect(target).toEqual({ APP_ID: "42", WEBHOOK_SECRET: "quoted secret", LOG_LEVEL: "debug", PORT: "4000" });
  });

  it("is silent without a .env file", () => {
    const target = { A: "1" };
    expect(applyDotEnv(target, join(dir, "nowhere"))).toBeUndefined();
    expect(target).toEqual({ A: "1" });
  });

  it("tells no credentials (setup wizard) from some (a mistake)", () => {
    expect(credentialState({})).toBe("none");
    expect(credentialState({ APP_ID: "1" })).toBe("partial");
    expect(credentialState({ APP_ID: "1", PRIVATE_KEY_PATH: "k", WEBHOOK_SECRET: "s" })).toBe("complete");
  });

  it("refuses a key file that is not a PEM, and the Redis queue without its own URL", async () => {
    await writeFile(join(dir, "key.txt"), "not a key");
    expect(() => loadEnv({ PRIVATE_KEY_PATH: join(dir, "key.txt") })).toThrow(/PRIVATE_KEY_PATH → file is not a PEM private key/);
    expect(() => loadEnv({ INSIGHT_QUEUE: "redis", REDIS_URL: "redis://127.0.0.1:6379" })).toThrow(
      /INSIGHT_REDIS_URL → required when INSIGHT_QUEUE=redis/,
    );
    expect(() => loadEnv({ GHE_PROTOCOL: "ftp" })).toThrow(/GHE_PROTOCOL → /);
    expect(loadEnv({ INSIGHT_QUEUE: "redis", INSIGHT_REDIS_URL: "redis://127.0.0.1:6379/3" })).toMatchObject({
      INSIGHT_QUEUE: "redis",
      GHE_PROTOCOL: "https",
    });
  });

  it("warns about Probot's REDIS_URL and a bare DATABASE_URL instead of failing", () => {
    expect(envWarnings({ REDIS_URL: "redis://x", DATABASE_URL: "postgres://y" })).toHaveLength(2);
    expect(envWarnings({ REDIS_URL: "redis://x", INSIGHT_REDIS_URL: "redis://x/1" })).toEqual([]);
  });
});
