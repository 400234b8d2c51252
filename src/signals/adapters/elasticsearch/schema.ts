import { z } from "zod";

/** An ES|QL answer: a columns/values table, at the top or nested (Kibana wraps it in results). */
export const esqlTable = z.looseObject({ columns: z.array(z.looseObject({ name: z.string() })), values: z.array(z.array(z.unknown())) });
export type EsqlTable = z.infer<typeof esqlTable>;

/** Any JSON object or list: the table is looked for inside it. */
export const esqlAnswer = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]);

/** `list_indices`: one row per index (health is green, yellow or red). */
export const indicesAnswer = z.array(
  z.looseObject({ index: z.string().optional(), health: z.string().optional(), status: z.string().optional() }),
);

/** `get_shards`: one row per shard copy (`prirep` p or r). */
export const shardsAnswer = z.array(
  z.looseObject({
    index: z.string().optional(),
    shard: z.string().optional(),
    prirep: z.string().optional(),
    state: z.string().optional(),
  }),
);
