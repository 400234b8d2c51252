import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { createFixtureServer, FIXTURE_FLAVOURS } from "../../fixtures/mcp/fixture-server.js";
import type { Scenario } from "../../fixtures/mcp/scenario.js";
import type { TransportFactory } from "../../src/signals/mcp-pool.js";

/**
 * Transports to in-memory fixture servers: server name → fixture flavour id. Each connect starts
 * a fresh fixture server (as a restarted process would); `crash` faults close its transport.
 */
export function fixtureTransport(flavours: Record<string, string>, scenario: Scenario, counters: { starts: number } = { starts: 0 }): TransportFactory {
  return (name) => {
    const flavour = FIXTURE_FLAVOURS[flavours[name]!];
    if (!flavour) throw new Error(`no fixture flavour for ${name}`);
    const [client, server] = InMemoryTransport.createLinkedPair();
    counters.starts++;
    const fixture = createFixtureServer(flavour, scenario, { onCrash: () => void server.close() });
    void fixture.connect(server);
    return client;
  };
}
