import { z } from "zod";
import { formatIssues } from "../config/format-issues.js";

/**
 * Gene, Capsule and EvolutionEvent as the EvoMap hub accepts them (GEP-A2A 1.0), with its publish
 * gates: summaries long enough to mean something, at least two real strategy steps, keywords
 * (`signals_match`, `trigger`) of three characters or more, an environment fingerprint, a diff under 8,000 characters and an
 * outcome of `{status, score}` only. Unknown keys are refused: what we sign is what we meant.
 */

export const SCHEMA_VERSION = "1.5.0";
const assetId = z.string().regex(/^sha256:[0-9a-f]{64}$/, { message: "sha256:<64 hex>" });
/** A keyword: GEP's `signals_match` and `trigger` hold these. */
const keyword = z.string().min(3, { message: "a keyword of at least 3 characters" }).max(200);
const outcome = z.object({ status: z.enum(["success", "failure"]), score: z.number().min(0).max(1) }).strict();
const fingerprint = z.object({ platform: z.string().min(1), arch: z.string().min(1) }).strict();

export const geneSchema = z
  .object({
    type: z.literal("Gene"),
    schema_version: z.string(),
    id: z.string().min(1).max(120),
    category: z.enum(["repair", "optimize", "innovate"]),
    signals_match: z.array(keyword).min(1).max(20),
    summary: z.string().min(10, { message: "at least 10 characters" }).max(500),
    strategy: z
      .array(z.string().min(15, { message: "each step at least 15 characters" }).max(500))
      .min(2, { message: "at least two steps" })
      .max(12),
    constraints: z.object({ max_files: z.number().int().positive(), forbidden_paths: z.array(z.string()) }).strict(),
    validation: z.array(z.string().max(300)).max(10),
    asset_id: assetId.optional(),
  })
  .strict();

export const capsuleSchema = z
  .object({
    type: z.literal("Capsule"),
    schema_version: z.string(),
    id: z.string().min(1).max(120),
    trigger: z.array(keyword).min(1).max(20),
    gene: assetId,
    summary: z.string().min(20, { message: "at least 20 characters" }).max(1000),
    confidence: z.number().min(0).max(1),
    blast_radius: z.object({ files: z.number().int().positive(), lines: z.number().int().positive() }).strict(),
    outcome,
    env_fingerprint: fingerprint,
    success_streak: z.number().int().min(0).optional(),
    diff: z.string().max(8000, { message: "at most 8,000 characters" }).optional(),
    content: z.string().max(8000, { message: "at most 8,000 characters" }).optional(),
    asset_id: assetId.optional(),
  })
  .strict()
  .refine((c) => c.diff !== undefined || c.content !== undefined, { message: "a diff or a content is required", path: ["diff"] });

export const eventSchema = z
  .object({
    type: z.literal("EvolutionEvent"),
    schema_version: z.string(),
    id: z.string().min(1).max(120),
    intent: z.enum(["repair", "optimize", "innovate"]),
    capsule_id: z.string(),
    genes_used: z.array(assetId),
    outcome,
    mutations_tried: z.number().int().min(0),
    total_cycles: z.number().int().min(0),
    asset_id: assetId.optional(),
  })
  .strict();

export type Gene = z.infer<typeof geneSchema>;
export type Capsule = z.infer<typeof capsuleSchema>;
export type EvolutionEvent = z.infer<typeof eventSchema>;
export type Bundle = { gene: Gene; capsule: Capsule; event?: EvolutionEvent };

/** Every gate a bundle fails, as `asset.field → problem`; empty when the hub should take it. */
export function bundleProblems(bundle: { gene: unknown; capsule: unknown; event?: unknown }): string[] {
  const problems: string[] = [];
  const check = (name: string, schema: z.ZodType, value: unknown) => {
    const r = schema.safeParse(value);
    if (!r.success) problems.push(...formatIssues(r.error, name));
  };
  check("gene", geneSchema, bundle.gene);
  check("capsule", capsuleSchema, bundle.capsule);
  if (bundle.event !== undefined) check("event", eventSchema, bundle.event);
  return problems;
}
