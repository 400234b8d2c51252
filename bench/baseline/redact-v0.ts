// The redactor as it was before issue 15 (commit 6472bd7), kept verbatim as the same-run baseline of bench:redact.
/**
 * Redaction of secrets and personal data from everything Insight writes: comments, check runs,
 * audit entries, log lines, LLM prompts, capsules. Patterns are anchored on a recognisable shape
 * (a token prefix, a key name, a URL's userinfo) so that commit SHAs, sha256 digests and UUIDs —
 * which fill our reports — are never mistaken for secrets.
 */

export type RedactionKind =
  | "private-key"
  | "url-password"
  | "auth-header"
  | "github-token"
  | "aws-access-key"
  | "aws-secret"
  | "slack-token"
  | "slack-webhook"
  | "jwt"
  | "secret-pair"
  | "email"
  | "ip";

export type RedactOptions = {
  /** Also redact IPv4 addresses (off by default: they are often the evidence). */
  ips?: boolean;
};

export type RedactionReport = { text: string; count: number; kinds: RedactionKind[] };

type Rule = { kind: RedactionKind; pattern: RegExp; replace: (match: string, ...groups: string[]) => string };

const mask = (kind: RedactionKind) => `[REDACTED:${kind}]`;

const SECRET_KEYS =
  "password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|client[_-]?secret|private[_-]?key|credentials?";

const RULES: Rule[] = [
  {
    kind: "private-key",
    // A whole PEM block; an unterminated one is cut to the end of the text.
    pattern: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: () => mask("private-key"),
  },
  {
    kind: "url-password",
    pattern: /\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s/:@'"]*):([^\s/@'"]+)@/gi,
    replace: (_m, scheme: string, user: string) => `${scheme}${user}:${mask("url-password")}@`,
  },
  {
    kind: "auth-header",
    pattern: /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(bearer|basic|token|digest)\s+[^\s"',;]+/gi,
    replace: (_m, head: string, scheme: string) => `${head}${scheme} ${mask("auth-header")}`,
  },
  {
    kind: "auth-header",
    pattern: /\b(bearer)\s+[A-Za-z0-9._~+/-]{16,}=*/gi,
    replace: (_m, scheme: string) => `${scheme} ${mask("auth-header")}`,
  },
  {
    kind: "github-token",
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251})\b/g,
    replace: () => mask("github-token"),
  },
  {
    kind: "aws-access-key",
    pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
    replace: () => mask("aws-access-key"),
  },
  {
    kind: "aws-secret",
    pattern: /\b(aws_?secret(?:_?access)?_?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/gi,
    replace: (_m, head: string) => `${head}${mask("aws-secret")}`,
  },
  {
    kind: "slack-webhook",
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]+/g,
    replace: () => mask("slack-webhook"),
  },
  {
    kind: "slack-token",
    pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
    replace: () => mask("slack-token"),
  },
  {
    kind: "jwt",
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replace: () => mask("jwt"),
  },
  {
    kind: "secret-pair",
    // key=value, key: value, "key": "value" where the key ends in a secret word (db_password,
    // GITHUB_TOKEN, apiKey). The key must end there, so `max_tokens: 5` is left alone.
    pattern: new RegExp(
      `(?<![A-Za-z0-9])([A-Za-z0-9_.-]*(?:${SECRET_KEYS})["']?\\s*[:=]\\s*["']?)(?!\\[REDACTED)([^\\s"'&,;<>\\]\\[]{1,512})`,
      "gi",
    ),
    replace: (_m, head: string) => `${head}${mask("secret-pair")}`,
  },
  {
    kind: "email",
    pattern: /(?<![A-Za-z0-9._%+-])(?!git@)[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b/g,
    replace: () => mask("email"),
  },
];

const IP_RULE: Rule = {
  kind: "ip",
  pattern: /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g,
  replace: () => mask("ip"),
};

/** Redacts `text` and reports how many secrets of which kinds were removed. */
export function redactWithReport(text: string, options: RedactOptions = {}): RedactionReport {
  const rules = options.ips ? [...RULES, IP_RULE] : RULES;
  let out = text;
  let count = 0;
  const kinds = new Set<RedactionKind>();
  for (const rule of rules) {
    out = out.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
      count += 1;
      kinds.add(rule.kind);
      const groups = rest.filter((g): g is string => typeof g === "string");
      return rule.replace(match, ...groups);
    });
  }
  return { text: out, count, kinds: [...kinds] };
}

/** Redacts secrets and personal data from `text`. */
export function redact(text: string, options: RedactOptions = {}): string {
  return redactWithReport(text, options).text;
}

/** Redacts every string inside a JSON-like value (object keys are kept as they are). */
export function redactDeep<T>(value: T, options: RedactOptions = {}): T {
  if (typeof value === "string") return redact(value, options) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, options)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, options);
    return out as T;
  }
  return value;
}
