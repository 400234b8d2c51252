/**
 * Batch log template mining with generic defaults (no per-system settings). Two stages:
 *
 * 1. Token typing. A line is split at whitespace; each chunk loses its wrapping punctuation and is
 *    typed as a whole first (numbers, ids, hex, IPs, host:port, dotted host names, paths and URLs are
 *    one `<*>`), and only a chunk that is not a variable is cut at `key=`/`key:` and inner punctuation.
 *    A run of variables is one variable, so a value spread over several words ("Fri Jun 17 07:07:00
 *    2005", "1190 bytes (1.16 KB)") never changes the template's length; a bracket pair that holds
 *    only a variable, or nothing, is a variable too.
 * 2. Grouping, after Brain (Yu et al., "Brain: Log Parsing with Bidirectional Parallel Tree", 2023):
 *    lines of equal token count are compared column by column. Each line's root is the set of its
 *    tokens that share the most common (position, token) frequency: words written by one logging
 *    statement occur together, so they have the same frequency. Lines with the same root form a
 *    group; in a group, a column is a variable when it already holds a typed variable in some line, or
 *    when it holds at least `threshold` distinct values; fewer values stay constants and split the
 *    group. The first column is never made a variable this way: it is almost always the statement's
 *    own word ("getX = …", "REPORT : …"). Lines whose resulting templates are equal are one template.
 *
 * The caller passes lines that are already redacted: typing cuts and masks, so it must never see a
 * secret before the redactor did.
 */
import type { LogTemplate } from "./log-templates.js";

const VAR = "<*>";

export type BatchMinerOptions = {
  /** Distinct values that make a column of a group a variable (Brain's child threshold). Default 5. */
  threshold?: number;
};

/** Clock-less date words that belong to a neighbouring date or time value. */
const DATE_WORDS = new Set(
  "Mon Tue Wed Thu Fri Sat Sun Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec UTC GMT EST EDT CST CDT PST PDT CET CEST AM PM".split(" "),
);
/** Unit words that follow a number and belong to it ("30 ms", "18.4 KB", "0 bytes"). */
const UNITS = new Set(
  "B KB MB GB TB KiB MiB GiB TiB bytes byte ms us µs ns s sec secs second seconds min mins minute minutes h hour hours %".split(" "),
);
/** Dotted names with three or more labels (host names, reverse-DNS ids), or anything with `:port`. */
const HOST = /^(?:[a-z0-9-]+\.){2,}[a-z][a-z0-9-]*(?::\d+)?$|^[\w-]+(?:\.[\w-]+)+:\d+$/;
/** Two-label host names need a well-known top-level domain to be told from `file.ext` or `pkg.Class`. */
const TLD =
  /^[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|edu|gov|io|cn|hk|jp|de|uk|fr|ru|br|in|au|kr|tw|pl|nl|local|internal|lan|svc|cluster|localdomain)$/i;
