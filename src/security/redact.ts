/**
 * Redaction of secrets and personal data from everything Insight writes: comments, check runs,
 * audit entries, log lines, LLM prompts, capsules. Detection is secretlint's recommended preset
 * (`secretlint-preset.ts`) plus our own rules for what it lacks (`detectors.ts`), run on text
 * with invisible characters removed (a zero-width space splits a token for a regex, not for a
 * reader), and again on the decoded form of base64, hex and URL-encoded runs (a Kubernetes Secret
 * prints `DATABASE_URL` in base64). Rules are anchored on a recognisable shape (a token prefix, a
 * key name, a URL's userinfo, decoded text) so that commit SHAs, digests, UUIDs and trace ids —
 * which fill our reports — are never mistaken for secrets.
 *
 * Order matters: redact the raw text FIRST, then mask digits, template, cut. A miner that masks
 * digits or a 140-character cut applied before redaction leaves a token's head or tail behind.
 */
import { entropy, ownFindings } from "./detectors.js";
import { presetFindings, type Finding } from "./secretlint-preset.js";

export type RedactionKind = string;

export type RedactOptions = {
  /** Also redact IPv4 addresses (off by default: they are often the evidence). */
  ips?: boolean;
};

export type RedactionReport = { text: string; count: number; kinds: RedactionKind[] };

const mask = (kind: RedactionKind) => `[REDACTED:${kind}]`;

/**
 * Characters that render as nothing (zero-width, joiners, bidi controls, soft hyphen, tag characters
 * used to smuggle ASCII). The emoji joiner and variation selectors are dropped only after an ASCII
 * character, so that ℹ️ and family emoji keep their look.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: the joiners and selectors are matched one by one on purpose
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0]|[\u{E0000}-\u{E007F}]|(?<=[\x21-\x7E])[\u200D\uFE00-\uFE0F]+/gu;

/** Runs that may be an encoded secret: base64 (standard or URL-safe), hex, percent-encoded. */
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{20,}={0,2}(?![A-Za-z0-9+/=_-])/g;
const HEX_RUN = /(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){10,}(?![0-9A-Fa-f])/g;
const PERCENT_RUN = /[^\s"<>]*%[0-9A-Fa-f]{2}[^\s"<>]*/g;
const MAX_ENCODED = 64 * 1024;

/** Mostly printable text (what an encoded secret decodes to); random bytes, images and hashes are not. */
function printable(s: string): boolean {
  if (s.length < 8) return false;
  let bad = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || (c >= 127 && c < 160) || c === 0xfffd) bad++;
  }
  return bad <= s.length * 0.02;
}

function decodeBase64(run: string): string | undefined {
  const body = run.replace(/=+$/, "");
  if (body.length % 4 === 1 || !/[A-Z]/.test(body) || !/[a-z]/.test(body)) return undefined;
  // A path or a word list is not base64: base64 text has few runs of lower case letters.
  if (/[/]/.test(body) && entropy(body) < 4) return undefined;
  const text = Buffer.from(body, "base64").toString("utf8");
  return printable(text) ? text : undefined;
}

function decodePercent(run: string): string | undefined {
  let text = run;
  for (let i = 0; i < 2 && /%[0-9A-Fa-f]{2}/.test(text); i++) {
    try {
      text = decodeURIComponent(text.replace(/\+/g, " "));
    } catch {
      return undefined;
    }
  }
  return text === run ? undefined : text;
}

/** Findings on the decoded forms of encoded runs: the whole run is the secret when its decoded text holds one. */
function encodedFindings(text: string, depth: number, options: RedactOptions, out: Finding[]): void {
  const check = (start: number, run: string, decoded: string | undefined) => {
    if (decoded && detect(decoded, depth - 1, { ...options, ips: false }).some((f) => f.kind !== "email"))
      out.push({ start, end: start + run.length, kind: "encoded-secret" });
  };
  for (const m of text.matchAll(BASE64_RUN)) if (m[0].length <= MAX_ENCODED) check(m.index!, m[0], decodeBase64(m[0]));
  for (const m of text.matchAll(HEX_RUN)) {
    if (m[0].length > MAX_ENCODED) continue;
    const decoded = Buffer.from(m[0], "hex").toString("utf8");
    check(m.index!, m[0], printable(decoded) ? decoded : undefined);
  }
  if (text.includes("%"))
    for (const m of text.matchAll(PERCENT_RUN)) if (m[0].length <= MAX_ENCODED) check(m.index!, m[0], decodePercent(m[0]));
}

/**
 * Every secret in `text`. Our rules come first: where one of them and a preset rule overlap, ours
 * wins, because ours keeps the key name, the user and the host readable (the preset reports a whole
 * connection string); a preset finding nothing of ours touches is added as it is.
 */
