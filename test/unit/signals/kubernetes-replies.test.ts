import { afterAll, describe, expect, it } from "@jest/globals";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { readFileSync } from "node:fs";
import { createFixtureServer, FIXTURE_FLAVOURS } from "../../../fixtures/mcp/fixture-server.js";
import { type FixtureFlavour, json, text } from "../../../fixtures/mcp/tool.js";
import { cronJobsFrom, deploymentSpec, eventsFromJson, eventsFromYaml } from "../../../src/signals/adapters/kubernetes/parse.js";
import { deploymentAnswer, eventsAnswer, logsAnswer } from "../../../src/signals/adapters/kubernetes/schema.js";
import type { McpPool } from "../../../src/signals/mcp-pool.js";
import { checkReply, ToolFailure } from "../../../src/signals/tool-output.js";
import { renderCollectionText } from "../../../src/render/signals-text.js";
import { collector, services } from "../../helpers/collect.js";
import { production, productionServices } from "../../helpers/scenario.js";

// The two servers' real answers to an events call (from their recorded transcripts).
const real = JSON.parse(readFileSync(new URL("../../fixtures/kubernetes/real-events.json", import.meta.url), "utf8")) as {
  kubernetesMcpServerEventsList: string;
  mcpServerKubernetesGetEvents: string;
};

/** The message of what `read` throws, which must be a ToolFailure. */
function failure(read: () => unknown): string {
  try {
    read();
  } catch (err) {
    expect(err).toBeInstanceOf(ToolFailure);
    return (err as Error).message;
  }
  throw new Error("expected a ToolFailure, got an answer");
}

const deployment = {
  metadata: { name: "api", annotations: { "deployment.kubernetes.io/revision": "4" } },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          { name: "main", image: "api:1.4", resources: { limits: { cpu: 1, memory: "512Mi" } }, env: [{ name: "POOL", value: "20" }] },
        ],
      },
    },
  },
};

describe("Kubernetes replies are checked against the fields the adapter reads", () => {
  it("reads the real replies of both servers", () => {
    const json = eventsFromJson(checkReply(JSON.parse(real.mcpServerKubernetesGetEvents), "kubectl_get", eventsAnswer));
    const yaml = eventsFromYaml(real.kubernetesMcpServerEventsList);
    for (const events of [json, yaml]) expect(events.map((e) => e.reason).sort()).toEqual(["BackOff", "OOMKilling", "Pulled"]);
    expect(yaml.find((e) => e.reason === "BackOff")).toMatchObject({ kind: "Pod", time: "2026-11-23T19:59:24.000Z" });
  });

  it("names the tool and the field of an events reply that is not that shape", () => {
    const events = JSON.parse(real.mcpServerKubernetesGetEvents) as { events: Array<Record<string, unknown>> };
    const noReason = { events: events.events.map(({ reason: _r, ...e }, i) => (i === 1 ? e : { reason: "x", ...e })) };
    expect(failure(() => checkReply(noReason, "kubectl_get", eventsAnswer))).toBe(
      "kubectl_get answered an unexpected shape: events.1.reason → Invalid input: expected string, received undefined",
    );
    expect(failure(() => checkReply({ items: [] }, "kubectl_get", eventsAnswer))).toMatch(
      /^kubectl_get answered an unexpected shape: events → /,
    );
    expect(failure(() => eventsFromYaml("# events\n- Type: Warning\n  Message: no reason here\n"))).toMatch(
      /^events_list answered an unexpected shape: 0\.Reason → /,
    );
    expect(failure(() => eventsFromYaml("# events\nfound: 3\n"))).toMatch(/^events_list answered an unexpected shape: \(the reply\) → /);
    expect(failure(() => eventsFromYaml("- Type: [unclosed\n"))).toMatch(/^events_list did not answer YAML: /);
  });

  it("reads a Deployment's spec, quantities as strings, and names a missing pod template", () => {
    const spec = deploymentSpec(checkReply(deployment, "kubectl_get", deploymentAnswer));
    expect(spec).toMatchObject({
      name: "api",
      revision: "4",
      replicas: 3,
      containers: [{ name: "main", limits: { cpu: "1", memory: "512Mi" }, env: { POOL: "20" } }],
    });
    const { template: _t, ...noTemplate } = deployment.spec;
    expect(failure(() => checkReply({ ...deployment, spec: noTemplate }, "kubectl_get", deploymentAnswer))).toMatch(
      /^kubectl_get answered an unexpected shape: spec\.template → /,
    );
    expect(failure(() => checkReply({ ...deployment, metadata: {} }, "resources_get", deploymentAnswer))).toMatch(
      /^resources_get answered an unexpected shape: metadata\.name → /,
    );
  });

  it("reads CronJobs from either server's answer and names what a malformed one lacks", () => {
    const table =
      "NAMESPACE   APIVERSION   KIND      NAME     SCHEDULE    SUSPEND   LAST SCHEDULE\nprod        batch/v1     CronJob   report   0 9 * * *   False     12m\n";
    expect(cronJobsFrom(table, "resources_list")).toEqual([{ name: "report", schedule: "0 9 * * *", suspend: false, lastSchedule: "12m" }]);
    expect(failure(() => cronJobsFrom("NAMESPACE   KIND      NAME\nprod        CronJob   report\n", "resources_list"))).toMatch(
      /^resources_list answered an unexpected shape: no SCHEDULE column/,
    );
    const objects = [{ metadata: { name: "report" }, spec: { schedule: "0 9 * * *" } }];
    expect(cronJobsFrom("", "kubectl_get", objects)).toEqual([
      { name: "report", schedule: "0 9 * * *", suspend: false, lastSchedule: undefined },
    ]);
    expect(failure(() => cronJobsFrom("", "kubectl_get", [{ metadata: { name: "report" }, spec: {} }]))).toMatch(
      /^kubectl_get answered an unexpected shape: 0\.spec\.schedule → /,
    );
  });

  it("names a logs reply without its logs", () => {
    expect(failure(() => checkReply({ name: "api-1", log: "…" }, "kubectl_logs", logsAnswer))).toMatch(
      /^kubectl_logs answered an unexpected shape: logs → /,
    );
  });
});

