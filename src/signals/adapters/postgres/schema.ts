import { z } from "zod";

/** What the PostgreSQL MCP servers answer: rows of column → value. */
export const rows = z.array(z.record(z.string(), z.unknown()));

/** dbhub's `execute_sql`. */
export const dbhubAnswer = z.looseObject({
  success: z.boolean().optional(),
  error: z.string().optional(),
  data: z.looseObject({ rows: rows.optional() }).optional(),
});
