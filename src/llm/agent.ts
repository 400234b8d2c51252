import type Anthropic from "@anthropic-ai/sdk";
import type { Logger } from "probot";
import { z } from "zod";
import { redact } from "../security/redact.js";
import { ToolRefusal } from "./tool-scope.js";

/** A read-only tool the model may call; its answer is evidence `tool:<step>.<n>`. */
export type AgentTool = {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  run(input: unknown, signal: AbortSignal): Promise<string>;
};

export type AgentBudgets = { maxSteps: number; tokenBudget: number; outputTokens: number; timeoutMs: number };
export type Usage = { input: number; output: number };

export type AgentResult<T> =
  | {
      status: "ok";
      output: T;
      steps: number;
      usage: Usage;
      toolEvidence: Map<string, string>;
      refusedCalls: string[];
      scopeRefusals: string[];
    }
  | {
      status: "failed";
      reason: string;
      steps: number;
      usage: Usage;
      toolEvidence: Map<string, string>;
      refusedCalls: string[];
      scopeRefusals: string[];
    };

const TOOL_RESULT_CHARS = 8_000;

/**
 * The tool loop over the Messages API: the model reads the evidence, may call the read-only tools
 * it was given, and must end by calling the submit tool, whose input is checked against the
 * report's schema (a bad submission goes back to it as a tool error). Bounded by steps, tokens and
 * wall time; each tool answer is redacted and cut; a tool that fails, or that does not exist, is
 * answered as an error result, never executed. Any API failure ends the loop as `failed`, with
 * the reason: the caller keeps the deterministic report.
 */
export async function runAgent<T>(params: {
  client: Anthropic;
  model: string;
  system: string;
  prompt: string;
  tools: AgentTool[];
  submit: { name: string; description: string; schema: z.ZodType<T> };
  budgets: AgentBudgets;
  log?: Pick<Logger, "info" | "warn">;
}): Promise<AgentResult<T>> {
  const { client, model, system, tools, submit, budgets } = params;
  const usage: Usage = { input: 0, output: 0 };
  const toolEvidence = new Map<string, string>();
  const refusedCalls: string[] = [];
  const scopeRefusals: string[] = [];
  const deadline = AbortSignal.timeout(budgets.timeoutMs);
  const submitSchema = z.toJSONSchema(submit.schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const toolDefs = [
    ...tools.map((t) => ({ name: t.name, description: t.description, input_schema: { type: "object" as const, ...t.inputSchema } })),
    { name: submit.name, description: submit.description, input_schema: { ...submitSchema, type: "object" as const } },
  ];
  const messages: Anthropic.MessageParam[] = [{ role: "user", content: params.prompt }];
  const failed = (reason: string, steps: number): AgentResult<T> => ({
    status: "failed",
    reason,
    steps,
    usage,
    toolEvidence,
    refusedCalls,
    scopeRefusals,
  });

  for (let step = 1; step <= budgets.maxSteps; step++) {
    if (deadline.aborted) return failed(`no submission within ${budgets.timeoutMs} ms`, step - 1);
    if (usage.input + usage.output >= budgets.tokenBudget)
      return failed(`token budget of ${budgets.tokenBudget} spent before a submission`, step - 1);
    let response: Anthropic.Message;
    try {
      response = await client.messages.create(
        { model, system, max_tokens: budgets.outputTokens, tools: toolDefs, messages },
        { signal: deadline },
      );
    } catch (err) {
      return failed(describeApiError(err), step - 1);
    }
    usage.input += response.usage.input_tokens;
    usage.output += response.usage.output_tokens;
    messages.push({ role: "assistant", content: response.content });
    const calls = response.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
    if (calls.length === 0) {
      if (step === budgets.maxSteps) break;
      messages.push({ role: "user", content: `Finish by calling ${submit.name}; only its input is read.` });
      continue;
    }
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const [n, call] of calls.entries()) {
      if (call.name === submit.name) {
        const parsed = submit.schema.safeParse(call.input);
        if (parsed.success) return { status: "ok", output: parsed.data, steps: step, usage, toolEvidence, refusedCalls, scopeRefusals };
        results.push({
          type: "tool_result",
          tool_use_id: call.id,
          is_error: true,
          content: `Invalid submission: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
        });
        continue;
      }
      const tool = tools.find((t) => t.name === call.name);
      if (!tool) {
        refusedCalls.push(call.name);
        results.push({
          type: "tool_result",
          tool_use_id: call.id,
          is_error: true,
          content: `There is no tool "${call.name}". Only these read-only tools exist: ${tools.map((t) => t.name).join(", ")}, and ${submit.name}.`,
        });
        continue;
      }
      const id = `tool:${step}.${n + 1}`;
      try {
        const text = clip(redact(await tool.run(call.input, deadline)), TOOL_RESULT_CHARS);
        toolEvidence.set(id, text);
        results.push({ type: "tool_result", tool_use_id: call.id, content: `evidence id: ${id}\n${text}` });
      } catch (err) {
        if (err instanceof ToolRefusal) {
          // Outside the incident's scope: never sent to the server; the model is told why, the report counts it.
          scopeRefusals.push(`${call.name}: ${err.message}`);
          params.log?.warn({ tool: call.name, reason: err.message }, "Model tool call refused (outside the incident's scope)");
          results.push({
            type: "tool_result",
            tool_use_id: call.id,
            is_error: true,
            content: clip(`Refused: ${err.message}. Stay within this incident's resources.`, 1_000),
          });
          continue;
        }
        results.push({
          type: "tool_result",
          tool_use_id: call.id,
          is_error: true,
          content: clip(redact(`The tool failed: ${(err as Error).message}`), 1_000),
        });
      }
    }
    messages.push({ role: "user", content: results });
    if (response.stop_reason === "max_tokens") params.log?.warn({ step }, "Model answer hit max_tokens");
  }
  return failed(`no submission in ${budgets.maxSteps} steps`, budgets.maxSteps);
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}\n… (cut at ${n} characters)` : s);

/**
 * One line for the report: the API's own error type and status when it gave one. Read from the
 * error's shape (status, error body, name) so this module does not load the SDK.
 */
export function describeApiError(err: unknown): string {
  const e = err as { name?: string; message?: string; status?: number; error?: { error?: { type?: string; message?: string } } };
  const type = e?.error?.error?.type;
  if (e?.name === "APIConnectionTimeoutError") return "the model API did not answer in time";
  if (e?.status === 429) return `rate limited by the model API (429${type ? ` ${type}` : ""})`;
  if (e?.status === 529 || type === "overloaded_error") return "the model API is overloaded (529)";
  if (typeof e?.status === "number")
    return `the model API answered ${e.status}${type ? ` ${type}` : ""}${e.error?.error?.message ? `: ${e.error.error.message}` : ""}`;
  if (e?.name === "APIConnectionError") return `the model API could not be reached (${e.message})`;
  if (e?.name === "AbortError" || e?.name === "TimeoutError" || e?.name === "APIUserAbortError") return "the analysis ran out of time";
  return `the model call failed: ${e?.message ?? String(err)}`;
}
