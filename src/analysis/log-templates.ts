/**
 * Log template mining, two ways.
 * - `mineTemplates` (batch, what the RCA uses): generic token typing, then frequency-based grouping in
 *   the spirit of Brain (Yu et al., 2023); see mine-batch notes below. No per-system settings.
 * - `TemplateMiner` / `mineTemplatesDrain` (streaming, Drain-class, He et al., ICWS'17): a fixed-depth
 *   prefix tree keyed by token count and the first tokens routes each line to a few candidate groups;
 *   the most similar group takes it when the share of equal tokens reaches the threshold, and the
 *   positions that differ become `<*>`. Variables (numbers, IPs, UUIDs, hex ids) are masked first.
 * Both receive lines that are already redacted (the caller redacts; masking never sees secrets first).
 */

export type LogTemplate = {
  id: number;
  tokens: string[];
  /** Indexes of the lines (in input order) that belong to it. */
  lines: number[];
};

export type MinerOptions = {
  /** Similarity threshold in [0, 1] (Drain's st). */
  threshold?: number;
  /** Tree depth, counting the root and the length layer (Drain's depth). */
  depth?: number;
  /** Children per inner node before the rest share a wildcard child. */
  maxChildren?: number;
  /** Patterns whose matches become `<*>` before tokenising; default: DEFAULT_MASKS. */
  masks?: RegExp[];
};

const WILDCARD = "<*>";

/** Variables common to most logs; applied in order. */
export const DEFAULT_MASKS: RegExp[] = [
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
  /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g,
  /\b0x[0-9a-f]+\b/gi,
  /\b[0-9a-f]{12,}\b/gi,
  /(?<![A-Za-z])[-+]?\d+(?:\.\d+)?(?:ms|s|m|h|KB|MB|GB|B|%)?(?![A-Za-z])/g,
];

type Group = LogTemplate;
type Node = { children: Map<string, Node>; groups: Group[] };

const hasDigit = (t: string) => /\d/.test(t);

export class TemplateMiner {
  readonly #threshold: number;
  readonly #depth: number;
  readonly #maxChildren: number;
  readonly #masks: RegExp[];
  readonly #root: Node = { children: new Map(), groups: [] };
  readonly groups: Group[] = [];
  #lines = 0;

  constructor(options: MinerOptions = {}) {
    this.#threshold = options.threshold ?? 0.5;
    this.#depth = Math.max(3, options.depth ?? 4);
    this.#maxChildren = options.maxChildren ?? 100;
    this.#masks = options.masks ?? DEFAULT_MASKS;
  }

  tokenize(line: string): string[] {
    let text = line.trim();
    for (const mask of this.#masks) text = text.replace(mask, WILDCARD);
    return text.split(/\s+/).filter(Boolean);
  }

  /** Adds one line; returns the template it joined or started. */
  add(line: string): LogTemplate {
    const tokens = this.tokenize(line);
    const index = this.#lines++;
    const match = this.#search(tokens);
    if (match) {
      match.tokens = match.tokens.map((t, i) => (t === tokens[i] ? t : WILDCARD));
      match.lines.push(index);
      return match;
    }
    const group: Group = { id: this.groups.length, tokens, lines: [index] };
    this.groups.push(group);
    this.#insert(group);
    return group;
  }

  /** Token layers under the length layer: depth counts the root and the length layer, then the leaf. */
  get #layers(): number {
    return this.#depth - 3;
  }

  /** Finds the most similar group reachable by the line's length and first tokens (exact, else `<*>`). */
  #search(tokens: string[]): Group | undefined {
    let node = this.#root.children.get(String(tokens.length));
    for (let i = 0; node && i < Math.min(this.#layers, tokens.length); i++) {
      node = node.children.get(tokens[i]!) ?? node.children.get(WILDCARD);
    }
    if (!node) return undefined;
    let best: Group | undefined;
    let bestSim = -1;
    let bestParams = -1;
    for (const g of node.groups) {
      const [sim, params] = similarity(g.tokens, tokens);
      // Equal similarity: the more general template (more wildcards) wins, as in Drain.
      if (sim > bestSim || (sim === bestSim && params > bestParams)) {
        best = g;
        bestSim = sim;
        bestParams = params;
      }
    }
    return best && bestSim >= this.#threshold ? best : undefined;
  }

