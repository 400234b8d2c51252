import { z } from "zod";

/** What the model hands in for an incident: the report's shape, with evidence ids on every claim. */
export const rcaSubmissionSchema = z.object({
  summary: z
    .string()
    .min(1)
    .max(2_000)
    .describe("Two to five sentences for the on-call engineer. Cite evidence ids in square brackets, e.g. [h1] [db:pg:connections]."),
  hypotheses: z
    .array(
      z.object({
        title: z.string().min(3).max(200),
        category: z.enum(["code", "config", "infrastructure", "dependency"]),
        service: z.string().max(80).optional(),
        confidence: z.number().min(0).max(1),
        evidence: z
          .array(z.string().max(160))
          .min(1)
          .max(12)
          .describe("Ids from the evidence or from this run's tool results (tool:<step>.<n>)."),
        reasoning: z.string().max(1_200),
        confirm: z.string().max(500).describe("A check that would confirm or refute it."),
      }),
    )
    .max(5),
  unknowns: z.array(z.string().max(300)).max(5).default([]).describe("What the evidence cannot tell."),
});
export type RcaSubmission = z.infer<typeof rcaSubmissionSchema>;

/** What the model hands in for a pull request: a reviewer's narrative over the blast-radius evidence. */
export const impactSubmissionSchema = z.object({
  summary: z.string().min(1).max(1_500).describe("What a reviewer should know, with evidence ids in square brackets."),
  risks: z
    .array(z.object({ risk: z.string().min(3).max(300), evidence: z.array(z.string().max(160)).min(1).max(8), watch: z.string().max(300) }))
    .max(5),
});
export type ImpactSubmission = z.infer<typeof impactSubmissionSchema>;

export type Grounded<T> = { value: T; droppedClaims: number; droppedCitations: number };

/** Replaces `[id]` citations the run never produced with `[unverified]`, counting them. */
function groundText(text: string, known: (id: string) => boolean): { text: string; dropped: number } {
  let dropped = 0;
  const out = text.replace(/\[([^\]\s]{1,160})\]/g, (m, id: string) => {
    if (known(id)) return m;
    dropped++;
    return "[unverified]";
  });
  return { text: out, dropped };
}

/** Claims whose evidence the run knows: unknown ids removed, a claim left with none dropped; both counted. */
function keepCited<C extends { evidence: string[] }>(
  claims: C[],
  known: (id: string) => boolean,
  counts: { claims: number; citations: number },
): C[] {
  return claims.flatMap((c) => {
    const evidence = c.evidence.filter(known);
    counts.citations += c.evidence.length - evidence.length;
    if (evidence.length === 0) {
      counts.claims++;
      return [];
    }
    return [{ ...c, evidence }];
  });
}

/**
 * Keeps only what the evidence supports: a claim's unknown evidence ids are removed, and a claim
 * left with none is dropped; the narrative's unknown citations are marked. Counts both.
 */
export function groundRca(sub: RcaSubmission, known: (id: string) => boolean): Grounded<RcaSubmission> {
  const counts = { claims: 0, citations: 0 };
  const hypotheses = keepCited(sub.hypotheses, known, counts).map((h) => {
    const reasoning = groundText(h.reasoning, known);
    counts.citations += reasoning.dropped;
    return { ...h, reasoning: reasoning.text };
  });
  const summary = groundText(sub.summary, known);
  return {
    value: { ...sub, summary: summary.text, hypotheses },
    droppedClaims: counts.claims,
    droppedCitations: counts.citations + summary.dropped,
  };
}

export function groundImpact(sub: ImpactSubmission, known: (id: string) => boolean): Grounded<ImpactSubmission> {
  const counts = { claims: 0, citations: 0 };
  const risks = keepCited(sub.risks, known, counts);
  const summary = groundText(sub.summary, known);
  return { value: { summary: summary.text, risks }, droppedClaims: counts.claims, droppedCitations: counts.citations + summary.dropped };
}

/** USD per million tokens (input, output) by model family; an estimate for the report's footer. */
const PRICES: Array<[RegExp, number, number]> = [
  [/opus/i, 15, 75],
  [/sonnet/i, 3, 15],
  [/haiku/i, 0.8, 4],
];

export function estimateCost(model: string, usage: { input: number; output: number }): number | undefined {
  const price = PRICES.find(([re]) => re.test(model));
  return price ? (usage.input * price[1] + usage.output * price[2]) / 1_000_000 : undefined;
}