describe("a Kubernetes server answering another shape", () => {
  const pools: McpPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  /** mcp-server-kubernetes with some tools answering `broken` instead of their real reply. */
  async function collectWith(broken: Record<string, () => ReturnType<typeof json>>) {
    const real = FIXTURE_FLAVOURS["mcp-server-kubernetes"]!;
    const flavour: FixtureFlavour = {
      ...real,
      tools: real.tools.map((t) => (broken[t.name] ? { ...t, answer: broken[t.name]! } : t)),
    };
    const c = collector(
      { cluster: { command: "fixture", insight: { adapter: "kubernetes" } } },
      {
        transport: () => {
          const [client, server] = InMemoryTransport.createLinkedPair();
          void createFixtureServer(flavour, production).connect(server);
          return client;
        },
      },
    );
    pools.push(c.pool);
    const now = Date.parse(production.now!);
    return c.collect(services(productionServices), 30, {
      window: { from: now - 30 * 60_000, to: now },
    });
  }

  it("makes the report thinner and says which read failed and why", async () => {
    const result = await collectWith({ kubectl_logs: () => json({ name: "api", lines: ["…"] }) });
    const source = result.sources[0]!;
    expect(source.status).toBe("ok");
    expect(source.signals.some((s) => s.name === "k8s.pods")).toBe(true);
    expect(source.signals.some((s) => s.name === "k8s.pod_log")).toBe(false);
    expect(source.notes).toEqual(
      expect.arrayContaining([expect.stringMatching(/logs: kubectl_logs answered an unexpected shape: logs → Invalid input/)]),
    );
  });

  it("reports the source as unreadable, never drops it, when no reply is that shape", async () => {
    const result = await collectWith({
      kubectl_get: () => json({ kind: "Status", message: "not what kubectl_get answers" }),
      kubectl_logs: () => json({ lines: [] }),
      kubectl_describe: () => text("?"),
    });
    expect(result.sources).toHaveLength(1);
    const source = result.sources[0]!;
    expect(source).toMatchObject({ source: "cluster", adapter: "kubernetes", status: "error" });
    expect(source.error).toBe(
      'api pods: kubectl_get answered an unexpected shape: no NAME, STATUS column in "{\\"kind\\":\\"Status\\",\\"message\\":\\"not what kubectl_get answers\\"}"',
    );
    // Every read that failed says which tool and what it lacked.
    expect(source.notes.length).toBeGreaterThan(3);
    for (const note of source.notes) expect(note).toMatch(/kubectl_get answered an unexpected shape: (events|items|no [A-Z, ]+ column)/);
    expect(renderCollectionText(result)).toMatch(
      /❌ cluster \(kubernetes, mcp-server-kubernetes\) error · 0 signals · \d+ ms · .*kubectl_get/,
    );
  });
});
