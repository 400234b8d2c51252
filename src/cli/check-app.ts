import { createSign } from "node:crypto";
import { readFileSync } from "node:fs";
import type { OperatorEnv } from "../config/env.js";

/** The REST base Probot uses: GitHub.com, or a GitHub Enterprise Server's `/api/v3`. */
export function githubApiBase(env: Pick<OperatorEnv, "GHE_HOST" | "GHE_PROTOCOL">): string {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : "https://api.github.com";
}

/** The private key as Probot reads it: a file, the PEM (with `\n` escapes allowed), or its base64. */
export function readPrivateKey(env: Pick<OperatorEnv, "PRIVATE_KEY" | "PRIVATE_KEY_PATH">): string | undefined {
  if (env.PRIVATE_KEY_PATH) return readFileSync(env.PRIVATE_KEY_PATH, "utf8");
  if (!env.PRIVATE_KEY) return undefined;
  if (env.PRIVATE_KEY.includes("-----BEGIN")) return env.PRIVATE_KEY.replace(/\\n/g, "\n");
  return Buffer.from(env.PRIVATE_KEY, "base64").toString("utf8");
}

/** A GitHub App JWT (RS256, issued a minute in the past against clock drift, valid 9 minutes). */
export function appJwt(appId: string, privateKey: string, now = Date.now()): string {
  const iat = Math.floor(now / 1000) - 60;
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const unsigned = `${part({ alg: "RS256", typ: "JWT" })}.${part({ iat, exp: iat + 540, iss: appId })}`;
  return `${unsigned}.${createSign("RSA-SHA256").update(unsigned).sign(privateKey, "base64url")}`;
}

export type AppCheck = { ok: boolean; detail: string };

/**
 * `GET /app` with the App's JWT: the one call that proves APP_ID and the private key belong
 * together and that GitHub (or the GHE host) is reachable. Bounded by `timeoutMs`.
 */
export async function checkAppCredentials(env: OperatorEnv, timeoutMs = 10_000): Promise<AppCheck> {
  const base = githubApiBase(env);
  let jwt: string;
  try {
    jwt = appJwt(env.APP_ID!, readPrivateKey(env)!);
  } catch (e) {
    return { ok: false, detail: `the private key cannot sign a JWT (${(e as Error).message}): check PRIVATE_KEY / PRIVATE_KEY_PATH` };
  }
  let res: Response;
  try {
    res = await fetch(`${base}/app`, {
      headers: { authorization: `Bearer ${jwt}`, accept: "application/vnd.github+json", "user-agent": "devops-insight-doctor" },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    return { ok: false, detail: `${base} cannot be reached: ${(e as Error).message}` };
  }
  if (res.status === 401)
    return { ok: false, detail: `${base} refused the App's JWT (401): APP_ID ${env.APP_ID} and the private key do not belong together` };
  if (!res.ok) return { ok: false, detail: `${base}/app answered ${res.status}` };
  const app = (await res.json().catch(() => ({}))) as { id?: number; slug?: string; installations_count?: number };
  if (String(app.id) !== env.APP_ID)
    return { ok: false, detail: `${base}/app answered for App ${app.id ?? "?"}, not APP_ID ${env.APP_ID}` };
  const installs =
    typeof app.installations_count === "number"
      ? `, ${app.installations_count} installation${app.installations_count === 1 ? "" : "s"}`
      : "";
  return { ok: true, detail: `App ${app.slug ?? env.APP_ID} (id ${app.id}) authenticated on ${base}${installs}` };
}
