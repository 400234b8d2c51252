import type { Finding } from "./secretlint-preset.js";

/**
 * Our own detectors: only what secretlint's recommended preset lacks, or finds too narrowly for
 * text that has been through logs (SQL passwords, URL passwords with `/` or `@`, key=value pairs
 * in escaped JSON, bare AWS secret keys, PGP blocks, key tails without their head, query-string
 * signatures) and token prefixes that must be caught even when a line was cut mid-token (GitHub
 * tokens carry a checksum: a partial one is still a leak). Each rule names the capture group that
 * is the secret, so that key names, user names and hosts stay readable.
 */
/** `need`: a cheap test the text must pass before the (slower) pattern runs. */
type RegexRule = { kind: string; pattern: RegExp; group?: number; keep?: (m: RegExpExecArray) => boolean; need?: RegExp };

const PAIR_NEED = /pass|pwd|secret|token|key|credential/i;

const SECRET_KEYS = [
  "password",
  "passwd",
  "passphrase",
  "pwd",
  "[_.-]pass",
  "secret",
  "token",
  "api[_-]?key",
  "apikey",
  "access[_-]?key",
  "auth[_-]?key",
  "account[_-]?key",
  "shared[_-]?access[_-]?key",
  "client[_-]?secret",
  "private[_-]?key",
  "credentials?",
  "_authToken",
].join("|");

/** `"key": `, `key=`, `\"key\": \"` — the key ends in a secret word (db_password, GITHUB_TOKEN, apiKey), so `max_tokens: 5` is left alone. */
const PAIR_HEAD = `(?<![A-Za-z0-9])[A-Za-z0-9_.-]*(?:${SECRET_KEYS})(?:\\\\?["'])?\\s*[:=]\\s*`;
const PEM_HEAD = "-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----";
const PEM_TAIL = "-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----";

