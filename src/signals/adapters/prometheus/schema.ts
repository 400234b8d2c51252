import { z } from "zod";

/** What the Prometheus MCP servers answer, naming only the fields Insight reads. */

const sample = z.looseObject({
  metric: z.record(z.string(), z.string()).default({}),
  value: z.tuple([z.number(), z.string()]).optional(),
  values: z.array(z.tuple([z.number(), z.string()])).optional(),
});
export type PromSample = z.infer<typeof sample>;

const data = z.looseObject({ resultType: z.string().optional(), result: z.array(sample) });

/** The three answer shapes of a query: `{resultType,result}`, `{status,data:{…}}`, and either with `links`. */
export const queryAnswer = z.union([
  z.looseObject({ status: z.literal("error"), error: z.string().optional() }),
  z.looseObject({ status: z.string().optional(), data }),
  data,
]);

/** `getRules` (mcp-prometheus). */
export const rulesAnswer = z.looseObject({
  data: z
    .looseObject({
      groups: z
        .array(
          z.looseObject({
            name: z.string(),
            rules: z.array(
              z.looseObject({
                name: z.string(),
                query: z.string(),
                type: z.string().optional(),
                labels: z.record(z.string(), z.string()).optional(),
                state: z.string().optional(),
              }),
            ),
          }),
        )
        .optional(),
    })
    .optional(),
});
