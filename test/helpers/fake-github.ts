import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Recorded = { method: string; path: string; body: unknown };
export type Route = (req: IncomingMessage, body: unknown) => { status: number; json?: unknown; text?: string } | undefined;

/**
 * A GitHub Enterprise-shaped API on 127.0.0.1 for tests that run the real server in a child
 * process (where nock cannot reach): Probot talks to it through GHE_HOST + GHE_PROTOCOL=http.
 * Unrouted requests get 404, like a missing resource on GitHub.
 */
export async function startFakeGitHub(routes: Route[]) {
  const requests: Recorded[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const body = raw ? JSON.parse(raw) : undefined;
    requests.push({ method: req.method!, path: req.url!, body });
    const answer = routes.map((r) => r(req, body)).find(Boolean) ?? { status: 404, json: { message: "Not Found" } };
    if (answer.text !== undefined) res.writeHead(answer.status, { "content-type": "text/plain; charset=utf-8" }).end(answer.text);
    else res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(answer.json ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Matches METHOD and a path (string or regex) under /api/v3. */
export const route =
  (method: string, path: string | RegExp, answer: { status: number; json?: unknown; text?: string }): Route =>
  (req) => {
    const p = (req.url ?? "").replace(/^\/api\/v3/, "").split("?")[0]!;
    const hit = req.method === method && (typeof path === "string" ? p === path : path.test(p));
    return hit ? answer : undefined;
  };
