import { getTransformStream } from "@probot/pino";
import pino, { type DestinationStream, type Logger } from "pino";
import { redact, redactDeep } from "./redact.js";

/** Keys whose string values are secrets whatever they look like (`{ password: "plain" }`, a header map). */
const SECRET_KEY =
  /pass(?:word|wd|phrase)?$|secret|token$|^authorization$|^cookie$|^set-cookie$|api[-_]?key|private[-_]?key|credentials?$|^sig$/i;

function scrub(value: unknown, key = ""): unknown {
  if (typeof value === "string") return SECRET_KEY.test(key) && value.length > 0 ? "[REDACTED:by-key]" : redact(value);
  if (Array.isArray(value)) return redactDeep(value.map((v) => scrub(v)));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, k)]));
  return value;
}

/**
 * One serialised log line, redacted: every string value (the message, an error's message and
 * stack, bindings of child loggers, nested objects) goes through `redact`, and values under
 * secret-named keys are masked whatever they look like. A line that is not JSON is redacted as
 * text. This runs on the line pino is about to write, so nothing the app or Probot logs escapes it.
 */
export function redactLogLine(line: string): string {
  const end = line.endsWith("\n") ? "\n" : "";
  try {
    return JSON.stringify(scrub(JSON.parse(line))) + end;
  } catch {
    return redact(line);
  }
}

/** A pino logger whose every line is redacted before it is written (`hooks.streamWrite`); child loggers inherit the hook. */
export function createLogger(options: { level?: string; name?: string } = {}, stream?: DestinationStream): Logger {
  const opts = { level: options.level ?? "info", ...(options.name ? { name: options.name } : {}), hooks: { streamWrite: redactLogLine } };
  return stream ? pino(opts, stream) : pino(opts);
}

/**
 * The server's logger, given to Probot's `run` so that Probot's own lines are redacted too: the
 * same output as Probot's default (LOG_FORMAT pretty or json, LOG_LEVEL_IN_STRING, SENTRY_DSN,
 * LOG_MESSAGE_KEY), with the redaction hook in front of its transform stream.
 */
export async function createServerLogger(level: string, env: NodeJS.ProcessEnv = process.env): Promise<Logger> {
  const transform = await getTransformStream({
    logFormat: env.LOG_FORMAT === "json" || env.LOG_FORMAT === "pretty" ? env.LOG_FORMAT : undefined,
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    sentryDsn: env.SENTRY_DSN,
  });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino({ level, name: "probot", messageKey: env.LOG_MESSAGE_KEY || "msg", hooks: { streamWrite: redactLogLine } }, transform);
}
