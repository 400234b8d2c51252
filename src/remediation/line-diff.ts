/**
 * Line diffs and three-way merges for reverts: Myers' O((N+M)·D) shortest edit script, hunks as
 * replaced ranges of the original, and a merge that applies two sets of hunks to the same
 * original, refusing where they touch the same or adjacent lines (as git does).
 */

/** Lines [start, end) of the original replaced by `lines`. An insertion has start === end. */
export type Hunk = { start: number; end: number; lines: string[] };

/** Splits text into lines, keeping whether it ended with a newline. */
export function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === "") return { lines: [], finalNewline: false };
  const finalNewline = text.endsWith("\n");
  return { lines: (finalNewline ? text.slice(0, -1) : text).split("\n"), finalNewline };
}

export function joinLines(lines: string[], finalNewline: boolean): string {
  return lines.length === 0 ? "" : lines.join("\n") + (finalNewline ? "\n" : "");
}

/** The hunks that turn `a` into `b` (Myers' greedy algorithm with a trace for the path back). */
export function diffLines(a: string[], b: string[]): Hunk[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk back through the trace: each step is a diagonal run then one insertion or deletion.
  type Op = { kind: "equal" | "delete" | "insert"; a: number; b: number };
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) ops.push({ kind: "equal", a: --x, b: --y });
    if (d > 0) {
      if (x === prevX) ops.push({ kind: "insert", a: x, b: --y });
      else ops.push({ kind: "delete", a: --x, b: y });
    }
  }
  ops.reverse();
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  for (const op of ops) {
    if (op.kind === "equal") {
      current = undefined;
      continue;
    }
    if (!current) {
      current = { start: op.a, end: op.a, lines: [] };
      hunks.push(current);
    }
    if (op.kind === "delete") current.end = op.a + 1;
    else current.lines.push(b[op.b]!);
  }
  return hunks;
}

/** Applies non-overlapping hunks (sorted by start) to the original. */
export function applyHunks(original: string[], hunks: Hunk[]): string[] {
  const out: string[] = [];
  let at = 0;
  for (const h of [...hunks].sort((p, q) => p.start - q.start || p.end - q.end)) {
    out.push(...original.slice(at, h.start), ...h.lines);
    at = h.end;
  }
  out.push(...original.slice(at));
  return out;
}

/** Two hunks conflict when they replace the same lines or touch each other's edge. */
const touches = (p: Hunk, q: Hunk) => p.start <= q.end && q.start <= p.end;

export type MergeResult = { ok: true; lines: string[] } | { ok: false; conflicts: Array<{ ours: Hunk; theirs: Hunk }> };

/**
 * Three-way merge on a common original: `ours` and `theirs` are each a version of `base`; the
 * result carries both sets of changes, or names the hunks that touch the same lines.
 */
export function mergeLines(base: string[], ours: string[], theirs: string[]): MergeResult {
  const a = diffLines(base, ours);
  const b = diffLines(base, theirs);
  const conflicts = a.flatMap((p) => b.filter((q) => touches(p, q)).map((q) => ({ ours: p, theirs: q })));
  if (conflicts.length) return { ok: false, conflicts };
  return { ok: true, lines: applyHunks(base, [...a, ...b]) };
}

/** Added and deleted line counts, and a unified diff without context lines (for classifiers). */
export function diffSummary(a: string[], b: string[]): { additions: number; deletions: number; patch: string } {
  const hunks = diffLines(a, b);
  const parts: string[] = [];
  let shift = 0;
  for (const h of hunks) {
    const removed = h.end - h.start;
    parts.push(`@@ -${h.start + (removed ? 1 : 0)},${removed} +${h.start + shift + (h.lines.length ? 1 : 0)},${h.lines.length} @@`);
    for (let i = h.start; i < h.end; i++) parts.push(`-${a[i]}`);
    for (const line of h.lines) parts.push(`+${line}`);
    shift += h.lines.length - removed;
  }
  return {
    additions: hunks.reduce((n, h) => n + h.lines.length, 0),
    deletions: hunks.reduce((n, h) => n + h.end - h.start, 0),
    patch: parts.join("\n"),
  };
}
