/**
 * `/insight <command> [key=value ...] [words ...]` in issue and PR comments. Only a line that
 * starts with `/insight` counts: quoted replies, fenced and indented code, inline mentions, and
 * anything the rendered comment hides or shows as code (HTML comments, `<details>`, `<pre>`,
 * `<code>`) never trigger anything: a command must be something the readers of the thread can see.
 * The first command in a comment wins.
 */

import type { ParsedCommand } from "../core/command.js";

export type { ParsedCommand };

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; error: string; line: number };

const LIMITS = { args: 20, valueLength: 200, bodyLength: 65_536 };
const COMMAND_LINE = /^ {0,3}\/insight(?=\s|$)(.*)$/i;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** A closing fence carries no info string: "```sh" inside a fence is still code. */
const CLOSING_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
/** HTML that hides its content or shows it as code; `<!--` is open until `-->`. */
const HIDING_TAGS = "details|pre|code|script|style|textarea|template|noscript";
const HIDING = new RegExp(`<!--|-->|<(\\/?)(${HIDING_TAGS})\\b[^>]*>`, "gi");
/** A tag left open at the end of a line: the next lines are its attributes (`<a title="…`), never shown. */
const OPEN_TAG = /<(\/?)([a-z][a-z0-9-]*)(?:[\s/][^>]*)?$/i;
/** A link title (inline or in a definition) opened and not closed on the line: a tooltip, never shown. */
const OPEN_TITLE = /(?:\]\(\s*\S*|^ {0,3}\[[^\]]+\]:\s*\S+)\s+(["'(])[^"')]*$/;

/** `until`: the character that ends a tag or a link title left open on an earlier line. */
type Hidden = { comment: boolean; depth: number; until?: string; definition?: boolean };
/** A link definition without a title: its title may start on the next line. */
const BARE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*\S+\s*$/;

/** Moves the hidden-region state over one line (HTML comments, nested hiding tags, open tags and titles). */
function scanHiding(text: string, h: Hidden): void {
  let line = text;
  if (h.until) {
    const end = line.indexOf(h.until);
    if (end < 0) return;
    h.until = undefined;
    line = line.slice(end + 1);
  }
  const next = h.definition ? /^\s*(["'(])[^"')]*$/.exec(line) : null;
  h.definition = BARE_DEFINITION.test(line);
  if (next) h.until = next[1] === "(" ? ")" : next[1];
  const title = next ? null : OPEN_TITLE.exec(line);
  const tag = title ? undefined : OPEN_TAG.exec(line);
  if (next) return;
  if (title) h.until = title[1] === "(" ? ")" : title[1];
  else if (tag) {
    h.until = ">";
    // `<details` whose `>` comes later still opens (or closes) the hidden region.
    if (!h.comment && new RegExp(`^(?:${HIDING_TAGS})$`, "i").test(tag[2]!)) h.depth = Math.max(0, h.depth + (tag[1] ? -1 : 1));
  }
  for (const m of line.matchAll(HIDING)) {
    if (h.comment) {
      if (m[0] === "-->") h.comment = false;
    } else if (m[0] === "<!--") h.comment = true;
    else if (m[2]) h.depth = Math.max(0, h.depth + (m[1] ? -1 : 1));
  }
}

/** HTML blocks as CommonMark starts them: type 1 (raw text tags), 2 (comment), 6 (block tags); 6 may interrupt a paragraph. */
const RAW_BLOCK = /^ {0,3}<(pre|script|style|textarea)(?:\s|>|$)/i;
const RAW_BLOCK_END = /<\/(?:pre|script|style|textarea)>/i;
const BLOCK_TAGS =
  "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul";
const BLOCK_TAG = new RegExp(`^ {0,3}</?(?:${BLOCK_TAGS})(?:\\s|/?>|$)`, "i");
/** Type 7: any other complete tag alone on its line; starts a block only where a paragraph does not continue. */
const LONE_TAG =
  /^ {0,3}(?:<[a-z][a-z0-9-]*(?:\s+[a-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*\/?>|<\/[a-z][a-z0-9-]*\s*>)\s*$/i;
/** A CommonMark code span: a run of n backticks closed by a run of exactly n; it may cross lines of a paragraph. */
const CODE_SPAN = /(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g;

/**
 * The lines as the hidden-region scan must read them: code spans removed (a `</details>` shown as code
 * closes nothing), computed over whole paragraphs because a code span may cross lines. HTML blocks and
 * fenced code are left as written: the renderer reads no code span there, so neither do we.
 */
function withoutCodeSpans(lines: string[]): string[] {
  const out = [...lines];
  let para: number[] = [];
  const flush = () => {
    if (para.length) {
      const joined = para
        .map((i) => lines[i])
        .join("\n")
        .replace(CODE_SPAN, (m) => m.replace(/[^\n]/g, ""));
      joined.split("\n").forEach((l, k) => (out[para[k]!] = l));
    }
    para = [];
  };
  let fence: string | undefined;
  let html: "raw" | "comment" | "blank" | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (html) {
      if (html === "blank" ? line.trim() === "" : (html === "raw" ? RAW_BLOCK_END : /-->/).test(line)) html = undefined;
      continue;
    }
    const f = FENCE.exec(line);
    if (fence || f) {
      flush();
      if (!fence) fence = f![1];
      else if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && CLOSING_FENCE.test(line)) fence = undefined;
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    const starts = RAW_BLOCK.test(line)
      ? "raw"
      : /^ {0,3}<!--/.test(line)
        ? "comment"
        : BLOCK_TAG.test(line) || (!para.length && LONE_TAG.test(line))
          ? "blank"
          : undefined;
    if (starts) {
      flush();
      // The block may end on its own first line.
      if (!(starts === "raw" && RAW_BLOCK_END.test(line)) && !(starts === "comment" && /-->/.test(line.replace(/^ {0,3}<!--/, ""))))
        html = starts;
      continue;
    }
    para.push(i);
  }
  flush();
  return out;
}

/** Finds the first command line in a comment body; undefined when there is none. */
export function parseCommand(body: string | null | undefined): ParseResult | undefined {
  if (!body) return undefined;
  // A lone CR ends a line for the renderer too (CommonMark), so it must for us: "x\r```" opens a fence.
  const lines = body.slice(0, LIMITS.bodyLength).split(/\r\n?|\n/);
  let fence: string | undefined;
  let inQuote = false;
  const hidden: Hidden = { comment: false, depth: 0 };
  const shown = withoutCodeSpans(lines);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (hidden.comment || hidden.depth > 0 || hidden.until) {
      scanHiding(shown[i]!, hidden);
      continue;
    }
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (!fence) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length && CLOSING_FENCE.test(line)) fence = undefined;
      continue;
    }
    if (fence) continue;
    // A line right after a quoted one is part of the quote (a lazy continuation) until a blank line.
    const quoted: boolean = /^ {0,3}>/.test(line) || (inQuote && line.trim() !== "");
    inQuote = quoted;
    const match = COMMAND_LINE.exec(line);
    if (match && !quoted && !/^( {4}|\t)/.test(line)) return parseArguments(match[1]!.trim(), i + 1);
    scanHiding(shown[i]!, hidden);
  }
  return undefined;
}

function parseArguments(rest: string, line: number): ParseResult {
  const tokens = tokenize(rest);
  if (!tokens.ok) return { ok: false, error: tokens.error, line };
  const [first, ...others] = tokens.value;
  const name = (first ?? "help").toLowerCase();
  if (!/^[a-z][a-z-]{0,30}$/.test(name)) return { ok: false, error: `"${first}" is not a command name`, line };
  const args: Record<string, string> = {};
  const positional: string[] = [];
  if (others.length > LIMITS.args) return { ok: false, error: `too many arguments (at most ${LIMITS.args})`, line };
  for (const token of others) {
    if (token.length > LIMITS.valueLength) return { ok: false, error: `an argument is longer than ${LIMITS.valueLength} characters`, line };
    const eq = token.indexOf("=");
    if (eq > 0 && /^[a-z][a-z0-9_-]*$/i.test(token.slice(0, eq))) args[token.slice(0, eq).toLowerCase()] = token.slice(eq + 1);
    else positional.push(token);
  }
  return { ok: true, command: { name, args, positional, line } };
}

/** Splits on white space; double or single quotes group words (`service="a b"`). */
function tokenize(text: string): { ok: true; value: string[] } | { ok: false; error: string } {
  const tokens: string[] = [];
  let current = "";
  let quote: string | undefined;
  let started = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) tokens.push(current);
      current = "";
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) return { ok: false, error: `unclosed ${quote} quote` };
  if (started) tokens.push(current);
  return { ok: true, value: tokens };
}
