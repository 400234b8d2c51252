import { describe, expect, it } from "@jest/globals";
import { redact, redactLines } from "../../../src/security/redact.js";
import { presetFindings } from "../../../src/security/secretlint-preset.js";

/**
 * The outside review's executed attacks on redaction (issue 15, "Secrets"), each a regression
 * test. Secrets are assembled at run time so that this file does not look like a leak to scanners.
 */
const j = (...parts: string[]) => parts.join("");
const GHP = j("ghp", "_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx");
const SLACK = j("xoxb", "-23984754863-2348975623000-", "AAAAANzjawSSE9krECohd");
const AWS_SECRET = j("lbqlNh3FW5/3AwnB", "oWsYIJam9w2Us4ZOH5Un8RyR");
const ANTHROPIC = j("sk-ant-", "api03-z0zjHHXo5uibD2havvfqiZYJe9ENlwI1trcQC4pyRC2N2w6nbpUitUU_iR4kkSszVyUpINaxvCtun3_Mub0O3w-48GXRgAA");
const PEM_BODY = [
  "MIIEowIBAAKCAQEAy1yG25m+cplha8h1Jmd9m15gGabp2Uk5B/lgHglYiE+TRH7G",
  "vLTg30x9FIoarZR5SLKWaSQ50JPNLpf5XlmiPmwRyY0hCQvDwPy0xX0iNCO/OGIn",
  "GT0+oKXDtVb4e3NSp1sAmIVSVYyWglwDl0W28t9rZdRprMTA0NU5GMeTGolsFxjh",
];

/** No 8-character window of the secret survives in `out`. */
function leaks(out: string, secret: string): string | undefined {
  const compact = out.replace(/\s+/g, "");
  for (let i = 0; i + 8 <= secret.length; i++) if (compact.includes(secret.slice(i, i + 8))) return secret.slice(i, i + 8);
  return undefined;
}

const cases: Array<[string, string, string]> = [
  ["CREATE ROLE … PASSWORD", "query: CREATE ROLE app_rw LOGIN PASSWORD 'Tr0ub4dor&3x' VALID UNTIL 'infinity'", "Tr0ub4dor&3x"],
  ["ALTER USER … IDENTIFIED BY (unquoted)", "ALTER USER reporting IDENTIFIED BY Zq8vR2mkLp0w;", "Zq8vR2mkLp0w"],
  ["IDENTIFIED WITH plugin BY", "CREATE USER 'etl'@'%' IDENTIFIED WITH mysql_native_password BY 'n0tS0s3cret!'", "n0tS0s3cret!"],
  ["a statement cut inside the literal", "ALTER ROLE svc WITH ENCRYPTED PASSWORD 'SCRAM-SHA-256$4096:kq9v", "SCRAM-SHA-256$4096:kq9v"],
  ["a bare AWS secret access key", `creds rotated: ${AWS_SECRET} (old one revoked)`, AWS_SECRET],
  [
    "a PGP private key block",
    `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0Lc3UBCADKu1Jd8mXbQ9Z0fGx2vHk3T9aQ\n=Ab3d\n-----END PGP PRIVATE KEY BLOCK-----`,
    "lQOYBF0Lc3UBCADKu1Jd8mXbQ9Z0fGx2vHk3T9aQ",
  ],
  ["a Slack app token", j("socket: ", "xapp-1-A0123456789-1234567890123-", "0a1b2c3d4e5f6a7b8c9d0e1f"), "1234567890123-0a1b2c3d4e5f"],
  ["an Anthropic key", `ANTHROPIC_API_KEY is ${ANTHROPIC}`, ANTHROPIC],
  [
    "an OpenAI project key",
    j("using ", "sk-proj-", "Qm9Yk2Vt3Lp8Zr1Xn4Bs7Dh0Fj6Gk9Hw2Ec5Ua8Ti1Oy"),
    "Qm9Yk2Vt3Lp8Zr1Xn4Bs7Dh0Fj6Gk9Hw2Ec5Ua8Ti1Oy",
  ],
  ["a Stripe live key", j("charge failed with key ", "sk_live_", "51HqZ2eKx9Vb3Nm7Lp0Qr4St"), "51HqZ2eKx9Vb3Nm7Lp0Qr4St"],
  ["a Google API key", j("maps: ", "AIza", "SyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-"), "SyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk"],
  ["a GitLab token", j("remote: ", "glpat-", "aBcDeFgHiJkLmNoPqRsT"), "aBcDeFgHiJkLmNoPqRsT"],
  ["an npm token", j("//registry.npmjs.org/ ", "npm_", "qkJaB6MffYVzZXWqmcoF49yrUxP3wf0LsakP"), "qkJaB6MffYVzZXWqmcoF49yrUxP3wf0LsakP"],
  [
    "an Azure SAS signature",
    "GET https://acct.blob.core.windows.net/c/b.zip?sv=2022-11-02&se=2026-12-01&sp=r&sig=Jq8Zy%2FkP3vN0mW5xR2tB7cD1eF4gH6iJ9kL0oQ%3D",
    "Jq8Zy%2FkP3vN0mW5xR2tB7cD1eF4gH6iJ9kL0oQ",
  ],
  ["escaped JSON password", '{"msg":"config loaded {\\"password\\": \\"Pa55w0rd-Qx\\", \\"user\\": \\"app\\"}"}', "Pa55w0rd-Qx"],
  ["a URL password with a slash", "connecting to postgres://app:Xy7/Kq9+Lm2@db:5432/orders", "Xy7/Kq9+Lm2"],
  ["a URL password with an at sign", "amqp://svc:p@ss@w0rd!z@rabbit:5672/", "p@ss@w0rd!z"],
  [
    "a base64 DATABASE_URL from a Kubernetes Secret",
    `data: {"DATABASE_URL":"${Buffer.from("postgres://orders:Hunter2Secret@db:5432/orders").toString("base64")}"}`,
    "Hunter2Secret",
  ],
  ["a hex-encoded token", `blob=${Buffer.from(`token=${GHP}`).toString("hex")}`, GHP],
  ["a URL-encoded connection string", `next=${encodeURIComponent("mysql://root:Sup3rS3cretPw@mysql:3306/app")}`, "Sup3rS3cretPw"],
  ["a token split by a zero-width space", `token ${GHP.slice(0, 10)}\u200b${GHP.slice(10)}`, GHP],
  ["a token split by a word joiner and a soft hyphen", `${SLACK.slice(0, 12)}\u2060${SLACK.slice(12, 30)}\u00ad${SLACK.slice(30)}`, SLACK],
];