function detect(text: string, depth: number, options: RedactOptions): Finding[] {
  const own = ownFindings(text, options);
  const preset = presetFindings(text).filter((p) => !own.some((o) => o.start < p.end && p.start < o.end));
  const all = [...own, ...preset];
  if (depth > 0) encodedFindings(text, depth, options, all);
  return all;
}

/** Merges overlapping findings; the earliest (then the longest) names the merged span. */
function merge(findings: Finding[]): Finding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  for (const f of sorted) {
    const last = out.at(-1);
    if (last && f.start < last.end) last.end = Math.max(last.end, f.end);
    else out.push({ ...f });
  }
  return out;
}

const EXISTING_MASK = /\[REDACTED:[a-z0-9-]+\]/g;

/** Spans are in the coordinates of the text as written (see `visible`). */
type Scan = { spans: Finding[]; kinds: RedactionKind[] };

/**
 * `text` without its invisible characters, and where each kept character stood in `text`: secrets
 * are found on the visible text but masked in the text as written, so that invisible characters
 * outside a secret stay (the "@\u200bteam" of untrusted text must not become a live mention).
 */
function visible(text: string): { clean: string; at: number[] } {
  const at: number[] = [];
  let clean = "";
  let from = 0;
  const keep = (to: number) => {
    for (let i = from; i < to; i++) at.push(i);
    clean += text.slice(from, to);
  };
  for (const m of text.matchAll(INVISIBLE)) {
    keep(m.index!);
    from = m.index! + m[0].length;
  }
  keep(text.length);
  at.push(text.length);
  return { clean, at };
}

function scan(text: string, options: RedactOptions): Scan {
  const { clean, at } = visible(text);
  const findings = detect(clean, 2, options);
  if (!findings.length) return { spans: [], kinds: [] };
  // A mask from an earlier pass is never a secret: redacting twice gives the same text.
  const masks = [...clean.matchAll(EXISTING_MASK)].map((m) => [m.index!, m.index! + m[0].length] as const);
  const spans = merge(findings.filter((f) => !masks.some(([s, e]) => f.start >= s && f.end <= e)))
    // Back to the text as written: the span covers the invisible characters inside the secret.
    .map((f) => ({ ...f, start: at[f.start]!, end: at[f.end - 1]! + 1 }));
  return { spans, kinds: [...new Set(spans.length ? findings.map((f) => f.kind) : [])] };
}

/** `text[from, to)` with every span inside it replaced by its mask (a span crossing the edges too). */
function apply(text: string, spans: Finding[], from = 0, to = text.length): string {
  let out = "";
  let at = from;
  for (const f of spans) {
    if (f.end <= from || f.start >= to) continue;
    out += text.slice(at, Math.max(at, f.start)) + mask(f.kind);
    at = Math.min(to, f.end);
  }
  return out + text.slice(at, to);
}

/** Redacts `text` and reports how many secrets of which kinds were removed. */
export function redactWithReport(text: string, options: RedactOptions = {}): RedactionReport {
  const { spans, kinds } = scan(text, options);
  // Masks go into the text as written. Its invisible characters are not ours to drop (untrusted
  // text's "@\u200bteam" would become a live mention again, in every comment the writer sends).
  return { text: spans.length ? apply(text, spans) : text, count: spans.length, kinds };
}

/** Redacts secrets and personal data from `text`. */
export function redact(text: string, options: RedactOptions = {}): string {
  return redactWithReport(text, options).text;
}

/**
 * Redacts log lines as one text, so that a block spread over several lines (a PEM key printed line
 * by line, each with its log prefix) is seen whole, and gives back as many lines as it got (a line
 * may hold line breaks of its own): a secret spanning lines leaves a mask in each line it covered.
 */
export function redactLines(lines: readonly string[], options: RedactOptions = {}): string[] {
  if (!lines.length) return [];
  const text = lines.join("\n");
  const { spans } = scan(text, options);
  const parts: string[] = [];
  let from = 0;
  for (const part of text.split("\n")) {
    parts.push(spans.length ? apply(text, spans, from, from + part.length) : part);
    from += part.length + 1;
  }
  let at = 0;
  return lines.map((l) => {
    const n = l.split("\n").length;
    at += n;
    return parts.slice(at - n, at).join("\n");
  });
}

/** Redacts every string inside a JSON-like value (object keys are kept as they are). */
export function redactDeep<T>(value: T, options: RedactOptions = {}): T {
  if (typeof value === "string") return redact(value, options) as T;
  // A list of strings (log lines, rows) is read as one text, so a secret split over items is seen.
  if (Array.isArray(value) && value.length > 1 && value.every((v) => typeof v === "string")) return redactLines(value, options) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, options)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, options);
    return out as T;
  }
  return value;
}
