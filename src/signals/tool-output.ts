import type { z } from "zod";
/**
 * What an MCP tool answered, made uniform. Servers report failure three ways: a thrown JSON-RPC
 * error (-32603), `isError: true` with a message, or — @elastic/mcp-server-elasticsearch 0.3.x —
 * plain text starting `Error:` with no flag at all. All three become `ToolFailure`.
 */
export type ToolOutput = {
  texts: string[];
  structured?: unknown;
  bytes: number;
};

export class ToolFailure extends Error {
  constructor(
    message: string,
    readonly tool: string,
  ) {
    super(message);
    this.name = "ToolFailure";
  }
}

type RawResult = { content?: Array<{ type: string; text?: string }>; structuredContent?: unknown; isError?: boolean };

export function toToolOutput(tool: string, raw: unknown, maxBytes: number): ToolOutput {
  const result = (raw ?? {}) as RawResult;
  const texts = (result.content ?? []).filter((c) => c.type === "text" && typeof c.text === "string").map((c) => c.text!);
  const bytes =
    texts.reduce((n, t) => n + Buffer.byteLength(t), 0) + (result.structuredContent ? JSON.stringify(result.structuredContent).length : 0);
  if (bytes > maxBytes) {
    throw new ToolFailure(
      `${tool} answered ${(bytes / 1_048_576).toFixed(1)} MB, over the ${(maxBytes / 1_048_576).toFixed(1)} MB cap`,
      tool,
    );
  }
  if (result.isError) throw new ToolFailure(firstLine(texts.join(" ")) || `${tool} reported an error`, tool);
  if (texts.length > 0 && /^Error:/.test(texts[0]!.trimStart())) throw new ToolFailure(firstLine(texts[0]!), tool);
  return { texts, structured: result.structuredContent, bytes };
}

const firstLine = (text: string) => text.trim().split("\n")[0]!.slice(0, 300);

/** Parses the first text part that is JSON; throws a ToolFailure naming the tool when none is. */
export function jsonOf<T = unknown>(output: ToolOutput, tool: string): T {
  for (const text of output.texts) {
    const trimmed = text.trim();
    if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) continue;
    try {
      return JSON.parse(trimmed) as T;
    } catch {
      // try the next part
    }
  }
  throw new ToolFailure(`${tool} did not answer JSON: ${firstLine(output.texts.join(" ")) || "(empty)"}`, tool);
}

/**
 * The first JSON part of an answer, checked against the adapter's schema (its `schema.ts`). A reply
 * of another shape is a ToolFailure naming the field and what was wrong, so the read is noted and
 * the source reported as unreadable, never a crash deeper in the adapter.
 */
export function replyOf<S extends z.ZodType>(output: ToolOutput, tool: string, schema: S): z.infer<S> {
  return checkReply(jsonOf(output, tool), tool, schema);
}

/** A reply already parsed from another format (YAML, structured content), checked as `replyOf` checks JSON. */
export function checkReply<S extends z.ZodType>(value: unknown, tool: string, schema: S): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = deepest(parsed.error.issues);
  const field = issue.path.length ? issue.path.map(String).join(".") : "(the reply)";
  throw new ToolFailure(`${tool} answered an unexpected shape: ${field} → ${issue.message}`, tool);
}

/** The issue to show: for a reply matching none of several shapes, the one that got furthest into the reply. */
function deepest(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const first = issues[0]!;
  if (first.code !== "invalid_union" || !first.errors.length) return first;
  const inner = first.errors.map((branch) => deepest(branch)).sort((a, b) => b.path.length - a.path.length)[0]!;
  return { ...inner, path: [...first.path, ...inner.path] };
}