describe("redaction attacks that succeeded before", () => {
  it.each(cases)("%s", (_name, input, secret) => {
    const out = redact(input);
    expect(out).toContain("[REDACTED:");
    const window = leaks(out.replace(/\u200b|\u2060|\u00ad/g, ""), secret);
    expect(window).toBeUndefined();
  });

  it("a base64 value that decodes to the secret's own text is redacted, and its encoded form too", () => {
    const encoded = Buffer.from(`password=${"Zx9".repeat(5)}`).toString("base64");
    expect(redact(`env ${encoded}`)).toBe("env [REDACTED:encoded-secret]");
  });

  it("a PEM key printed line by line, each with its log prefix, leaves no key line", () => {
    const lines = [
      "2026-11-23T02:10:00Z app[7]: loading key",
      "2026-11-23T02:10:00Z app[7]: -----BEGIN RSA PRIVATE KEY-----",
      ...PEM_BODY.map((b) => `2026-11-23T02:10:00Z app[7]: ${b}`),
      "2026-11-23T02:10:00Z app[7]: -----END RSA PRIVATE KEY-----",
      "2026-11-23T02:10:01Z app[7]: listening on :8080",
    ];
    const out = redactLines(lines);
    expect(out).toHaveLength(lines.length);
    expect(out[0]).toBe(lines[0]);
    expect(out.at(-1)).toBe(lines.at(-1));
    for (const body of PEM_BODY) expect(leaks(out.join("\n"), body)).toBeUndefined();
  });

  it("the tail of a key whose head fell outside the log window is redacted", () => {
    const out = redactLines([...PEM_BODY.slice(1), "-----END PRIVATE KEY-----", "ready"]);
    for (const body of PEM_BODY.slice(1)) expect(leaks(out.join("\n"), body)).toBeUndefined();
    expect(out.at(-1)).toBe("ready");
  });

  it("runs secretlint's preset synchronously and finds what it is known to find", () => {
    expect(presetFindings(`key ${ANTHROPIC}`).map((f) => f.kind)).toContain("anthropic");
    expect(presetFindings(`bot ${SLACK}`).map((f) => f.kind)).toContain("slack");
  });
});

describe("ordinary text is left as it is", () => {
  const keep = [
    "commit 3f786850e387550fdab836ed7e6dc881de23001b merged by the bot",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "uid 123e4567-e89b-12d3-a456-426614174000 resourceVersion 184467440737",
    "image sha256:98663a152e7107d4f41e795d1c5429be20d8acc2627a66763fd7160ea49193db pulled",
    "GET /api/v1/namespaces/prod/pods/checkout-7d9f8b6c5-x2x9z/log?container=app&tailLines=50",
    "at com.example.orders.service.OrderServiceImplementation.place(OrderServiceImpl.java:42)",
    "set password for user admin; the password policy requires 12 characters",
    "https://registry.npmjs.org:443/@types/node and http://host:8080/a/@scope/pkg",
    "npm_config_user_agent=npm/11.19 node/v20.20.2 linux x64 workspaces/false",
    "![screenshot](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)",
  ];
  it.each(keep)("%s", (line) => {
    expect(redact(line)).toBe(line);
  });
});

describe("invisible characters", () => {
  it("keeps emoji whole (variation selectors and joiners after a symbol stay)", () => {
    for (const s of ["> ℹ️ Model analysis unavailable", "👨‍👩‍👧 team", "⚠️ 🔴"]) expect(redact(s)).toBe(s);
  });
  it("drops a joiner or a variation selector inside an ASCII token", () => {
    const split = `${GHP.slice(0, 9)}\u200d${GHP.slice(9, 20)}\ufe0f${GHP.slice(20)}`;
    expect(leaks(redact(split), GHP)).toBeUndefined();
  });
  // Attack: a comment carrying an untrusted "@\u200bteam" (made inert by untrustedInline) and a secret.
  // Masking used to rebuild the whole text without its invisible characters, re-arming the mention.
  it("keeps the zero-width space of an inert mention when a secret in the same text is masked", () => {
    const text = `> the model says: ask @\u200bsecurity-team, token ${GHP}`;
    const out = redact(text);
    expect(leaks(out, GHP)).toBeUndefined();
    expect(out).toContain("@\u200bsecurity-team");
    expect(out).not.toMatch(/@security-team/);
  });
  it("keeps it in log lines too, and still masks a secret split by invisible characters", () => {
    const split = `${GHP.slice(0, 12)}\u200b${GHP.slice(12)}`;
    const out = redactLines([`cc @\u200bops`, `token=${split}`]);
    expect(out[0]).toBe(`cc @\u200bops`);
    expect(leaks(out[1]!, GHP)).toBeUndefined();
    expect(out[1]).not.toContain("\u200b");
  });
});
