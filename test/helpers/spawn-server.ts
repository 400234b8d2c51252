import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { createServer } from "node:net";

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One HTTP request through node:http (nock-free), resolving even on error statuses. */
export function httpCall(port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: data }));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A child process in its own process group (so `killGroup` also reaches anything it left behind),
 * with its output collected and its exit as a promise that gives up after `exitTimeoutMs`.
 */
export function startProcess(command: string, args: string[], options: { cwd: string; env: Record<string, string | undefined> }) {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (c) => (output += c));
  child.stderr!.on("data", (c) => (output += c));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return {
    child,
    output: () => output,
    exited: (exitTimeoutMs = 30_000) =>
      Promise.race([exit, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), exitTimeoutMs).unref())]),
    killGroup: (signal: NodeJS.Signals = "SIGKILL") => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // The group is gone already.
      }
    },
  };
}