  /** Places a new group in the tree; tokens with digits go under `<*>`, and so does everything past maxChildren. */
  #insert(group: Group): void {
    const child = (node: Node, key: string) => {
      let next = node.children.get(key);
      if (!next) node.children.set(key, (next = { children: new Map(), groups: [] }));
      return next;
    };
    let node = child(this.#root, String(group.tokens.length));
    for (let i = 0; i < Math.min(this.#layers, group.tokens.length); i++) {
      const token = group.tokens[i]!;
      if (node.children.has(token)) node = node.children.get(token)!;
      else if (hasDigit(token) || token === WILDCARD) node = child(node, WILDCARD);
      else if (node.children.has(WILDCARD) ? node.children.size < this.#maxChildren : node.children.size + 1 < this.#maxChildren)
        node = child(node, token);
      else node = child(node, WILDCARD);
    }
    node.groups.push(group);
  }
}

/** Share of positions where the template's constant token equals the line's, and the template's wildcards. */
function similarity(template: string[], tokens: string[]): [number, number] {
  let same = 0;
  let params = 0;
  for (let i = 0; i < template.length; i++) {
    if (template[i] === WILDCARD) params++;
    else if (template[i] === tokens[i]) same++;
  }
  return [template.length ? same / template.length : 1, params];
}

/**
 * A template as a person reads it: tokens joined by spaces, except that the batch miner's split-off
 * punctuation sits where it was written ("uid=<*>", "failed: x", "(Lifecycle Event)"), so a template
 * reads like its lines and a search for "certificate has expired" or "status: 503" still finds it.
 */
export const templateText = (t: LogTemplate) =>
  t.tokens
    .join(" ")
    .replace(/ ([:,;)\]}=]|\.(?= |$))/g, "$1")
    .replace(/([([{=]) /g, "$1");

/** A token that is a number (or a hex id) the masks did not catch: `5`, `-1`, `3.14`, `10:42`, `(7)`, `0x1f`. */
const NUMBER = /^[-+([]?\d[\d.:,/_-]*[)\],;]?$|^0x[0-9a-f]+$/i;

/**
 * Drain over a batch (the bench's baseline); each line's template id, and the templates. After the tree pass, groups
 * whose templates agree once their remaining numbers are variables are one group: the tree keeps a
 * number as a constant when every line that reached a group happened to share it ("retry 1 failed"
 * and "retry 2 failed" in two groups), which is never a reason to split an event type.
 */
export function mineTemplatesDrain(lines: string[], options?: MinerOptions): { assignment: number[]; templates: LogTemplate[] } {
  const miner = new TemplateMiner(options);
  const first = lines.map((l) => miner.add(l).id);
  const merged = new Map<string, LogTemplate>();
  const remap = new Map<number, number>();
  for (const g of miner.groups) {
    const key = g.tokens.map((t) => (NUMBER.test(t) ? WILDCARD : t)).join(" ");
    let m = merged.get(key);
    if (!m) merged.set(key, (m = { id: merged.size, tokens: g.tokens, lines: [] }));
    else m.tokens = key.split(" ");
    m.lines.push(...g.lines);
    remap.set(g.id, m.id);
  }
  const templates = [...merged.values()].map((t) => ({ ...t, lines: t.lines.sort((a, b) => a - b) }));
  return { assignment: first.map((id) => remap.get(id)!), templates };
}

export { mineTemplates, tokenizeLine } from "./log-batch-miner.js";
