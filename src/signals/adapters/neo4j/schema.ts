import { z } from "zod";

/** Cypher results: records of column → value, bare or under `records`. */
export const records = z.array(z.record(z.string(), z.unknown()));
export const cypherAnswer = z.union([records, z.looseObject({ records: records.optional() })]);
export type Records = z.infer<typeof records>;
