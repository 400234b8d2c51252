import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { createFixtureServer, FIXTURE_FLAVOURS } from "../../fixtures/mcp/fixture-server.js";
import type { Scenario } from "../../fixtures/mcp/scenario.js";
import type { TransportFactory } from "../../src/signals/mcp-pool.js";
import { pinClock } from "./pinned-clock.js";

/**
 * Transports to in-memory fixture servers: server name → fixture flavour id. Each connect starts
 * a fresh fixture server (as a restarted process would); `crash` faults close its transport.
 */
export function fixtureTransport(
  flavours: Record<string, string>,
  scenario: Scenario,
  counters: { starts: number } = { starts: 0 },
): TransportFactory {
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

/**
 * The app-level sources of the end-to-end tests: four fixture servers (metrics, db, k8s, apm)
 * playing `production` at its own `now`, allowed for `owner/*`, behind one pool. The app reads the
 * clock itself, so the file's `Date` is pinned to that `now` (timers stay real).
 */
export async function liveSources(owner: string, tweak?: (scenario: Scenario) => void) {
  const { parseMcpServers } = await import("../../src/config/mcp-servers.js");
  const { McpPool } = await import("../../src/signals/mcp-pool.js");
  const { ADAPTERS } = await import("../../src/signals/adapters/registry.js");
  const { production } = await import("./scenario.js");
  const { silent } = await import("./collect.js");
  const live = structuredClone(production);
  tweak?.(live);
  pinClock(Date.parse(live.now!));
  const mcpServers = parseMcpServers({
    mcpServers: Object.fromEntries(
      Object.entries({ metrics: "prometheus", db: "postgres", k8s: "kubernetes", apm: "skywalking" }).map(([n, a]) => [
        n,
        { command: "fixture", insight: { adapter: a, repositories: [`${owner}/*`] } },
      ]),
    ),
  });
  const pool = new McpPool(mcpServers, {
    log: silent,
    transport: fixtureTransport({ metrics: "mcp-prometheus", db: "dbhub", k8s: "kubernetes-mcp-server", apm: "skywalking-mcp" }, live),
  });
  return { pool, mcpServers, adapters: ADAPTERS };
}
