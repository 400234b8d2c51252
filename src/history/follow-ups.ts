import type { ChangeRecord, FollowUp, RepoHistory } from "./types.js";

export const HOUR = 3_600_000;
/** What counts as "followed by": within three days of the change landing. */
export const DEFAULT_WINDOW_MS = 72 * HOUR;

type Known = Pick<RepoHistory, "changes" | "incidents" | "failedDeployments">;

/** Finds a change by id (`#412`), by sha or sha prefix. */
export function changeIndex(changes: ChangeRecord[]): (ref: string) => ChangeRecord | undefined {
  const byId = new Map<string, ChangeRecord>();
  const bySha = new Map<string, ChangeRecord>();
  for (const c of changes) {
    byId.set(c.id, c);
    if (c.sha) bySha.set(c.sha.slice(0, 7), c);
  }
  return (ref) => byId.get(ref) ?? (/^[0-9a-f]{7,40}$/.test(ref) ? bySha.get(ref.slice(0, 7)) : undefined);
}

/**
 * What followed each change within the window: a revert of it, an incident whose RCA named it, a
 * fix that changed its lines (SZZ), a failed deployment of it. Only events known at `asOf` count,
 * so that a change's record never uses the future.
 */
export function followUps(h: Known, options: { windowMs?: number; asOf?: number } = {}): Map<string, FollowUp[]> {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const asOf = options.asOf ?? Number.POSITIVE_INFINITY;
  const find = changeIndex(h.changes);
  const out = new Map<string, FollowUp[]>();
  const add = (target: ChangeRecord | undefined, f: FollowUp) => {
    if (!target || f.at > asOf || f.at < target.at || f.at - target.at > windowMs || f.ref === target.id) return;
    const list = out.get(target.id) ?? [];
    if (!list.some((x) => x.kind === f.kind && x.ref === f.ref)) list.push(f);
    out.set(target.id, list);
  };
  for (const c of h.changes) {
    if (c.revertOf) add(find(c.revertOf), { kind: "revert", ref: c.id, at: c.at, url: c.url });
    for (const t of c.fixes ?? []) add(find(t), { kind: "fix", ref: c.id, at: c.at, url: c.url });
  }
  for (const i of h.incidents) {
    const named = [i.suspect, ...(i.root?.match(/#\d+\b/g) ?? [])].filter((x): x is string => !!x);
    for (const ref of new Set(named)) add(find(ref), { kind: "incident", ref: `#${i.number}`, at: i.openedAt, url: i.url });
  }
  for (const d of h.failedDeployments) add(find(d.sha), { kind: "failed-deployment", ref: `deployment ${d.id}`, at: d.at, url: d.url });
  return out;
}

/** Whether a follow-up says the change went wrong (every kind does). */
export const isBad = (fs: FollowUp[] | undefined) => !!fs?.length;
