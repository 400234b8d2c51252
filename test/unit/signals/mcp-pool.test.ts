import { afterEach, describe, expect, it } from "@jest/globals";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { parseMcpServers } from "../../../src/config/mcp-servers.js";
import { McpPool } from "../../../src/signals/mcp-pool.js";
import { silent } from "../../helpers/collect.js";
import { ManualTimers } from "../../helpers/manual-timers.js";

const config = (concurrency = 4) =>
  parseMcpServers({ mcpServers: { db: { command: "fixture", insight: { adapter: "postgres", repositories: ["*/*"], concurrency } } } });

let pools: McpPool[] = [];
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});

describe("McpPool", () => {
  it("gives up connecting at connectTimeoutMs, on the pool's clock (no wall-clock wait)", async () => {
    const timers = new ManualTimers();
    // A server that never answers `initialize`: its end of the pair is never started.
    const pool = new McpPool(config(), {
      log: silent,
      connectTimeoutMs: 15_000,
      timers,
      transport: () => InMemoryTransport.createLinkedPair()[0],
    });
    pools.push(pool);
    const connecting = pool.connection("db");
    const outcome = connecting.then(
      () => "connected",
      (e: Error) => e.message,
    );
    // The deadline is armed once the SDK's client is loaded and the connect starts.
    while (timers.size === 0) await new Promise((r) => setImmediate(r));
    timers.advance(14_999);
    await Promise.resolve();
    expect(await Promise.race([outcome, Promise.resolve("still waiting")])).toBe("still waiting");
    timers.advance(1);
    expect(await outcome).toBe("connecting to db timed out after 15000 ms");
  });

  it("keeps at most `concurrency` calls in flight per server and runs the rest as calls end", async () => {
    let inFlight = 0;
    let most = 0;
    const waiting: Array<() => void> = [];
    const transport = () => {
      const [client, server] = InMemoryTransport.createLinkedPair();
      const mcp = new McpServer({ name: "slow", version: "1" }, { capabilities: { tools: {} } });
      mcp.registerTool("query", { description: "answers when the test lets it" }, async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise<void>((release) => waiting.push(release));
        inFlight--;
        return { content: [{ type: "text" as const, text: "ok" }] };
      });
      void mcp.connect(server);
      return client;
    };
    const pool = new McpPool(config(2), { log: silent, transport });
    pools.push(pool);
    const calls = Array.from({ length: 5 }, () => pool.callTool("db", "query", {}, { timeoutMs: 60_000 }));
    // Release one waiting call at a time, each time once two are in flight or nothing more can start.
    for (let released = 0; released < 5; released++) {
      while (waiting.length < Math.min(2, 5 - released)) await new Promise((r) => setImmediate(r));
      waiting.shift()!();
    }
    await Promise.all(calls);
    expect(most).toBe(2);
    expect(inFlight).toBe(0);
  });
});