const RULES: RegexRule[] = [
  // A whole PEM or PGP block, across lines and log prefixes; an unterminated one is cut 8,000 characters on (or at the end).
  { kind: "private-key", need: /-----BEGIN/, pattern: new RegExp(`${PEM_HEAD}(?:[\\s\\S]{0,12000}?${PEM_TAIL}|[\\s\\S]{0,8000})`, "g") },
  // scheme://user:password@host — the password may hold `/` or `@`: the userinfo ends at the last `@` before the host.
  {
    kind: "url-password",
    need: /:\/\//,
    pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s/:@'"<>]*:([^\s'"<>]+)@(?=[^\s@'"<>/]+(?:[/?#:\s'"<>)\]]|$))/dgi,
    group: 1,
    // A port and a path, or a template placeholder (${password}, {{pass}}), is not a password.
    keep: (m) => !/^\d{1,5}(?:\/|$)|^(?:\$\{|\{\{?|<)/.test(m[1]!),
  },
  {
    kind: "auth-header",
    need: /authorization/i,
    pattern: /\b(?:proxy-)?authorization\\?["']?\s*[:=]\s*\\?["']?(?:bearer|basic|token|digest|api-token)\s+(?![$<{[])([^\s"'\\,;]+)/dgi,
    group: 1,
  },
  { kind: "auth-header", need: /bearer/i, pattern: /\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)/dgi, group: 1 },
  // Token prefixes, kept short enough to catch a token cut by a line limit.
  { kind: "github-token", pattern: /(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9_]{8,251}|github_pat_[A-Za-z0-9_]{8,251})/g },
  { kind: "slack-token", pattern: /(?<![A-Za-z0-9])(?:xox[abposr]|xapp)-[A-Za-z0-9-]{6,}/g },
  {
    kind: "slack-webhook",
    need: /hooks\.slack/,
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g,
  },
  { kind: "gitlab-token", pattern: /(?<![A-Za-z0-9])gl(?:pat|dt|ptt|rt|cbt|soat|ffct|agent|imt|oas)-[A-Za-z0-9_-]{8,}/g },
  { kind: "anthropic-key", pattern: /(?<![A-Za-z0-9])sk-ant-[A-Za-z0-9_-]{8,}/g },
  {
    kind: "openai-key",
    pattern: /(?<![A-Za-z0-9])sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{8,}|(?<![A-Za-z0-9])sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{0,20}/g,
  },
  { kind: "stripe-key", pattern: /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{8,}/g },
  { kind: "google-api-key", pattern: /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{20,}/g },
  { kind: "npm-token", pattern: /(?<![A-Za-z0-9])npm_(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{16,}/g },
  { kind: "aws-access-key", pattern: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { kind: "jwt", need: /eyJ/, pattern: /(?<![A-Za-z0-9])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  // curl -u user:password / --user 'user:password' (placeholders and $VARIABLES are left alone).
  {
    kind: "basic-auth",
    need: /-u|--user/,
    pattern: /(?:^|\s)(?:-u|--user)(?:=|\s+)["']?[^\s"':]*["']?:["']?([^\s"']{3,})/dg,
    group: 1,
    keep: (m) => !/^(?:\$|<|\[|\{)|^(?:pass(?:word)?|test|token|x+|\*+)$|>$/i.test(m[1]!) && !/(?:-u|--user)(?:=|\s+)["']?</.test(m[0]),
  },
  // Azure AD client secrets (`abc8Q~…`), a shape secretlint's preset has no rule for.
  {
    kind: "azure-client-secret",
    need: /\dQ~/,
    pattern: /(?<![A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
  },
  // SQL: CREATE/ALTER ROLE … PASSWORD '…', IDENTIFIED [WITH plugin] BY '…', SET PASSWORD = PASSWORD('…'); a statement cut by
  // track_activity_query_size may end inside the literal.
  {
    kind: "sql-password",
    need: /password|identified/i,
    pattern:
      /\b(?:PASSWORD|IDENTIFIED(?:\s+WITH\s+\S+)?\s+BY(?:\s+PASSWORD)?)(?:\s+|\s*=\s*|\s*\(\s*)(?:PASSWORD\s*\(\s*)?(E?'(?:[^'\\]|''|\\[\s\S]){0,2000}'?|"[^"\n]{0,2000}"?|\$([A-Za-z_]*)\$(?:[\s\S]{0,2000}?\$\2\$|[\s\S]{0,2000}))/dgi,
    group: 1,
  },
  { kind: "sql-password", need: /identified/i, pattern: /\bIDENTIFIED\s+BY\s+(?!PASSWORD\b|VALUES\b)([^\s;'"(),]+)/dgi, group: 1 },
  // Query-string credentials: Azure SAS sig=, S3 presigned signatures and tokens, OAuth codes, ?key= API keys.
  {
    kind: "query-secret",
    need: /=/,
    pattern:
      /[?&;](?:sig|signature|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature|access_token|refresh_token|id_token|code|key|token)=([^&\s"'#<>]{6,})/dgi,
    group: 1,
  },
  // key = "value with spaces", \"key\": \"value\" (escaped JSON): the quoted value up to its closing quote.
  { kind: "secret-pair", need: PAIR_NEED, pattern: new RegExp(`${PAIR_HEAD}(\\\\?["'])((?:(?!\\1)[^\\n]){1,512})`, "dgi"), group: 2 },
  // key=value, key: value: up to a separator; a backslash stays in the value unless it escapes a quote.
  {
    kind: "secret-pair",
    need: PAIR_NEED,
    pattern: new RegExp(`${PAIR_HEAD}(?!\\\\?["'])(?!\\[REDACTED)((?:[^\\s"'&,;<>\\[\\]\\\\]|\\\\(?!["'])){1,512})`, "dgi"),
    group: 1,
  },
  // A password's value may hold any punctuation (`;<@=},!$?^`): for password keys it runs to the next space or quote.
  {
    kind: "secret-pair",
    need: /pass|pwd/i,
    pattern:
      /(?<![A-Za-z0-9])[A-Za-z0-9_.-]*(?:password|passwd|pwd|[_.-]pass)(?:\\?["'])?\s*[:=]\s*(?!\\?["'])(?![[<${])([^\s"'\\]{1,512})/dgi,
    group: 1,
  },
  {
    kind: "email",
    need: /@/,
    pattern: /(?<![A-Za-z0-9._%+-])(?!git@)[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b/g,
  },
];

export const IP_RULE: RegexRule = { kind: "ip", pattern: /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g };

function regexFindings(text: string, rule: RegexRule, out: Finding[]): void {
  if (rule.need && !rule.need.test(text)) return;
  rule.pattern.lastIndex = 0;
  for (let m = rule.pattern.exec(text); m; m = rule.pattern.exec(text)) {
    if (m[0].length === 0) {
      rule.pattern.lastIndex++;
      continue;
    }
    if (rule.keep && !rule.keep(m)) continue;
    const span: [number, number] | undefined = rule.group !== undefined ? m.indices?.[rule.group] : [m.index, m.index + m[0].length];
    if (span && span[1] > span[0]) out.push({ start: span[0], end: span[1], kind: rule.kind });
  }
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/**
 * A bare AWS secret access key: exactly 40 characters of its alphabet standing alone, with upper
 * and lower case and a digit, at most four of `/+`, and a random string's entropy. A commit SHA
 * (lower-case hex), a path (many `/`, low entropy) or a longer base64 blob does not qualify.
 */
// A diff line's leading + or - is not part of the key.
const BARE_40 = /(?:(?<=^[+-])|(?<![A-Za-z0-9/+_-]))[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=_-])/gm;
function bareAwsSecrets(text: string, out: Finding[]): void {
  for (const m of text.matchAll(BARE_40)) {
    const s = m[0];
    if (!/[A-Z]/.test(s) || !/[a-z]/.test(s) || !/\d/.test(s) || (s.match(/[/+]/g)?.length ?? 0) > 4 || entropy(s) < 4.2) continue;
    out.push({ start: m.index!, end: m.index! + s.length, kind: "aws-secret" });
  }
}

/**
 * The tail of a key block whose head is not in the text (a log tail that starts mid-key): the
 * base64 lines just before an END marker with no BEGIN before it.
 */
const PEM_END = new RegExp(PEM_TAIL, "g");
function headlessKeyTails(text: string, out: Finding[]): void {
  for (const m of text.matchAll(PEM_END)) {
    const before = text.slice(Math.max(0, m.index! - 12000), m.index!);
    if (/-----BEGIN[ A-Z0-9]*PRIVATE KEY/.test(before)) continue;
    let start = m.index!;
    const lines = before.split("\n");
    lines.pop();
    while (lines.length && /[A-Za-z0-9+/=]{16,}|^\s*$|^[A-Za-z-]+: /.test(lines.at(-1)!)) start -= lines.pop()!.length + 1;
    out.push({ start: Math.max(0, start), end: m.index! + m[0].length, kind: "private-key" });
  }
}

/** Every finding of our own rules on `text`. */
export function ownFindings(text: string, options: { ips?: boolean } = {}): Finding[] {
  const out: Finding[] = [];
  for (const rule of RULES) regexFindings(text, rule, out);
  if (options.ips) regexFindings(text, IP_RULE, out);
  bareAwsSecrets(text, out);
  if (text.includes("-----END")) headlessKeyTails(text, out);
  return out;
}
