import { z } from "zod";

/** What the SkyWalking MCP server answers, naming only the fields Insight reads. */

const service = z.looseObject({ id: z.string(), name: z.string() });
/** `list_services`: a list, bare or under `services`. */
export const servicesAnswer = z.union([z.array(service), z.looseObject({ services: z.array(service).optional() })]);

/** `execute_mqe_expression`. */
export const mqeAnswer = z.looseObject({
  execExpression: z
    .looseObject({
      type: z.string().optional(),
      error: z.string().nullish(),
      results: z
        .array(
          z.looseObject({
            metric: z.looseObject({ labels: z.array(z.looseObject({ key: z.string(), value: z.string() })).optional() }).optional(),
            values: z.array(z.looseObject({ id: z.string().optional(), value: z.string().nullish() })).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

/** `query_traces` in summary view. */
export const tracesAnswer = z.looseObject({
  total_traces: z.number().optional(),
  error_count: z.number().optional(),
  error_traces: z.array(z.unknown()).optional(),
});

/** `query_services_topology`. */
export const topologyAnswer = z.looseObject({
  nodes: z
    .array(z.looseObject({ id: z.string(), name: z.string(), type: z.string().nullish(), isReal: z.boolean().optional() }))
    .optional(),
  calls: z.array(z.looseObject({ source: z.string(), target: z.string() })).optional(),
});

const alarm = z.record(z.string(), z.unknown());
/** `query_alarms`: a list, bare or under `msgs` or `items`. */
export const alarmsAnswer = z.union([z.array(alarm), z.looseObject({ msgs: z.array(alarm).optional(), items: z.array(alarm).optional() })]);
