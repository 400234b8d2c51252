import { z } from "zod";

/**
 * The Kubernetes servers' replies, naming only the fields the adapter reads (shapes from the
 * transcripts in shared/reference/mcp-servers: flux159 is mcp-server-kubernetes 4.1.7, kmcp is
 * kubernetes-mcp-server 0.0.67). Other fields are dropped; a reply without a field the adapter
 * needs fails with the tool and the field named (`replyOf`, `checkReply`). Tables (pods,
 * deployments, top) are read by their headers in parse.ts; the diagnosis's objects of every kind
 * by objects.ts.
 */

/** Kubernetes quantities are strings (`250m`, `512Mi`), but YAML reads a bare `1` as a number. */
const quantity = z.union([z.string(), z.number()]).transform(String);

/** One event of mcp-server-kubernetes' `kubectl_get` of events (core/v1 Event, JSON). */
const jsonEvent = z.object({
  type: z.string(),
  reason: z.string(),
  message: z.string().optional(),
  involvedObject: z.object({ kind: z.string().optional(), name: z.string().optional(), namespace: z.string().optional() }),
  // Events recorded through events.k8s.io leave these null and set eventTime.
  firstTimestamp: z.string().nullish(),
  lastTimestamp: z.string().nullish(),
  eventTime: z.string().nullish(),
  count: z.number().nullish(),
});

/** `kubectl_get {resourceType: "events"}`: `{ events: [...] }`. */
export const eventsAnswer = z.object({ events: z.array(jsonEvent) });
export type EventsAnswer = z.infer<typeof eventsAnswer>;

/** kubernetes-mcp-server's `events_list`: a YAML list (after a `#` comment line) of its own event summary. */
export const yamlEvents = z.array(
  z.object({
    Type: z.string(),
    Reason: z.string(),
    Message: z.string().optional(),
    InvolvedObject: z.object({ Kind: z.string().optional(), Name: z.string().optional() }).optional(),
    Namespace: z.string().optional(),
    // `2026-11-23 19:59:24 +0000 UTC`; YAML may read a bare date-time as a Date.
    Timestamp: z.union([z.string(), z.date().transform((d) => d.toISOString())]).optional(),
  }),
);

/** mcp-server-kubernetes' `kubectl_logs`: `{ name, logs }`. */
export const logsAnswer = z.object({ logs: z.string() });

const container = z.object({
  name: z.string(),
  image: z.string().optional(),
  resources: z
    .object({ limits: z.record(z.string(), quantity).optional(), requests: z.record(z.string(), quantity).optional() })
    .optional(),
  env: z.array(z.object({ name: z.string(), value: z.unknown().optional() })).optional(),
});

/**
 * One Deployment (`kubectl_get … output=json`, or kubernetes-mcp-server's `resources_get` YAML):
 * its name and annotations, replicas and the pod template's containers and scheduling rules.
 */
export const deploymentAnswer = z.object({
  metadata: z.object({ name: z.string(), annotations: z.record(z.string(), z.string()).optional() }),
  spec: z.object({
    replicas: z.number().optional(),
    template: z.object({
      spec: z.object({
        containers: z.array(container),
        // Compared as compact JSON only: their inner shape is Kubernetes' and not read field by field.
        affinity: z.unknown().optional(),
        nodeSelector: z.record(z.string(), z.string()).optional(),
        tolerations: z.array(z.unknown()).optional(),
      }),
    }),
  }),
});
export type DeploymentObject = z.infer<typeof deploymentAnswer>;

/** CronJobs as kubectl's objects (`kubectl_get cronjobs -o yaml`): name, schedule, suspension, last run. */
export const cronJobList = z.array(
  z.object({
    metadata: z.object({ name: z.string() }),
    spec: z.object({ schedule: z.string(), suspend: z.boolean().optional() }),
    status: z.object({ lastScheduleTime: z.string().optional() }).optional(),
  }),
);