const PATHLIKE = /^[\\/~]|^[A-Za-z]:\\|^[a-z][\w+.-]*:\/\/|\w[\\/]\w.*[\\/]/i;
const KEY = /^([A-Za-z_][\w.-]*?)([=:])(.*)$/;
const INNER = /([=,;()[\]{}|#]+)/;
const LEAD = /^[([{"'`]+/;
const TRAIL = /[)\]}>"'`,;:.!?]+$/;
const SPACE = /\s/;
/** The opener a one-character closer matches, or undefined. */
const CLOSER_OF = (t: string): string | undefined =>
  t === ")" ? "(" : t === "]" ? "[" : t === "}" ? "{" : t === '"' ? '"' : t === "'" ? "'" : undefined;

const hasDigit = (s: string) => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
};

/** A whole chunk that is a value, not a word of the statement. */
function isValue(core: string): boolean {
  if (hasDigit(core)) return true;
  if (core.length > 1 && PATHLIKE.test(core)) return true;
  return core.includes(".") && (HOST.test(core) || TLD.test(core));
}

function typeCore(core: string, out: string[]): void {
  if (core.length > 1 && PATHLIKE.test(core)) return void out.push(VAR);
  const kv = KEY.exec(core);
  if (kv && !HOST.test(core)) {
    out.push(kv[1]!, kv[2]!);
    if (kv[3]) typeChunk(kv[3], out);
    return;
  }
  if (isValue(core)) return void out.push(VAR);
  if (INNER.test(core)) {
    for (const p of core.split(INNER)) if (p) out.push(isValue(p) ? VAR : p);
    return;
  }
  out.push(core);
}

/** One whitespace-separated chunk into tokens: leading punctuation, the typed core, trailing punctuation. */
function typeChunk(chunk: string, out: string[]): void {
  const lead = LEAD.exec(chunk)?.[0] ?? "";
  const rest = chunk.slice(lead.length);
  let trail = TRAIL.exec(rest)?.[0] ?? "";
  // A closer that matches an opener inside the chunk belongs to it: "LOCAL(0)," keeps "LOCAL(0)" whole.
  let open = 0;
  for (let i = 0; i < rest.length - trail.length; i++) {
    const ch = rest[i]!;
    if (ch === "(" || ch === "[" || ch === "{") open++;
    else if (ch === ")" || ch === "]" || ch === "}") open--;
  }
  let k = 0;
  while (open > 0 && k < trail.length && ")]}".includes(trail[k]!)) {
    k++;
    open--;
  }
  trail = trail.slice(k);
  const core = rest.slice(0, rest.length - trail.length);
  for (const c of lead) out.push(c);
  if (core) typeCore(core, out);
  for (const c of trail) out.push(c);
}

/** Appends a token; a variable after a variable, a unit after a variable and a date word beside one are absorbed. */
function append(out: string[], t: string): void {
  const n = out.length;
  const last = n ? out[n - 1] : undefined;
  if (t === VAR) {
    if (last === VAR) return;
    if (last !== undefined && DATE_WORDS.has(last)) {
      while (out.length && DATE_WORDS.has(out[out.length - 1]!)) out.pop();
      if (out[out.length - 1] === VAR) return;
    }
    out.push(VAR);
    return;
  }
  if (last === VAR && (UNITS.has(t) || DATE_WORDS.has(t))) return;
  // Only a one-character token can close a bracket (an own-property check: "constructor" is no closer).
  const opener = t.length === 1 ? CLOSER_OF(t) : undefined;
  if (opener !== undefined) {
    // "()" and "(<*>)" are a variable: an optional or empty value in brackets.
    if (n >= 1 && last === opener && t !== '"' && t !== "'") {
      out.pop();
      return append(out, VAR);
    }
    if (n >= 2 && last === VAR && out[n - 2] === opener) {
      out.length -= 2;
      return append(out, VAR);
    }
  }
  out.push(t);
}

/** End of the value when the chunk is digits and value punctuation (then trailing `,;:.)]` punctuation), else 0. */
function pureValueEnd(chunk: string): number {
  let digits = false;
  let end = chunk.length;
  while (end > 0 && ",;:.)]".includes(chunk[end - 1]!)) end--;
  for (let i = 0; i < end; i++) {
    const c = chunk.charCodeAt(i);
    if (c >= 48 && c <= 57) digits = true;
    else if (c !== 46 && c !== 58 && c !== 45 && c !== 43 && c !== 47 && c !== 95 && c !== 44) return 0; // . : - + / _ ,
  }
  return digits ? end : 0;
}

/** Whitespace as `\s` sees it: ASCII fast, the rest by the regex. */
const isSpace = (c: number, line: string, i: number) => c === 32 || (c >= 9 && c <= 13) || (c > 127 && SPACE.test(line[i]!));

/** Tokens of one chunk appended to `out`; `cache` maps chunks seen before to their tokens. */
function appendChunk(chunk: string, out: string[], cache: Map<string, string[]>): void {
  const valueEnd = pureValueEnd(chunk);
  if (valueEnd > 0) {
    // Numbers, times, IPs and the like: typed without the cache, which would only fill with one-off values.
    append(out, VAR);
    for (let k = valueEnd; k < chunk.length; k++) append(out, chunk[k]!);
    return;
  }
  let tokens = cache.get(chunk);
  if (!tokens) {
    tokens = [];
    typeChunk(chunk, tokens);
    if (cache.size < 100_000) cache.set(chunk, tokens);
  }
  for (let k = 0; k < tokens.length; k++) append(out, tokens[k]!);
}

/** Tokens of one (already redacted) line, variables typed as `<*>`; `cache` maps chunks seen before to their tokens. */
export function tokenizeLine(line: string, cache: Map<string, string[]> = new Map()): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line.charCodeAt(i) : 32;
    if (isSpace(c, line, i)) {
      if (start >= 0) appendChunk(line.slice(start, i), out, cache);
      start = -1;
    } else if (start < 0) start = i;
  }
  return out;
}

/** Mines a batch of (already redacted) lines: each line's template id, and the templates in first-seen order. */
export function mineTemplates(lines: string[], options: BatchMinerOptions = {}): { assignment: number[]; templates: LogTemplate[] } {
  const threshold = options.threshold ?? 5;
  const cache = new Map<string, string[]>();
  // Identical token sequences are mined once, weighted by how many lines have them.
  const seqIndex = new Map<string, number>();
  const seqs: string[][] = [];
  const weight: number[] = [];
  // A line seen before is not typed again (about half of a typical batch repeats a line verbatim).
  const seen = new Map<string, number>();
  const lineSeq = new Array<number>(lines.length);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    let i = seen.get(line);
    if (i === undefined) {
      const tokens = tokenizeLine(line, cache);
      const key = tokens.join("\u0000");
      i = seqIndex.get(key);
      if (i === undefined) {
        seqIndex.set(key, (i = seqs.length));
        seqs.push(tokens);
        weight.push(0);
      }
      seen.set(line, i);
    }
    weight[i]!++;
    lineSeq[n] = i;
  }
  const byLength = new Map<number, number[]>();
  seqs.forEach((s, i) => {
    const ids = byLength.get(s.length);
    if (ids) ids.push(i);
    else byLength.set(s.length, [i]);
  });
  const seqTemplate: string[][] = new Array(seqs.length);
  for (const [length, ids] of byLength) {
    for (const group of rootGroups(length, ids, seqs, weight)) {
      const variable = variableColumns(length, group, seqs, weight, threshold);
      for (const i of group) seqTemplate[i] = seqs[i]!.map((t, p) => (variable[p] ? VAR : t));
    }
  }
  // Each distinct sequence finds its template once, in the order of the lines that first have it.
  const byKey = new Map<string, LogTemplate>();
  const templateOf: Array<LogTemplate | undefined> = new Array(seqs.length);
  const assignment = new Array<number>(lineSeq.length);
  for (let line = 0; line < lineSeq.length; line++) {
    const s = lineSeq[line]!;
    let t = templateOf[s];
    if (!t) {
      const key = seqTemplate[s]!.join(" ");
      t = byKey.get(key);
      if (!t) byKey.set(key, (t = { id: byKey.size, tokens: seqTemplate[s]!, lines: [] }));
      templateOf[s] = t;
    }
    t.lines.push(line);
    assignment[line] = t.id;
  }
  return { assignment, templates: [...byKey.values()] };
}

