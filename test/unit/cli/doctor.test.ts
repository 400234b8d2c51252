import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { createPublicKey, createVerify } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import type { Check } from "../../../src/cli/doctor.js";
import { insight } from "../../helpers/cli.js";
import { privateKey, useNock } from "../../helpers/probot.js";
// The command modules main() imports on first use, loaded with this file: their import is not the test's work
// (seconds on a loaded machine, against a 5 s test timeout).
import "../../../src/cli/doctor.js";
import "../../../src/cli/worker-doctor.js";

/** Runs `insight doctor --json` in `dir` (which may hold a .env) with exactly `vars` (and PATH) as the environment. */
async function runDoctor(dir: string, vars: Record<string, string>) {
  const { code, stdout } = await insight(["doctor", "--json"], { env: { PATH: process.env.PATH, ...vars }, cwd: dir });
  return { code, checks: (JSON.parse(stdout) as { checks: Check[] }).checks };
}

describe("insight doctor", () => {
  useNock();
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "doctor-"));
    await writeFile(join(dir, "key.pem"), privateKey());
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("reads .env, reports app mode and proves the credentials with GET /app signed by the App's JWT", async () => {
    await writeFile(
      join(dir, ".env"),
      `APP_ID=123\nPRIVATE_KEY_PATH=${join(dir, "key.pem")}\nWEBHOOK_SECRET=x\nINSIGHT_DATA_DIR=${join(dir, "data")}\n`,
    );
    let jwtIssuer: unknown;
    nock("https://api.github.com")
      .matchHeader("authorization", (value: string) => {
        const [header, claims, signature] = value.replace(/^Bearer /, "").split(".");
        jwtIssuer = JSON.parse(Buffer.from(claims!, "base64url").toString()).iss;
        return createVerify("RSA-SHA256").update(`${header}.${claims}`).verify(createPublicKey(privateKey()), signature!, "base64url");
      })
      .get("/app")
      .reply(200, { id: 123, slug: "insight-test", installations_count: 2 });
    const { code, checks } = await runDoctor(dir, {});
    expect(jwtIssuer).toBe("123");
    expect(checks.find((c) => c.name === "environment")!.detail).toContain(join(dir, ".env"));
    expect(checks.find((c) => c.name === "mode")).toMatchObject({ ok: true, detail: expect.stringContaining("app: jobs in this process") });
    expect(checks.find((c) => c.name === "GitHub App")).toMatchObject({
      ok: true,
      detail: "App insight-test (id 123) authenticated on https://api.github.com, 2 installations",
    });
    expect(code).toBe(0);
  });

  it("fails when GitHub refuses the JWT, on the GHE host the environment names", async () => {
    nock("https://ghe.example.com").get("/api/v3/app").reply(401, { message: "A JSON web token could not be decoded" });
    const { code, checks } = await runDoctor(dir, {
      APP_ID: "77",
      PRIVATE_KEY_PATH: join(dir, "key.pem"),
      WEBHOOK_SECRET: "x",
      GHE_HOST: "ghe.example.com",
      INSIGHT_DATA_DIR: join(dir, "data"),
    });
    expect(checks.find((c) => c.name === "GitHub App")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("refused the App's JWT (401): APP_ID 77"),
    });
    expect(code).toBe(1);
  });

  it("says the setup wizard is the only way without credentials, and names misread variables", async () => {
    const { code, checks } = await runDoctor(dir, { INSIGHT_DATA_DIR: join(dir, "data"), DATABASE_URL: "postgres://db/x" });
    expect(checks.find((c) => c.name === "mode")).toMatchObject({ ok: false, detail: expect.stringContaining("npm run setup") });
    expect(checks.find((c) => c.name === "environment")!.warnings).toEqual([
      "DATABASE_URL is not read by Insight: shared state uses INSIGHT_DATABASE_URL",
    ]);
    expect(code).toBe(1);
  });
});
