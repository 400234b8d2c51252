import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { createFixtureServer, FIXTURE_FLAVOURS } from "../fixtures/mcp/fixture-server.js";
import { nowOf, type Scenario } from "../fixtures/mcp/scenario.js";
import { topology } from "../src/analysis/profile.js";
import { analyseIncident, type ChangeEvent, type Hypothesis, type RcaResult } from "../src/analysis/rca.js";
import { parseMcpServers } from "../src/config/mcp-servers.js";
import { repoConfigSchema } from "../src/config/repo-config.js";
import { ADAPTERS } from "../src/signals/adapters/registry.js";
import { collectSignals } from "../src/signals/collect.js";
import { McpPool } from "../src/signals/mcp-pool.js";
import type { Signal } from "../src/signals/types.js";

export type Truth = { change?: string; title?: string; category?: string; service?: string };
export type Incident = {
  name: string;
  description: string;
  window: { from: number; to: number };
  baseline?: number;
  sources: Record<string, string>;
  adapters: Record<string, string>;
  services: Record<string, unknown>;
  changes: Array<Omit<ChangeEvent, "at"> & { at: number }>;
  truth: Truth;
  production: Scenario;
};

export const INCIDENTS_DIR = join(process.cwd(), "fixtures", "incidents");

export function loadIncidents(dir = INCIDENTS_DIR): Incident[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({
      name: d.name,
      ...JSON.parse(readFileSync(join(dir, d.name, "incident.json"), "utf8")),
      production: JSON.parse(readFileSync(join(dir, d.name, "production.json"), "utf8")),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const matches = (h: Hypothesis, t: Truth) =>
  t.change ? h.suspect?.id === t.change : (!t.title || h.title.includes(t.title)) && (!t.category || h.category === t.category) && (!t.service || h.service === t.service);

/** Replays one incident: fixture servers in memory, collection over baseline + window, the engine. */
export async function replay(incident: Incident): Promise<RcaResult> {
  return (await replayEvidence(incident)).result;
}

/** The same replay, with the signals and changes the engine read. */
export async function replayEvidence(incident: Incident): Promise<{ result: RcaResult; signals: Signal[]; changes: ChangeEvent[] }> {
  const now = nowOf(incident.production);
  const config = repoConfigSchema.parse({ services: incident.services });
  const mcp = parseMcpServers({ mcpServers: Object.fromEntries(Object.entries(incident.adapters).map(([n, a]) => [n, { command: "fixture", insight: { adapter: a, repositories: ["*/*"] } }])) });
  const log = pino({ level: "silent" });
  const pool = new McpPool(mcp, {
    log,
    transport: (name) => {
      const [client, server] = InMemoryTransport.createLinkedPair();
      void createFixtureServer(FIXTURE_FLAVOURS[incident.sources[name]!]!, incident.production).connect(server);
      return client;
    },
  });
  try {
    const window = { from: now + incident.window.from * 1000, to: now + incident.window.to * 1000 };
    const collection = await collectSignals({
      pool, config: mcp, adapters: ADAPTERS, repo: undefined, log, metrics: config.metrics,
      services: Object.entries(config.services).map(([name, c]) => ({ name, config: c })),
      window: { from: window.from - (incident.baseline ?? 7200) * 1000, to: window.to },
    });
    const changes = incident.changes.map((c) => ({ ...c, at: now + c.at * 1000 }));
    return { result: analyseIncident({ signals: collection.signals, window, changes, edges: topology(collection, config).edges }), signals: collection.signals, changes };
  } finally {
    await pool.close();
  }
}
