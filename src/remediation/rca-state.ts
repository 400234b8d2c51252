import { z } from "zod";
import { readMetadata } from "../github/metadata.js";
import { findStickyComment } from "../github/sticky-comment.js";
import type { Octokit, RepoRef } from "../core/github.js";

const rcaStateSchema = z.object({
  summary: z.string().optional(),
  /** The incident's keywords, under GEP's name for them (the stored RCA threads carry it). */
  signals: z.array(z.string()).default([]),
  severity: z.string().optional(),
  hypotheses: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      category: z.string(),
      confidence: z.number(),
      suspect: z.string().optional(),
      /** Root → mechanism → symptoms, on one line. */
      chain: z.string().optional(),
      /** The immediate mitigation first (cancel pid 4711 with its SQL, pause the deploy). */
      mitigation: z.array(z.string()).default([]),
    }),
  ),
});
export type RcaState = z.infer<typeof rcaStateSchema>;

/** The analysis Insight left on an incident (its RCA comment's hidden block); undefined when none. */
export async function readRcaState(octokit: Octokit, repo: RepoRef, issueNumber: number): Promise<RcaState | undefined> {
  const comment = await findStickyComment(octokit, repo, issueNumber, "rca");
  const parsed = rcaStateSchema.safeParse(readMetadata(comment?.body, "rca"));
  return parsed.success ? parsed.data : undefined;
}
