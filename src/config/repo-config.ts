import { z } from "zod";

/**
 * `.github/insight.yml`: the repository's own settings. Every field has a doc comment and a
 * default, so no file means quiet, sensible behaviour. Objects are strict: a typo is reported
 * rather than silently ignored, and nothing here can name a command, a server or a URL to call —
 * repositories only choose among the sources the operator allowed them.
 */

/** Values that end up inside queries (label values, namespaces, names): no quoting characters. */
export const SAFE_VALUE = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;
const safeValue = (what: string) =>
  z.string().regex(SAFE_VALUE, { message: `${what} may contain only letters, digits and _ . : / - (max 128)` });
const safePattern = z
  .string()
  .regex(/^[A-Za-z0-9*][A-Za-z0-9_.*:-]{0,127}$/, { message: "an index pattern may contain letters, digits and _ . * : -" });
const fieldName = z.string().regex(/^[@A-Za-z_][A-Za-z0-9_.@-]{0,99}$/, { message: "a field name such as log.level or @timestamp" });
const duration = z.string().regex(/^\d{1,4}(m|h|d)$/, { message: "a duration such as 30m, 2h or 1d" });

import { LEVELS } from "../core/risk.js";

export { LEVELS, type RiskLevel } from "../core/risk.js";

const serviceSchema = z
  .object({
    paths: z.array(z.string().min(1)).default([]).describe("Globs of the files that belong to this service."),
    tier: z.enum(["critical", "high", "medium", "low"]).default("medium").describe("Business criticality."),
    dependsOn: z.array(safeValue("a service name")).default([]).describe("Services this one calls (adds to the topology from traces)."),
    kubernetes: z
      .object({
        namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "a Kubernetes namespace name" }),
        labels: z.record(z.string().regex(/^[A-Za-z0-9_./-]{1,253}$/), safeValue("a label value")).default({}),
        deployment: safeValue("a deployment name").optional(),
      })
      .strict()
      .optional()
      .describe("Where the service runs."),
    prometheus: z
      .object({ labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), safeValue("a label value")) })
      .strict()
      .optional()
      .describe("Label matchers that select this service's series, e.g. {service: api}."),
    skywalking: z
      .object({ service: safeValue("a SkyWalking service name") })
      .strict()
      .optional(),
    logs: z
      .object({
        index: safePattern,
        service: safeValue("a service field value").optional().describe("Value of the service field; default: the service's name."),
        fields: z
          .object({
            timestamp: fieldName.default("@timestamp"),
            level: fieldName.default("log.level"),
            message: fieldName.default("message"),
            service: fieldName.default("service.name"),
          })
          .strict()
          .prefault({})
          .describe("Field names in the index (ECS by default)."),
      })
      .strict()
      .optional()
      .describe("Log index (pattern), the service's value and the field names."),
    postgres: z
      .object({ database: safeValue("a database name").optional(), tables: z.array(safeValue("a table name")).default([]) })
      .strict()
      .optional(),
    redis: z
      .object({ server: safeValue("an MCP server name").optional() })
      .strict()
      .optional(),
    neo4j: z
      .object({ database: safeValue("a database name").default("neo4j") })
      .strict()
      .optional(),
  })
  .strict();

const commandSwitches = z
  .object({
    rca: z.boolean().default(true),
    impact: z.boolean().default(true),
    fix: z.boolean().default(true),
    approve: z.boolean().default(true),
    reject: z.boolean().default(true),
    rollback: z.boolean().default(true),
    health: z.boolean().default(true),
    postmortem: z.boolean().default(true),
    help: z.boolean().default(true),
  })
  .strict();

const promTemplate = z
  .string()
  .max(600)
  .refine((q) => q.includes("$selector"), { message: "a PromQL template must contain $selector (where the service's label matchers go)" });

