import { changeIndex, followUps } from "./follow-ups.js";
import type { ChangeRecord, FollowUp } from "./types.js";

export type FileRisk = { file: string; touches: number; induced: number; prior: number; by: string[] };

const LOCK =
  /(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|go\.sum|Cargo\.lock|poetry\.lock|Gemfile\.lock|composer\.lock|uv\.lock)$/;

/** Changes a later fix (SZZ) or revert points back at, up to `asOf`. */
export function inducingChanges(changes: ChangeRecord[], asOf = Number.POSITIVE_INFINITY): Map<string, string[]> {
  const find = changeIndex(changes);
  const out = new Map<string, string[]>();
  const add = (target: string, by: string) => {
    const id = find(target)?.id ?? target;
    out.set(id, [...(out.get(id) ?? []), by]);
  };
  for (const c of changes) {
    if (c.at > asOf) continue;
    for (const t of c.fixes ?? []) add(t, c.id);
    if (c.revertOf) add(c.revertOf, c.id);
  }
  return out;
}

/**
 * Every file's risk prior from the repository's own history: of the changes that touched it, the
 * share a later fix or revert pointed back at, shrunk toward the repository's rate (files touched
 * once or twice say little). Riskiest first.
 */
export function riskiestFiles(changes: ChangeRecord[], options: { minTouches?: number; limit?: number } = {}): FileRisk[] {
  const induced = inducingChanges(changes);
  const base = changes.length ? changes.filter((c) => induced.has(c.id)).length / changes.length : 0;
  const stats = new Map<string, { touches: number; induced: number; by: Set<string> }>();
  for (const c of changes) {
    for (const f of c.files) {
      if (LOCK.test(f)) continue;
      const s = stats.get(f) ?? { touches: 0, induced: 0, by: new Set<string>() };
      s.touches++;
      if (induced.has(c.id)) {
        s.induced++;
        s.by.add(c.id);
      }
      stats.set(f, s);
    }
  }
  return [...stats]
    .filter(([, s]) => s.touches >= (options.minTouches ?? 3) && s.induced > 0)
    .map(([file, s]) => ({
      file,
      touches: s.touches,
      induced: s.induced,
      prior: (s.induced + 2 * base) / (s.touches + 2),
      by: [...s.by].slice(-5),
    }))
    .sort((a, b) => b.prior - a.prior || b.touches - a.touches || a.file.localeCompare(b.file))
    .slice(0, options.limit ?? 15);
}

/** Changes followed by a revert within the window, newest first. */
export function revertedChanges(changes: ChangeRecord[], windowMs: number): Array<{ change: ChangeRecord; revert: FollowUp }> {
  const fu = followUps({ changes, incidents: [], failedDeployments: [] }, { windowMs });
  return changes
    .flatMap((change) => (fu.get(change.id) ?? []).filter((f) => f.kind === "revert").map((revert) => ({ change, revert })))
    .sort((a, b) => b.change.at - a.change.at);
}
