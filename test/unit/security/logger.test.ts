import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "@jest/globals";
import { parseMcpServers } from "../../../src/config/mcp-servers.js";
import { createLogger, redactLogLine } from "../../../src/security/logger.js";
import { McpPool } from "../../../src/signals/mcp-pool.js";

const PW = "Mcp/S3cret@pw9";
const URL_WITH_PW = `https://insight:${encodeURIComponent(PW)}@mcp.internal.example/mcp`;

function capture() {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) } };
}

describe("the server's own log is redacted", () => {
  it("redacts the message, an error's message and stack, child bindings and secret-named keys", () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: "debug" }, stream);
    const child = log.child({ server: "k8s", url: `https://insight:${PW}@mcp.internal.example/mcp` });
    child.error(
      { err: new Error(`connect to ${URL_WITH_PW} failed`) },
      `MCP server https://insight:${PW}@mcp.internal.example/mcp unreachable`,
    );
    child.info({ headers: { Authorization: "Basic aW5zaWdodDpNY3AvUzNjcmV0", accept: "json" }, password: "plain" }, "request");
    const out = lines.join("");
    expect(lines).toHaveLength(2);
    expect(out).not.toContain(PW);
    expect(out).not.toContain(encodeURIComponent(PW));
    expect(out).not.toContain("aW5zaWdodDpNY3AvUzNjcmV0");
    expect(out).not.toContain('"plain"');
    expect(JSON.parse(lines[1]!).headers.accept).toBe("json");
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  });

  it("redacts a line that is not JSON as text", () => {
    expect(redactLogLine(`plain ${URL_WITH_PW}\n`)).not.toContain(encodeURIComponent(PW));
  });
});

describe("an MCP server URL with user:password", () => {
  it("sends the credentials as a Basic header, and neither the error nor the log holds the password", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(401, { "content-type": "text/plain" }).end("unauthorised");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const { lines, stream } = capture();
    const log = createLogger({ level: "debug" }, stream);
    const config = parseMcpServers({
      mcpServers: {
        k8s: {
          url: `http://insight:${encodeURIComponent(PW)}@127.0.0.1:${port}/mcp`,
          insight: { adapter: "kubernetes", repositories: ["acme/*"] },
        },
      },
    });
    const pool = new McpPool(config, { log, connectTimeoutMs: 5_000 });
    try {
      const err = await pool.connection("k8s").then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(Error);
      log.warn({ source: "k8s", err }, "Signal source unavailable");
      expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from(`insight:${PW}`).toString("base64")}`);
      expect(`${err!.message}\n${err!.stack}`).not.toContain(encodeURIComponent(PW));
      expect(lines.join("")).not.toContain(encodeURIComponent(PW));
    } finally {
      await pool.close();
      server.close();
    }
  }, 20_000);
});
