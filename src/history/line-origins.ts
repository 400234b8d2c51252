/**
 * SZZ's blame without running `git blame`: replay each change's unified diff in order and keep,
 * for every line of every file, the change that last wrote it. A fix that changes or removes a
 * line then points back at the change that added it. One pass over the history, no extra reads.
 */

type Hunk = { oldStart: number; oldCount: number; lines: string[] };

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** The hunks of one file's patch (with or without context lines). */
export function parseHunks(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let cur: Hunk | undefined;
  for (const line of patch.split("\n")) {
    const m = HUNK.exec(line);
    if (m) {
      cur = { oldStart: Number(m[1]), oldCount: m[2] === undefined ? 1 : Number(m[2]), lines: [] };
      hunks.push(cur);
    } else if (cur && (line.startsWith("+") || line.startsWith("-") || line.startsWith(" "))) cur.lines.push(line);
  }
  return hunks;
}

export class LineOrigins {
  readonly #files = new Map<string, number[]>();

  /** Files whose origins are known. */
  get size(): number {
    return this.#files.size;
  }

  rename(from: string, to: string): void {
    const lines = this.#files.get(from);
    this.#files.delete(from);
    if (lines) this.#files.set(to, lines);
  }

  remove(path: string): void {
    this.#files.delete(path);
  }

  /**
   * Applies `change`'s patch of `path` and returns the changes whose lines it changed or removed
   * (with how many lines each). A file first seen mid-history has unknown origins (-1), never blamed.
   */
  apply(path: string, patch: string, change: number): Map<number, number> {
    const touched = new Map<number, number>();
    const lines = this.#files.get(path) ?? [];
    const hunks = parseHunks(patch);
    // Bottom-up, so that earlier hunks' positions still hold.
    for (let h = hunks.length - 1; h >= 0; h--) {
      const { oldStart, oldCount, lines: body } = hunks[h]!;
      const start = oldCount === 0 ? oldStart : oldStart - 1;
      const replacement: number[] = [];
      let old = start;
      for (const l of body) {
        if (l[0] === "+") replacement.push(change);
        else if (l[0] === "-") {
          const origin = lines[old++] ?? -1;
          if (origin >= 0) touched.set(origin, (touched.get(origin) ?? 0) + 1);
        } else replacement.push(lines[old++] ?? -1);
      }
      if (start > lines.length) for (let i = lines.length; i < start; i++) lines.push(-1);
      if (replacement.length > 20_000) {
        // A spread of that many arguments would overflow the stack.
        const tail = lines.slice(old);
        lines.length = start;
        for (const x of replacement) lines.push(x);
        for (const x of tail) lines.push(x);
      } else lines.splice(start, old - start, ...replacement);
    }
    this.#files.set(path, lines);
    return touched;
  }
}
