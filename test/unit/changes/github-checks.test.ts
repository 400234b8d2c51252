import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { actionsLog, failedCheckLog, readTail } from "../../../src/changes/github-checks.js";

/**
 * The denial of service of the security review: a CI job's log was downloaded whole before being
 * cut to its last 5 MB. It is read as a stream now: a log whose size is known is read from its
 * tail (a range request to the storage the API redirected to), one of unknown size is read until
 * 20 MB and the request aborted. The bodies here are lazy streams that count what was pulled.
 */
const MB = 1024 * 1024;
const LAST = "2026-11-24T01:09:59Z Error: connect ECONNREFUSED 127.0.0.1:5432 at the very end";
const STORAGE = "https://results-receiver.actions.githubusercontent.com/logs/901.txt?sig=abc";

/** A log body produced on demand, 64 KB per pull, ending with LAST; `pulled` counts bytes handed out, `cancelled` the abort. */
function lazyLog(bytes: number) {
  const state = { pulled: 0, cancelled: false };
  const line = Buffer.from("2026-11-24T01:00:00Z INFO still running a very long test suite\n");
  const block = Buffer.concat(Array(Math.ceil((64 * 1024) / line.length)).fill(line)).subarray(0, 64 * 1024);
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const left = bytes - state.pulled;
        if (left <= 0) return controller.close();
        const chunk =
          left > block.length
            ? block
            : Buffer.concat([Buffer.alloc(Math.max(0, left - LAST.length - 1), 32), Buffer.from(`\n${LAST}`)]).subarray(-left);
        state.pulled += chunk.length;
        controller.enqueue(new Uint8Array(chunk));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const octokitAnswering = (body: ReadableStream<Uint8Array>, headers: Record<string, string>) => {
  const calls: unknown[] = [];
  const request = async (_route: string, params: unknown) => (calls.push(params), { data: body, headers, url: STORAGE, status: 200 });
  return { octokit: { request } as never, calls };
};

describe("CI log read as a stream (attack of the security review)", () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("reads a 40 MB log of known size from its tail with a range request, and cancels the full download", async () => {
    const full = lazyLog(40 * MB);
    const tail = lazyLog(5 * MB);
    const { octokit, calls } = octokitAnswering(full.stream, { "content-length": String(40 * MB) });
    const fetchSpy = jest.spyOn(globalThis, "fetch").mockImplementation(async (_url, init) => {
      expect(new Headers(init?.headers).get("range")).toBe(`bytes=${35 * MB}-`);
      expect(new Headers(init?.headers).get("authorization")).toBeNull(); // no GitHub credential to the storage host
      return new Response(tail.stream, { status: 206 });
    });
    const log = await actionsLog(octokit, { owner: "acme", repo: "api" }, 901, AbortSignal.timeout(30_000));
    expect(calls[0]).toMatchObject({ job_id: 901, request: { parseSuccessResponseBody: false } });
    expect(fetchSpy).toHaveBeenCalledWith(STORAGE, expect.anything());
    expect(full.state.pulled).toBeLessThan(1 * MB);
    expect(full.state.cancelled).toBe(true);
    expect(log.text.endsWith(LAST)).toBe(true);
    expect(log.note).toBe("The log is 40.0 MB; its last 5 MB were read.");
  });

  it("stops reading a log of unknown size at 20 MB, keeps the last 5 MB read and cancels the request", async () => {
    const body = lazyLog(60 * MB);
    const { octokit } = octokitAnswering(body.stream, {});
    const log = await actionsLog(octokit, { owner: "acme", repo: "api" }, 901, AbortSignal.timeout(30_000));
    expect(body.state.pulled).toBeLessThanOrEqual(20 * MB + 64 * 1024);
    expect(body.state.cancelled).toBe(true);
    expect(Buffer.byteLength(log.text)).toBeLessThanOrEqual(5 * MB);
    expect(log.note).toBe(
      "The log is larger than 20 MB: reading stopped there, and the last 5 MB read were used (the end of the log was not seen).",
    );
  });

  it("reads a small log whole", async () => {
    const r = await readTail(lazyLog(3 * 1024).stream, 5 * MB, 20 * MB);
    expect(r).toMatchObject({ complete: true, read: 3 * 1024 });
    expect(r.text.endsWith(LAST)).toBe(true);
  });
});

describe("a failed check's log", () => {
  const repo = { owner: "acme", repo: "api" };
  const run = (app: string, output = { title: "ESLint found 2 problems", summary: "src/a.ts:7:3 error 'x' is never used" }) => ({
    id: 901,
    name: "lint",
    status: "completed",
    conclusion: "failure",
    app,
    output,
  });
  const failing = (error: unknown) => ({ request: async () => Promise.reject(error) }) as never;

  it("is the check's output text for another CI, and says when there is none", async () => {
    const never = { request: async () => Promise.reject(new Error("no log download for another CI")) } as never;
    expect(await failedCheckLog(never, repo, run("circleci-checks"))).toEqual({
      text: "ESLint found 2 problems\nsrc/a.ts:7:3 error 'x' is never used",
      from: "output",
    });
    expect(await failedCheckLog(never, repo, run("circleci-checks", { title: "", summary: "" }))).toEqual({ text: "", from: "none" });
  });

  it("falls back to the output text when the Actions log expired, and says why", async () => {
    const log = await failedCheckLog(failing(Object.assign(new Error("Gone"), { status: 410 })), repo, run("github-actions"));
    expect(log).toMatchObject({ from: "output", note: "The job's log could not be read (HTTP 410); the check's output text was used." });
    expect(log.text).toContain("ESLint found 2 problems");
  });

  it("gives up on a log that does not come within the timeout", async () => {
    const hanging = {
      request: (_route: string, params: { request: { signal: AbortSignal } }) =>
        new Promise((_resolve, reject) => params.request.signal.addEventListener("abort", () => reject(params.request.signal.reason))),
    } as never;
    const log = await failedCheckLog(hanging, repo, run("github-actions"), 20);
    expect(log).toMatchObject({ from: "output", note: "The job's log did not download within 0.02 s; the check's output text was used." });
  });

  it("lets an unexpected API error through", async () => {
    await expect(failedCheckLog(failing(Object.assign(new Error("boom"), { status: 500 })), repo, run("github-actions"))).rejects.toThrow(
      "boom",
    );
  });
});
