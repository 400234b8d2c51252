import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** What one repository file may cost to read. A real `.github/insight.yml` is a few KB and a few hundred keys. */
export const YAML_LIMITS = { bytes: 64 * 1024, nodes: 5_000, depth: 32, aliases: 50, parseMs: 2_000 } as const;
export type YamlLimits = { bytes: number; nodes: number; depth: number; aliases: number; parseMs: number };

export type BoundedParse = { ok: true; value: unknown } | { ok: false; problem: string; transient?: boolean };

const kb = (n: number) => `${Math.ceil(n / 1024).toLocaleString("en")} KB`;

/**
 * One linear pass over the text, before any parsing: the deepest `[`/`{` nesting outside quotes
 * (the parser recurses on flow collections, so 20,000 brackets overflow its stack) and a lower
 * bound of the keys and values (two per `key: value` line or flow item), so an oversized file is
 * refused in milliseconds, whatever the machine's load.
 */
export function prescan(text: string): { depth: number; nodes: number } {
  let depth = 0;
  let max = 0;
  let nodes = 0;
  let quote: string | undefined;
  let lineHasEntry = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === "\\" && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#" && (i === 0 || /\s/.test(text[i - 1]!))) while (i + 1 < text.length && text[i + 1] !== "\n") i++;
    else if (ch === "[" || ch === "{") max = Math.max(max, ++depth);
    else if (ch === "]" || ch === "}") depth = Math.max(0, depth - 1);
    else if (ch === "," && depth > 0) nodes += 1;
    else if (ch === ":" && !lineHasEntry && /[\s]/.test(text[i + 1] ?? "\n")) (lineHasEntry = true), (nodes += 2);
    else if (ch === "\n") lineHasEntry = false;
  }
  return { depth: max, nodes };
}

/**
 * The worker's program (CommonJS, run with `eval`): parse without the parser's quadratic
 * duplicate-key check, count nodes and depth, find duplicate keys in linear time, then convert.
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { parseDocument, visit, isMap, isScalar } = require(workerData.yamlPath);
const { text, limits } = workerData;
const fmt = (n) => n.toLocaleString("en");
try {
  const doc = parseDocument(text, { uniqueKeys: false, maxAliasCount: limits.aliases, prettyErrors: false, logLevel: "silent" });
  if (doc.errors.length) throw new Error(doc.errors[0].message.split("\\n")[0]);
  let nodes = 0;
  let problem;
  visit(doc, {
    Node(_key, node, path) {
      if (++nodes > limits.nodes) { problem = "more than " + fmt(limits.nodes) + " keys and values; the limit is " + fmt(limits.nodes); return visit.BREAK; }
      if (path.length > limits.depth * 2) { problem = "nested deeper than " + limits.depth + " levels; the limit is " + limits.depth; return visit.BREAK; }
      if (isMap(node)) {
        const seen = new Set();
        for (const pair of node.items) {
          const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
          if (k === undefined) continue;
          if (seen.has(k)) { problem = "the key " + JSON.stringify(k.slice(0, 60)) + " appears twice in one mapping"; return visit.BREAK; }
          seen.add(k);
        }
      }
    },
  });
  if (problem) parentPort.postMessage({ ok: false, problem });
  else parentPort.postMessage({ ok: true, value: doc.toJS({ maxAliasCount: limits.aliases }) ?? {} });
} catch (err) {
  const message = err instanceof RangeError ? "nested too deeply to parse" : String(err && err.message || err);
  parentPort.postMessage({ ok: false, problem: /alias/i.test(message) ? "too many aliases (the limit is " + limits.aliases + "): " + message : "invalid YAML: " + message });
}
`;

let yamlPath: string | undefined;

/**
 * Parses an untrusted YAML file within a budget: a size cap and a nesting pre-check in this
 * thread, then the parse itself in a worker thread with a deadline and a memory cap, so a hostile
 * file costs the event loop nothing and is cut off after `parseMs`. Problems name the limit.
 */
export async function parseBoundedYaml(text: string, limits: YamlLimits = YAML_LIMITS): Promise<BoundedParse> {
  const bytes = Buffer.byteLength(text);
  if (bytes > limits.bytes) return { ok: false, problem: `the file is ${kb(bytes)}; the limit is ${kb(limits.bytes)}` };
  const scan = prescan(text);
  if (scan.depth > limits.depth) return { ok: false, problem: `nested deeper than ${limits.depth} levels; the limit is ${limits.depth}` };
  if (scan.nodes > limits.nodes)
    return {
      ok: false,
      problem: `more than ${limits.nodes.toLocaleString("en")} keys and values; the limit is ${limits.nodes.toLocaleString("en")}`,
    };
  yamlPath ??= createRequire(import.meta.url).resolve("yaml");
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { text, limits, yamlPath },
    resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    stdout: true,
    stderr: true,
  });
  return new Promise<BoundedParse>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (result: BoundedParse) => {
      if (timer) clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    // The deadline counts parsing, not the worker's start-up (slow on a loaded machine). A timeout is
    // marked transient so that a cache does not keep it.
    worker.once("online", () => {
      timer = setTimeout(
        () =>
          done({
            ok: false,
            problem: `the file took longer than ${limits.parseMs / 1000} s to parse; the limit is ${limits.parseMs / 1000} s`,
            transient: true,
          }),
        limits.parseMs,
      );
    });
    worker.once("message", (m: BoundedParse) => done(m));
    worker.once("error", (err) =>
      done({
        ok: false,
        problem: /memory/i.test(err.message) ? "the file needs too much memory to parse" : `could not be parsed: ${err.message}`,
      }),
    );
    worker.once("exit", (code) => done({ ok: false, problem: `could not be parsed (the parser stopped with code ${code})` }));
  });
}
