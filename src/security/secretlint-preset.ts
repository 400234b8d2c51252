import { rules as presetRules } from "@secretlint/secretlint-rule-preset-recommend";

/** A span of text a detector called secret: [start, end) and what it is. */
export type Finding = { start: number; end: number; kind: string };

type Source = { content: string; filePath?: string; ext: string; contentType: "text" };
type Context = {
  report(d: { range: readonly [number, number] }): void;
  ignore(): void;
  createTranslator(): (id: string) => string;
};
type Rule = { meta: { id: string }; create(context: Context, options: Record<string, unknown>): { file?: (source: Source) => unknown } };

/**
 * secretlint's recommended preset (a maintained detector, pinned in package.json), run
 * synchronously. Why not `@secretlint/core`: its lint is async, and `redact()` is called
 * synchronously on every write path (comment, check run, audit entry, log line, model prompt,
 * capsule); making them all async would spread through the whole app for no gain. The preset's
 * rules are plain scanners, `create(context).file(source)`, that match regexes over
 * `source.content` and report ranges synchronously, so we drive them here through a minimal
 * context. Two are left out: filter-comments (a `secretlint-disable` comment inside an untrusted
 * log line would switch detection off) and gcp (it reads key files from disk by path). A rule
 * that answers with a promise would miss silently, so loading throws instead (a test pins that
 * across upgrades).
 */
const SKIPPED = new Set(["@secretlint/secretlint-rule-filter-comments", "@secretlint/secretlint-rule-gcp"]);

const kindOf = (id: string) => id.replace(/^@secretlint\/secretlint-rule-/, "");

type Scanner = { kind: string; file: (source: Source) => unknown; sink: { ranges: Array<readonly [number, number]> } };

function load(): Scanner[] {
  return (presetRules as unknown as Rule[])
    .filter((r) => !SKIPPED.has(r.meta.id))
    .map((rule) => {
      const sink = { ranges: [] as Array<readonly [number, number]> };
      const context: Context = {
        report: (d) => void sink.ranges.push(d.range),
        ignore: () => {},
        createTranslator: () => (id: string) => id,
      };
      const handler = rule.create(context, {});
      if (typeof handler.file !== "function") throw new Error(`secretlint rule ${rule.meta.id} has no file scanner`);
      return { kind: kindOf(rule.meta.id), file: handler.file, sink };
    });
}

const SCANNERS = load();

/** The preset's rule ids that run (for the bench and the tests). */
export const presetKinds = (): string[] => SCANNERS.map((s) => s.kind);

/**
 * What every rule of the preset needs before it can match: a token-like run of 16+ characters, a
 * URL, a key block or a Slack prefix (short Slack tokens). Most log lines have none, and the preset
 * costs more than all our rules together, so it is skipped for them; bench:redact checks that
 * recall does not move.
 */
const PRESET_NEED = /[A-Za-z0-9_-]{16,}|:\/\/|-----BEGIN|\bxox|\bxapp/;

/** Every range the preset's rules report on `text`. */
export function presetFindings(text: string): Finding[] {
  if (!PRESET_NEED.test(text)) return [];
  const source: Source = { content: text, ext: "", contentType: "text" };
  const out: Finding[] = [];
  for (const s of SCANNERS) {
    s.sink.ranges.length = 0;
    const result = s.file(source);
    if (result && typeof (result as Promise<unknown>).then === "function")
      throw new Error(`secretlint rule ${s.kind} became asynchronous: redaction cannot use it`);
    for (const [start, end] of s.sink.ranges) if (end > start) out.push({ start, end, kind: s.kind });
  }
  return out;
}
