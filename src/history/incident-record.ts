import { z } from "zod";
import { readMetadata, stickyMarker } from "../github/metadata.js";
import type { IncidentRecord } from "./types.js";

/** The fields of the RCA thread's hidden metadata the memory reads (written by jobs/processors/rca.ts). */
const rcaMeta = z.object({
  /** The incident's keywords (GEP's word for them is the stored name). */
  signals: z.array(z.string().max(200)).max(50).catch([]),
  affected: z.array(z.string().max(100)).max(50).catch([]),
  hypotheses: z
    .array(
      z.object({
        title: z.string().max(300),
        category: z.enum(["code", "config", "infrastructure", "dependency"]).optional().catch(undefined),
        suspect: z.string().max(100).optional().catch(undefined),
        service: z.string().max(100).optional().catch(undefined),
        root: z.string().max(300).optional().catch(undefined),
      }),
    )
    .max(10)
    .catch([]),
});

type Comment = { body?: string | null; user?: { login?: string; type?: string } | null };
type Issue = { number: number; title: string; html_url?: string; created_at: string; closed_at?: string | null };

const FIX_MERGED = /Fix #(\d+) is merged/;

/**
 * An incident as its RCA thread recorded it: the keywords, services and top hypothesis from the
 * hidden metadata of Insight's own sticky comment (a bot's comment; a person's quoting the marker is
 * not read), the fix from Insight's "Fix #N is merged" reply or from a merged PR that closed it.
 * Undefined when the thread has no RCA of Insight's.
 */
export function incidentFromThread(issue: Issue, comments: Comment[], fix?: IncidentRecord["fix"]): IncidentRecord | undefined {
  const bot = comments.filter((c) => c.user?.type === "Bot");
  const sticky = bot.find((c) => c.body?.includes(stickyMarker("rca")));
  const raw = readMetadata(sticky?.body, "rca");
  if (!raw) return undefined;
  const meta = rcaMeta.safeParse(raw);
  if (!meta.success) return undefined;
  const top = meta.data.hypotheses[0];
  const pullBase = issue.html_url?.replace(/\/issues\/\d+$/, "/pull/");
  const merged = bot
    .map((c) => FIX_MERGED.exec(c.body ?? "")?.[1])
    .filter(Boolean)
    .at(-1);
  const openedAt = Date.parse(issue.created_at);
  const closedAt = issue.closed_at ? Date.parse(issue.closed_at) : undefined;
  return {
    number: issue.number,
    title: issue.title.slice(0, 200),
    ...(issue.html_url ? { url: issue.html_url } : {}),
    openedAt,
    ...(closedAt ? { closedAt } : {}),
    signals: meta.data.signals,
    services: [...new Set([...meta.data.affected, ...(top?.service ? [top.service] : [])])].sort(),
    ...(top?.category ? { category: top.category } : {}),
    ...(top ? { mechanism: top.title, root: top.root ?? top.title } : {}),
    ...(top?.suspect ? { suspect: top.suspect } : {}),
    ...(fix ? { fix } : merged ? { fix: { ref: `#${merged}`, ...(pullBase ? { url: `${pullBase}${merged}` } : {}) } } : {}),
  };
}

const CLOSES = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d+)\b/gi;

/** The incidents a merged PR says it resolves: closing keywords in its body, or Insight's fix branch `insight/fix-N`. */
export function incidentsClosedBy(pull: { body?: string | null; head?: { ref?: string } }): number[] {
  const out = new Set<number>();
  for (const m of (pull.body ?? "").slice(0, 20_000).matchAll(CLOSES)) out.add(Number(m[1]));
  const branch = /^insight\/fix-(\d+)$/.exec(pull.head?.ref ?? "")?.[1];
  if (branch) out.add(Number(branch));
  return [...out];
}