/** Groups sequences of one length by their root: the tokens that share the line's most common column frequency. */
function rootGroups(length: number, ids: number[], seqs: string[][], weight: number[]): number[][] {
  const freq: Array<Map<string, number>> = Array.from({ length }, () => new Map());
  for (const i of ids) seqs[i]!.forEach((t, p) => freq[p]!.set(t, (freq[p]!.get(t) ?? 0) + weight[i]!));
  const groups = new Map<string, number[]>();
  for (const i of ids) {
    const f = seqs[i]!.map((t, p) => freq[p]!.get(t)!);
    const shared = new Map<number, number>();
    for (const x of f) shared.set(x, (shared.get(x) ?? 0) + 1);
    // Most tokens sharing one frequency; on a tie the higher frequency (the more common statement words).
    let best = -1;
    let bestCount = 0;
    for (const [x, n] of shared) if (n > bestCount || (n === bestCount && x > best)) [best, bestCount] = [x, n];
    const key = seqs[i]!.map((t, p) => (f[p] === best ? t : "")).join("\u0000");
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }
  return [...groups.values()];
}

/** Columns of a group that are variables: typed somewhere, or at least `threshold` distinct values (never column 0). */
function variableColumns(length: number, group: number[], seqs: string[][], weight: number[], threshold: number): boolean[] {
  const variable: boolean[] = new Array(length).fill(false);
  if (group.length === 1) return variable;
  for (let p = 1; p < length; p++) {
    const counts = new Map<string, number>();
    for (const i of group) {
      const t = seqs[i]![p]!;
      counts.set(t, (counts.get(t) ?? 0) + weight[i]!);
    }
    variable[p] = counts.size > 1 && (counts.has(VAR) || counts.size >= threshold);
  }
  return variable;
}
