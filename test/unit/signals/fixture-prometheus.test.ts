import { describe, expect, it } from "@jest/globals";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { demoScenario } from "../../../fixtures/demo/scenario.js";
import { createFixtureServer, FIXTURE_FLAVOURS } from "../../../fixtures/mcp/fixture-server.js";
import type { Scenario } from "../../../fixtures/mcp/scenario.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import { production } from "../../helpers/scenario.js";

/**
 * The fixture Prometheus answers each query with the first scenario entry whose substrings are all
 * in it. The default error-ratio query names the request counter too, so a service with a request
 * count and no 5xx entry got its request count as its error ratio (web at 4000%).
 */
const templates = repoConfigSchema.parse({}).metrics;

async function instant(scenario: Scenario, query: string): Promise<number[]> {
  const [client, server] = InMemoryTransport.createLinkedPair();
  await createFixtureServer(FIXTURE_FLAVOURS["prometheus-mcp"]!, scenario).connect(server);
  const mcp = new Client({ name: "t", version: "1" });
  await mcp.connect(client);
  try {
    const r = (await mcp.callTool({ name: "prometheus_query", arguments: { query } })) as { content: Array<{ text: string }> };
    const reply = JSON.parse(r.content[0]!.text) as { result: Array<{ value: [number, string] }> };
    return reply.result.map((s) => Number(s.value[1]));
  } finally {
    await mcp.close();
  }
}

describe("the fixture Prometheus", () => {
  it.each([
    ["the tests' production", production, ["api", "web"]],
    ["the demo", demoScenario, ["api", "payments", "web"]],
  ] as const)(
    "answers the default error-ratio query of every service of %s with a ratio, not its request count",
    async (_name, scenario, names) => {
      for (const service of names) {
        const errors = await instant(scenario, templates.errorRate.replaceAll("$selector", `service="${service}"`));
        const requests = await instant(scenario, templates.requestRate.replaceAll("$selector", `service="${service}"`));
        expect({ service, errors: errors.every((v) => v >= 0 && v <= 1) }).toEqual({ service, errors: true });
        expect({ service, requests: requests.length }).toEqual({ service, requests: 1 });
      }
    },
  );

  it("does not let a request-count entry answer an error ratio, whatever the order of the entries", async () => {
    const scenario: Scenario = {
      prometheus: {
        series: [
          {
            contains: ['service="web"', "http_requests_total"],
            points: [
              [-60, 90],
              [0, 90],
            ],
          },
        ],
      },
    };
    expect(await instant(scenario, templates.errorRate.replaceAll("$selector", 'service="web"'))).toEqual([]);
    expect(await instant(scenario, templates.requestRate.replaceAll("$selector", 'service="web"'))).toEqual([90]);
  });
});