const metricTemplates = z
  .object({
    requestRate: promTemplate.default("sum(rate(http_requests_total{$selector}[5m]))").describe("Requests per second."),
    errorRate: promTemplate
      .default('sum(rate(http_requests_total{$selector,code=~"5.."}[5m])) / sum(rate(http_requests_total{$selector}[5m]))')
      .describe("Share of requests that failed (0..1)."),
    latencyP95: promTemplate
      .default("histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{$selector}[5m])))")
      .describe("95th percentile latency in seconds."),
    memory: promTemplate
      .default("sum(process_resident_memory_bytes{$selector})")
      .describe("Resident memory in bytes (for the health scan's growth trends)."),
  })
  .strict();

export const repoConfigSchema = z
  .object({
    services: z
      .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, { message: "service names use letters, digits, _ . -" }), serviceSchema)
      .default({})
      .describe("The services of this repository and how to find them in each monitoring system."),
    impact: z
      .object({
        thresholds: z
          .object({
            medium: z.number().min(0).max(100).default(25),
            high: z.number().min(0).max(100).default(50),
            critical: z.number().min(0).max(100).default(75),
          })
          .strict()
          .prefault({})
          .refine((t) => t.medium < t.high && t.high < t.critical, { message: "thresholds must rise: medium < high < critical" })
          .describe("Score at which each risk level starts."),
        commentMinLevel: z.enum(LEVELS).default("low").describe("Lowest level that gets a PR comment (low PRs get a compact one)."),
        failCheckAt: z
          .enum(["auto", "never", ...LEVELS])
          .default("auto")
          .describe(
            "auto: the check's conclusion matches the risk (neutral below critical, action required at critical); a level: the check fails at that level and above (neutral below); never: always neutral.",
          ),
        labels: z.boolean().default(true).describe("Keep a risk:<level> label in sync."),
        drafts: z.boolean().default(false).describe("Analyse draft pull requests too."),
      })
      .strict()
      .prefault({}),
    incident: z
      .object({
        label: z.string().min(1).max(50).default("incident").describe("Label that turns an issue into an incident."),
        window: duration.default("2h").describe("Span before the issue that the analysis looks at, when the text names no time."),
        baseline: duration.default("24h").describe("Span before the window that counts as normal."),
        timezone: z
          .string()
          .refine(
            (tz) => {
              try {
                new Intl.DateTimeFormat("en", { timeZone: tz });
                return true;
              } catch {
                return false;
              }
            },
            {
              message: "an IANA time zone such as UTC or Europe/Paris",
            },
          )
          .default("UTC")
          .describe("Time zone of times written in issues without one."),
        triggeredBy: z.enum(["collaborators", "anyone"]).default("collaborators").describe("Who may start an RCA."),
        closeOnFixMerge: z.boolean().default(false).describe("Close the incident when its fix merges."),
      })
      .strict()
      .prefault({}),
    metrics: metricTemplates
      .prefault({})
      .describe("PromQL templates of the RED metrics; $selector becomes the service's prometheus.labels matchers."),
    commands: commandSwitches.prefault({}).describe("Slash commands switched on (all by default)."),
    approvers: z
      .object({
        users: z.array(z.string().regex(/^[A-Za-z0-9-]{1,39}$/, { message: "a GitHub user name" })).default([]),
        teams: z.array(z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { message: "org/team-slug" })).default([]),
        riskyFix: z
          .number()
          .int()
          .min(1)
          .max(5)
          .default(2)
          .describe("Approvals (by different people, none the requester) a fix needs when its own blast radius is high or critical."),
      })
      .strict()
      .prefault({})
      .describe("Who may approve fixes besides users with write access (never the requester alone)."),
    evomap: z
      .object({
        autoPublish: z.boolean().default(false).describe("Publish a capsule when a fix merges."),
        minConfidence: z.number().min(0).max(1).default(0.8).describe("Lowest RCA confidence that is published."),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RepoConfig = z.infer<typeof repoConfigSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;

/** The configuration of a repository without `.github/insight.yml`. */
export const DEFAULT_REPO_CONFIG: RepoConfig = repoConfigSchema.parse({});
