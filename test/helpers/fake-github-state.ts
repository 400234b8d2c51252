import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Comment = { id: number; issue: number; body: string; user: { login: string; type: "Bot" } };
type Answer = { status: number; json?: unknown; headers?: Record<string, string> };
export type Hold = (method: string, path: string) => boolean;

/**
 * A stateful GitHub (Enterprise-shaped, /api/v3) over node:http for worker processes, which nock
 * cannot reach: installation tokens, pull requests and their files, check runs, labels and issue
 * comments that are really stored, so a test counts the comments a PR ends with. `hold` keeps the
 * answer to matching requests back (after storing their effect), so a test can kill the worker
 * that waits on it. `delayMs` answers every request late (a fixture workload for benchmarks).
 */
export async function startStatefulGitHub(options: { files?: string[]; delayMs?: number; hold?: Hold } = {}) {
  const comments: Comment[] = [];
  const checkRuns: Array<{ repo: string; body: unknown }> = [];
  const requests: Array<{ method: string; path: string; status?: number }> = [];
  const held: Array<() => void> = [];
  const rateLimited = new Map<string, number>();
  let nextId = 1000;
  const files = options.files ?? ["src/payments/charge.ts", "migrations/20240101_add_index.sql"];

  function answer(method: string, path: string, body: Record<string, unknown> | undefined): Answer {
    let m: RegExpMatchArray | null;
    if ((m = path.match(/^\/app\/installations\/(\d+)\/access_tokens$/)) && method === "POST")
      return { status: 201, json: { token: `ghs_fake${m[1]}`, expires_at: "2099-01-01T00:00:00Z" } };
    if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/(.*)$/))) {
      const [, owner, repo, rest] = m;
      const full = `${owner}/${repo}`;
      const limitedUntil = rateLimited.get(full);
      if (limitedUntil && Date.now() < limitedUntil)
        return {
          status: 403,
          json: { message: "You have exceeded a secondary rate limit." },
          headers: { "retry-after": String(Math.ceil((limitedUntil - Date.now()) / 1000)) },
        };
      if (rest!.startsWith("contents/")) return { status: 404, json: { message: "Not Found" } };
      if ((m = rest!.match(/^git\/trees\/(\w+)$/)))
        return {
          status: 200,
          json: { sha: m[1], truncated: false, tree: files.map((path) => ({ path, mode: "100644", type: "blob", sha: "c".repeat(40) })) },
        };
      if ((m = rest!.match(/^pulls\/(\d+)$/))) return { status: 200, json: pull(Number(m[1])) };
      if ((m = rest!.match(/^pulls\/(\d+)\/files$/)))
        return {
          status: 200,
          json: files.map((filename) => ({
            filename,
            status: "modified",
            additions: 12,
            deletions: 3,
            changes: 15,
            patch: "@@ -1 +1 @@\n-a\n+b",
          })),
        };
      if (rest === "check-runs" && method === "POST") {
        checkRuns.push({ repo: full, body });
        return { status: 201, json: { id: nextId++ } };
      }
      if ((m = rest!.match(/^issues\/(\d+)\/labels/)))
        return { status: 200, json: method === "POST" ? ((body?.labels as string[]) ?? []).map((name) => ({ name })) : [] };
      if ((m = rest!.match(/^issues\/(\d+)\/comments$/))) {
        const issue = Number(m[1]);
        if (method === "GET")
          return { status: 200, json: comments.filter((c) => c.issue === issue && c.id > 0).map((c) => ({ ...c, repo: undefined })) };
        const c: Comment = { id: nextId++, issue, body: String(body?.body ?? ""), user: { login: "insight[bot]", type: "Bot" } };
        comments.push(c);
        return { status: 201, json: c };
      }
      if ((m = rest!.match(/^issues\/comments\/(\d+)$/)) && method === "PATCH") {
        const c = comments.find((x) => x.id === Number(m![1]));
        if (!c) return { status: 404, json: { message: "Not Found" } };
        c.body = String(body?.body ?? c.body);
        return { status: 200, json: c };
      }
      if ((m = rest!.match(/^issues\/(\d+)\/reactions$/))) return { status: 201, json: { id: 1 } };
    }
    return { status: 404, json: { message: "Not Found" } };
  }

  const pull = (number: number) => ({
    number,
    state: "open",
    draft: false,
    title: `PR ${number}`,
    body: "",
    user: { login: "dev", type: "User" },
    head: { sha: `${"a".repeat(39)}${number % 10}`, ref: `feature-${number}` },
    base: { sha: "b".repeat(40), ref: "main" },
    labels: [],
    changed_files: files.length,
    additions: 24,
    deletions: 6,
  });

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "").replace(/^\/api\/v3/, "").split("?")[0]!;
    const a = answer(req.method!, path, raw ? JSON.parse(raw) : undefined);
    requests.push({ method: req.method!, path, status: a.status });
    const send = () =>
      res.writeHead(a.status, { "content-type": "application/json; charset=utf-8", ...a.headers }).end(JSON.stringify(a.json ?? {}));
    if (options.hold?.(req.method!, path)) return held.push(send);
    if (options.delayMs) setTimeout(send, options.delayMs);
    else send();
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    comments,
    checkRuns,
    requests,
    held,
    /** Answers 403 with `retry-after` (a secondary rate limit) to this repository's requests for `ms`. */
    rateLimit: (fullName: string, ms: number) => rateLimited.set(fullName, Date.now() + ms),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
