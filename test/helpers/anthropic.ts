import nock from "nock";

export const ANTHROPIC = "https://api.anthropic.test";
export type Turn = {
  content: Array<Record<string, unknown>>;
  stop_reason?: string;
  usage?: { input_tokens: number; output_tokens: number };
};

/** A Messages API answer in its real shape. */
export function message(turn: Turn, n: number) {
  return {
    id: `msg_01TEST${n}`,
    type: "message",
    role: "assistant",
    model: "claude-sonnet-5-5",
    content: turn.content,
    stop_reason: turn.stop_reason ?? (turn.content.some((c) => c.type === "tool_use") ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...(turn.usage ?? { input_tokens: 1000, output_tokens: 100 }) },
  };
}

export const toolUse = (id: string, name: string, input: unknown) => ({ type: "tool_use", id, name, input });
export const text = (t: string) => ({ type: "text", text: t });

/**
 * Scripted model turns: each POST /v1/messages gets the next turn (or an error as `[status, body]`);
 * every request body is kept for assertions.
 */
export function scriptModel(turns: Array<Turn | [number, unknown]>) {
  const requests: Array<Record<string, any>> = [];
  const scope = nock(ANTHROPIC);
  turns.forEach((turn, i) => {
    scope.post("/v1/messages").reply(async (req: Request) => {
      requests.push(JSON.parse(await req.text()) as Record<string, any>);
      if (Array.isArray(turn)) return [turn[0], turn[1], { "content-type": "application/json" }] as const;
      return [200, message(turn, i + 1), { "content-type": "application/json" }] as const;
    });
  });
  return { scope, requests };
}
