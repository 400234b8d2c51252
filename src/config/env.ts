import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError, formatIssues } from "./format-issues.js";

const flag = z
  .enum(["0", "1", "true", "false", "yes", "no", ""])
  .optional()
  .transform((v) => v === "1" || v === "true" || v === "yes");

const url = (what: string) => z.url({ message: `must be a URL (${what})` });

const positiveInt = (fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: "must be a whole number" })
    .optional()
    .transform((v) => (v === undefined ? fallback : Number(v)));

/**
 * The operator's environment. Every variable is documented in `.env.example`; a bad one stops
 * start-up with a message naming it. GitHub credentials are optional here because Probot's setup
 * wizard runs without them; `requireCredentials` enforces them for the real server.
 */
export const envSchema = z.object({
  APP_ID: z.string().regex(/^\d+$/, { message: "must be the numeric App ID" }).optional(),
  PRIVATE_KEY: z
    .string()
    .refine((v) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v) || /^[A-Za-z0-9+/=\s]{100,}$/.test(v), {
      message: "must be a PEM private key (or its base64 encoding)",
    })
    .optional(),
  PRIVATE_KEY_PATH: z
    .string()
    .refine((p) => existsSync(p), { message: "file does not exist" })
    .refine((p) => !existsSync(p) || /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(readFileSync(p, "utf8").slice(0, 64 * 1024)), {
      message: "file is not a PEM private key",
    })
    .optional(),
  WEBHOOK_SECRET: z.string().min(1).optional(),
  INSIGHT_SIGNING_SECRET: z.string().min(32, { message: "must be at least 32 characters (e.g. `openssl rand -hex 32`)" }).optional(),
  WEBHOOK_PROXY_URL: url("a smee.io channel").optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  GHE_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, { message: "must be a host name such as github.example.com, without scheme" })
    .optional(),
  GHE_PROTOCOL: z.enum(["https", "http"], { message: "must be https (or http for a test server)" }).default("https"),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: url("an Anthropic-compatible endpoint").optional(),
  INSIGHT_MODEL: z.string().min(1).default("claude-sonnet-5-5"),
  INSIGHT_LLM_MAX_STEPS: positiveInt(8),
  INSIGHT_LLM_TOKEN_BUDGET: positiveInt(120_000),
  INSIGHT_LLM_OUTPUT_TOKENS: positiveInt(2_048),
  INSIGHT_LLM_TIMEOUT_MS: positiveInt(90_000),
  INSIGHT_LLM_PACK_TOKENS: positiveInt(20_000),
  INSIGHT_MCP_CONFIG: z
    .string()
    .refine((p) => existsSync(p), { message: "file does not exist" })
    .optional(),
  INSIGHT_DRY_RUN: flag,
  INSIGHT_DATA_DIR: z.string().min(1).default(".insight"),
  INSIGHT_AUDIT_PATH: z.string().min(1).optional(),
  INSIGHT_CONCURRENCY: positiveInt(4),
  INSIGHT_DEBOUNCE_MS: positiveInt(10_000),
  INSIGHT_DRAIN_TIMEOUT_MS: positiveInt(30_000),
  INSIGHT_HEALTH_INTERVAL: z
    .string()
    .regex(/^\d{1,4}(m|h|d)$/, { message: "a duration such as 6h or 1d" })
    .optional(),
  INSIGHT_HEALTH_JITTER: z
    .string()
    .regex(/^0(\.\d+)?$|^1(\.0+)?$/, { message: "a share of the interval between 0 and 1" })
    .optional()
    .transform((v) => (v === undefined ? 0.2 : Number(v))),
  /** Probot's own: its Octokit throttling shares rate-limit state through this Redis (ioredis is a dependency for it). */
  REDIS_URL: url("redis://host:6379").optional(),
  INSIGHT_QUEUE: z.enum(["memory", "redis"], { message: "must be memory (one process) or redis (BullMQ, with workers)" }).default("memory"),
  INSIGHT_REDIS_URL: url("redis://host:6379/0").optional(),
  INSIGHT_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,40}$/, { message: "letters, digits, : _ - (at most 40)" })
    .default("insight"),
  INSIGHT_JOB_ATTEMPTS: positiveInt(3),
  INSIGHT_INSTALLATION_CONCURRENCY: positiveInt(2),
  /** A worker's job lock: a killed worker's job runs elsewhere after about this long. */
  INSIGHT_JOB_LOCK_MS: positiveInt(30_000),
  INSIGHT_DATABASE_URL: url("postgres://user@host/db").optional(),
  EVOMAP_ENABLED: flag,
  EVOMAP_HUB_URL: url("the EvoMap hub").default("https://evomap.ai"),
  EVOMAP_NODE_FILE: z.string().min(1).optional(),
});

export type OperatorEnv = z.infer<typeof envSchema> & { auditPath: string };

/** Parses the environment; throws a ConfigError naming each bad variable. */
export function loadEnv(
  env: Record<string, string | undefined> = process.env,
  options: { requireCredentials?: boolean; hint?: string } = {},
): OperatorEnv {
  // Empty strings in .env files mean "not set".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) throw new ConfigError("environment", formatIssues(parsed.error));
  const value = parsed.data;
  if (options.requireCredentials) {
    const missing: string[] = [];
    if (!value.APP_ID) missing.push("APP_ID → required (the App ID from the App's settings page)");
    if (!value.PRIVATE_KEY && !value.PRIVATE_KEY_PATH) missing.push("PRIVATE_KEY or PRIVATE_KEY_PATH → required");
    if (!value.WEBHOOK_SECRET) missing.push("WEBHOOK_SECRET → required: unsigned webhooks are refused");
    if (missing.length) throw new ConfigError("environment", options.hint ? [...missing, options.hint] : missing);
  }
  if (value.INSIGHT_QUEUE === "redis" && !value.INSIGHT_REDIS_URL) {
    throw new ConfigError("environment", [
      "INSIGHT_REDIS_URL → required when INSIGHT_QUEUE=redis (REDIS_URL is Probot's throttling store, not the queue)",
    ]);
  }
  return { ...value, auditPath: value.INSIGHT_AUDIT_PATH ?? `${value.INSIGHT_DATA_DIR}/audit.jsonl` };
}

export { applyDotEnv, credentialState, envWarnings } from "./dotenv.js";
