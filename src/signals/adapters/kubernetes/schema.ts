import { z } from "zod";

/** What mcp-server-kubernetes answers, naming only the fields Insight reads (parse.ts reads the rest defensively). */

const object = z.record(z.string(), z.any());

/** `kubectl_get` of events: `{ events: [...] }`. */
export const eventsAnswer = z.looseObject({ events: z.array(object).optional() });

/** `kubectl_get … output=json` of one object (a deployment). */
export const objectAnswer = z.looseObject({ metadata: z.looseObject({ name: z.string().optional() }).optional(), spec: object.optional() });

/** `kubectl_logs`. */
export const logsAnswer = z.looseObject({ logs: z.string().optional() });
