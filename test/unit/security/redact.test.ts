import { describe, expect, it } from "@jest/globals";
import { redact, redactDeep, redactWithReport } from "../../../src/security/redact.js";

// Secrets are assembled at run time so that this file itself does not look like a leak to scanners.
const gh = (prefix: string) => `${prefix}_${"A1b2C3d4E5".repeat(4)}`;
const awsKey = ["AKIA", "IOSFODNN7EXAMPLE"].join("");
const awsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const jwt = [
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
  "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ",
  "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
].join(".");
const pem = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA7x", "abcDEF123==", "-----END RSA PRIVATE KEY-----"].join("\n");

const positives: Array<[string, string, string]> = [
  ["classic PAT", `token is ${gh("ghp")} ok`, "github-token"],
  ["OAuth token", `x ${gh("gho")}`, "github-token"],
  ["server token", `x ${gh("ghs")}`, "github-token"],
  ["user token", `x ${gh("ghu")}`, "github-token"],
  ["fine-grained PAT", `x github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH`, "github-token"],
  ["AWS access key", `key ${awsKey} here`, "aws-access-key"],
  ["AWS secret", `aws_secret_access_key = ${awsSecret}`, "aws-secret"],
  ["Slack bot token", `xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx`, "slack-token"],
  ["Slack webhook", `https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX`, "slack-webhook"],
  ["JWT", `cookie=${jwt}`, "jwt"],
  ["PEM key", `before\n${pem}\nafter`, "private-key"],
  ["PEM key, unterminated", `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC`, "private-key"],
  ["bearer header", `Authorization: Bearer abc.def.ghi-123456789012345`, "auth-header"],
  ["basic header", `authorization: Basic dXNlcjpwYXNzd29yZA==`, "auth-header"],
  ["bare bearer", `curl -H "x: Bearer 0123456789abcdefABCDEF"`, "auth-header"],
  ["postgres URL", `DATABASE_URL=postgres://app:s3cr3t@db.internal:5432/app`, "url-password"],
  ["redis URL", `redis://:hunter2@cache:6379/0`, "url-password"],
  ["password pair", `password=hunter2`, "secret-pair"],
  ["db_password pair", `db_password: "correct horse"`, "secret-pair"],
  ["JSON secret", `{"client_secret": "abc123xyz"}`, "secret-pair"],
  ["env token", `GITHUB_TOKEN=abcdef0123`, "secret-pair"],
  ["api_key pair", `?api_key=XYZ789&page=2`, "secret-pair"],
  ["apiKey pair", `apiKey: sk-live-123`, "secret-pair"],
  ["email", `reported by jane.doe+oncall@example.co.uk today`, "email"],
];

const negatives: Array<[string, string]> = [
  ["commit SHA", "fix landed in 3f786850e387550fdab836ed7e6dc881de23001b"],
  ["short SHA", "reverts a1b2c3d"],
  ["sha256 hex", "sha256:98663a152e7107d4f41e795d1c5429be20d8acc2627a66763fd7160ea49193db"],
  ["UUID", "request 123e4567-e89b-12d3-a456-426614174000 failed"],
  ["URL without credentials", "see https://github.com/acme/api/pull/42 and postgres://db:5432/app"],
  ["prose about passwords", "the password reset flow and the token bucket limiter"],
  ["max_tokens", "max_tokens: 4096, tokens in: 1200"],
  ["git remote", "git@github.com:acme/api.git"],
  ["base64 sha1-length", "etag 0123456789abcdef0123456789abcdef01234567"],
  ["k8s secretName", "secretName: tls-cert"],
  ["timestamp and IP", "2026-11-23T02:10:00Z from 10.0.0.12"],
  ["promql", 'sum(rate(http_requests_total{service="api",code=~"5.."}[5m]))'],
];

describe("redact", () => {
  it.each(positives)("removes a %s", (_name, input, kind) => {
    const report = redactWithReport(input);
    expect(report.kinds).toContain(kind);
    expect(report.text).toContain("[REDACTED:");
  });

  it.each(negatives)("leaves a %s alone", (_name, input) => {
    expect(redact(input)).toBe(input);
  });

  it("keeps the user name and the host of a URL with a password", () => {
    expect(redact("postgres://app:s3cr3t@db:5432/x")).toBe("postgres://app:[REDACTED:url-password]@db:5432/x");
  });

  it("never lets the secret itself through", () => {
    for (const [, input] of positives) {
      const out = redact(input);
      for (const secret of [gh("ghp"), awsKey, awsSecret, jwt, "hunter2", "s3cr3t", "MIIEowIBAAKCAQEA7x"]) {
        expect(out).not.toContain(secret);
      }
    }
  });

  it("is idempotent", () => {
    const once = redact(positives.map((p) => p[1]).join("\n"));
    expect(redact(once)).toBe(once);
  });

  it("redacts IPs only when asked", () => {
    expect(redact("from 10.0.0.12", { ips: true })).toBe("from [REDACTED:ip]");
  });

  it("redacts every string in nested data and keeps keys", () => {
    const out = redactDeep({ a: [`x ${gh("ghp")}`], b: { password: "plain", n: 3 } });
    expect(out).toEqual({ a: ["x [REDACTED:github-token]"], b: { password: "plain", n: 3 } });
  });
});

/** Outside review (attacker): the writer redacts every comment; untrusted text's defused mentions must survive it. */
describe("redact keeps text without secrets as written", () => {
  it("leaves the zero-width space that defuses an untrusted @mention", () => {
    const body = "> the model says: @\u200bacme/sre-team please look";
    expect(redact(body)).toBe(body);
  });
});
