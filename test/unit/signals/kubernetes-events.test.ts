import { afterAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import type { Scenario } from "../../../fixtures/mcp/scenario.js";
import { stateDrift } from "../../../src/analysis/state-drift.js";
import { eventMatters, ownedBy } from "../../../src/signals/adapters/kubernetes/events.js";
import { eventsFromJson, eventsFromYaml } from "../../../src/signals/adapters/kubernetes/parse.js";
import type { McpPool } from "../../../src/signals/mcp-pool.js";
import { collector, services } from "../../helpers/collect.js";
import { fixtureTransport } from "../../helpers/fixture-pool.js";

// The two servers' real answers to an events call (from their recorded transcripts).
const real = JSON.parse(readFileSync(new URL("../../fixtures/kubernetes/real-events.json", import.meta.url), "utf8")) as {
  kubernetesMcpServerEventsList: string;
  mcpServerKubernetesGetEvents: string;
};

describe("Kubernetes events the adapter keeps", () => {
  it.each([
    ["kubernetes-mcp-server events_list", () => eventsFromYaml(real.kubernetesMcpServerEventsList)],
    ["mcp-server-kubernetes kubectl_get events", () => eventsFromJson(JSON.parse(real.mcpServerKubernetesGetEvents))],
  ])("reads both types from %s and keeps the warnings, not a routine image pull", (_name, read) => {
    const events = read();
    expect(events.map((e) => `${e.type}/${e.reason}`).sort()).toEqual(["Normal/Pulled", "Warning/BackOff", "Warning/OOMKilling"]);
    expect(
      events
        .filter(eventMatters)
        .map((e) => e.reason)
        .sort(),
    ).toEqual(["BackOff", "OOMKilling"]);
  });

  it("keeps the Normal events of node loss, taint-manager evictions, scaling and CronJob starts", () => {
    // The real answer's format, with the Normal events the node controller, taint manager and CronJob controller record.
    const extra = `- InvolvedObject:\n    Kind: Node\n    Name: ip-10-0-7-21\n    apiVersion: v1\n  Message: 'Node ip-10-0-7-21 status is now: NodeNotReady'\n  Namespace: default\n  Reason: NodeNotReady\n  Timestamp: 2026-11-23 19:40:04 +0000 UTC\n  Type: Normal\n- InvolvedObject:\n    Kind: Pod\n    Name: payments-7d9c4-m3k9d\n    apiVersion: v1\n  Message: Marking for deletion Pod prod/payments-7d9c4-m3k9d\n  Namespace: prod\n  Reason: TaintManagerEviction\n  Timestamp: 2026-11-23 19:45:04 +0000 UTC\n  Type: Normal\n- InvolvedObject:\n    Kind: CronJob\n    Name: report-export\n    apiVersion: batch/v1\n  Message: Created job report-export-29012840\n  Namespace: prod\n  Reason: SuccessfulCreate\n  Timestamp: 2026-11-23 14:00:00 +0000 UTC\n  Type: Normal\n- InvolvedObject:\n    Kind: Pod\n    Name: web-7d9c-abcde\n    apiVersion: v1\n  Message: Started container main\n  Namespace: prod\n  Reason: Started\n  Timestamp: 2026-11-23 19:02:05 +0000 UTC\n  Type: Normal\n`;
    const events = eventsFromYaml(`${real.kubernetesMcpServerEventsList}${extra}`);
    expect(events.filter((e) => e.type === "Normal" && eventMatters(e)).map((e) => e.reason)).toEqual([
      "NodeNotReady",
      "TaintManagerEviction",
      "SuccessfulCreate",
    ]);
    expect(events.find((e) => e.reason === "NodeNotReady")).toMatchObject({
      kind: "Node",
      object: "ip-10-0-7-21",
      time: "2026-11-23T19:40:04.000Z",
    });
  });

  it("gives a service the events of its replaced pods and rollouts, not of another service sharing its prefix", () => {
    const ev = (object: string) => ({ type: "Normal", reason: "Killing", message: "", object, count: 1 });
    const mine = (object: string) => ownedBy(ev(object), new Set(["api-7d9c4-x2k8p"]), ["api"]);
    expect(mine("api-7d9c4-x2k8p")).toBe(true);
    expect(mine("api-5b7f8-m3k9d")).toBe(true);
    expect(mine("api-5b7f8")).toBe(true);
    expect(mine("api")).toBe(true);
    expect(mine("api-gateway")).toBe(false);
    expect(mine("api-gateway-7d9c4-x2k8p")).toBe(false);
  });
});

describe.each(["kubernetes-mcp-server", "mcp-server-kubernetes"])("Kubernetes adapter on %s: Normal events", (flavour) => {
  const pools: McpPool[] = [];
  afterAll(async () => Promise.all(pools.map((p) => p.close())));
  const scenario: Scenario = {
    now: "2026-11-24T09:50:00Z",
    kubernetes: {
      pods: [
        { namespace: "prod", name: "payments-7d9c4-x2k8p", status: "Running", ready: "1/1", restarts: 0, labels: { app: "payments" } },
        {
          namespace: "prod",
          name: "api-gateway-6c5d9-q9w4m",
          status: "Running",
          ready: "1/1",
          restarts: 0,
          labels: { app: "api-gateway" },
        },
      ],
      events: [
        {
          namespace: "default",
          type: "Normal",
          reason: "NodeNotReady",
          message: "Node ip-10-0-7-21 status is now: NodeNotReady",
          kind: "Node",
          name: "ip-10-0-7-21",
          at: -1275,
        },
        {
          namespace: "prod",
          type: "Normal",
          reason: "TaintManagerEviction",
          message: "Marking for deletion Pod prod/payments-7d9c4-m3k9d",
          kind: "Pod",
          name: "payments-7d9c4-m3k9d",
          at: -960,
        },
        {
          namespace: "prod",
          type: "Normal",
          reason: "TaintManagerEviction",
          message: "Marking for deletion Pod prod/payments-7d9c4-p2x7w",
          kind: "Pod",
          name: "payments-7d9c4-p2x7w",
          at: -955,
        },
        {
          namespace: "prod",
          type: "Normal",
          reason: "Killing",
          message: "Stopping container main",
          kind: "Pod",
          name: "api-gateway-6c5d9-q9w4m",
          at: -300,
        },
        {
          namespace: "prod",
          type: "Normal",
          reason: "SuccessfulCreate",
          message: "Created job report-export-29012840",
          kind: "CronJob",
          name: "report-export",
          at: -2100,
        },
        {
          namespace: "prod",
          type: "Normal",
          reason: "Pulled",
          message: 'Container image "registry.local/payments:4.0.7" already present on machine',
          kind: "Pod",
          name: "payments-7d9c4-x2k8p",
          at: -900,
        },
      ],
    },
  };

  it("reads node loss from the default namespace, evictions of pods gone since, and CronJob starts; drops routine ones", async () => {
    const c = collector(
      { k8s: { command: "fixture", insight: { adapter: "kubernetes" } } },
      { transport: fixtureTransport({ k8s: flavour }, scenario) },
    );
    pools.push(c.pool);
    const now = Date.parse(scenario.now!);
    const svc = services({
      payments: { kubernetes: { namespace: "prod", labels: { app: "payments" } } },
      api: { kubernetes: { namespace: "prod", labels: { app: "api" } } },
    });
    const { sources } = await c.collect(svc, 60, { window: { from: now - 3600_000, to: now } });
    const signals = sources[0]!.signals;
    expect(sources[0]!.status).toBe("ok");
    expect(signals.filter((s) => s.name === "k8s.node_event" || s.data?.reason === "SuccessfulCreate").map((s) => s.service)).toEqual([
      undefined,
      undefined,
    ]);
    expect(signals.find((s) => s.name === "k8s.node_event")).toMatchObject({
      value: 1,
      data: { type: "Normal", reason: "NodeNotReady", nodes: ["ip-10-0-7-21"], first: "2026-11-24T09:28:45.000Z" },
    });
    expect(signals.find((s) => s.name === "k8s.event" && s.service === "payments")).toMatchObject({
      value: 2,
      data: { reason: "TaintManagerEviction", objects: ["payments-7d9c4-m3k9d", "payments-7d9c4-p2x7w"] },
    });
    expect(signals.find((s) => s.name === "k8s.event" && s.data?.reason === "SuccessfulCreate")).toMatchObject({
      data: { namespace: "prod", kinds: ["CronJob"], objects: ["report-export"], messages: ["Created job report-export-29012840"] },
    });
    expect(signals.filter((s) => s.service === "api" && s.kind === "event")).toEqual([]);
    expect(signals.some((s) => s.data?.reason === "Pulled")).toBe(false);
  });
});

describe.each(["kubernetes-mcp-server", "mcp-server-kubernetes"])("Kubernetes adapter on %s: the Deployment's spec", (flavour) => {
  const pools: McpPool[] = [];
  afterAll(async () => Promise.all(pools.map((p) => p.close())));
  const scenario = (asOf: number): Scenario => ({
    now: "2026-11-24T12:45:00Z",
    asOf,
    kubernetes: {
      pods: [{ namespace: "prod", name: "orders-5c8d7-x2k8p", status: "Running", ready: "1/1", restarts: 0, labels: { app: "orders" } }],
      deployments: [
        {
          namespace: "prod",
          name: "orders",
          ready: 3,
          desired: 3,
          upToDate: 3,
          image: "registry.local/orders:7.2.1",
          labels: { app: "orders" },
          revisions: [
            {
              at: -600000,
              revision: 51,
              image: "registry.local/orders:7.2.1",
              replicas: 6,
              env: { DB_POOL_SIZE: "50", DB_PASSWORD: "hunter2", NOTE: "a sentence with spaces" },
              limits: { cpu: "2" },
              affinity: { nodeAffinity: { x: 1 } },
            },
            {
              at: -2450,
              revision: 52,
              image: "registry.local/orders:7.2.1",
              replicas: 3,
              env: { DB_POOL_SIZE: "10", DB_PASSWORD: "hunter2" },
              limits: { cpu: "500m" },
              annotations: { "app.example.com/pr": "#7301" },
            },
          ],
        },
      ],
    },
  });
  const read = async (asOf: number) => {
    const c = collector(
      { k8s: { command: "fixture", insight: { adapter: "kubernetes" } } },
      { transport: fixtureTransport({ k8s: flavour }, scenario(asOf)) },
    );
    pools.push(c.pool);
    const now = Date.parse("2026-11-24T12:45:00Z");
    const { sources } = await c.collect(
      services({ orders: { kubernetes: { namespace: "prod", labels: { app: "orders" }, deployment: "orders" } } }),
      60,
      { window: { from: now - 3600_000, to: now } },
    );
    return sources[0]!.signals.find((s) => s.name === "k8s.deployment_spec")!;
  };

  it("keeps replicas, limits, plain settings (no secret-looking or free-text values), scheduling and the PR annotation, as of either time", async () => {
    const [now, before] = [await read(0), await read(-3600)];
    expect(now).toMatchObject({
      service: "orders",
      value: 3,
      data: {
        revision: "52",
        containers: [{ limits: { cpu: "500m" }, env: { DB_POOL_SIZE: "10" } }],
        annotations: { "app.example.com/pr": "#7301" },
      },
    });
    expect(now.data!.scheduling).toEqual({});
    expect(before).toMatchObject({
      value: 6,
      data: {
        revision: "51",
        containers: [{ limits: { cpu: "2" }, env: { DB_POOL_SIZE: "50" } }],
        scheduling: { affinity: '{"nodeAffinity":{"x":1}}' },
      },
    });
    expect(JSON.stringify([now, before])).not.toMatch(/hunter2|sentence/);
  });
});

describe.each(["kubernetes-mcp-server", "mcp-server-kubernetes"])("Kubernetes adapter on %s: CronJob schedules", (flavour) => {
  const pools: McpPool[] = [];
  afterAll(async () => Promise.all(pools.map((p) => p.close())));

  it("reads each CronJob's schedule, so a schedule moved before the window shows against the state read then", async () => {
    const read = async (asOf: number) => {
      const scenario: Scenario = {
        now: "2026-11-24T14:35:00Z",
        asOf,
        kubernetes: {
          pods: [],
          cronjobs: [
            {
              namespace: "prod",
              name: "report-export",
              schedule: [
                { at: -864000, value: "0 3 * * *" },
                { at: -80000, value: "0 14 * * *" },
              ],
              lastScheduleAt: -2100,
            },
          ],
        },
      };
      const c = collector(
        { k8s: { command: "fixture", insight: { adapter: "kubernetes" } } },
        { transport: fixtureTransport({ k8s: flavour }, scenario) },
      );
      pools.push(c.pool);
      const now = Date.parse(scenario.now!);
      const { sources } = await c.collect(services({ api: { kubernetes: { namespace: "prod", labels: { app: "api" } } } }), 60, {
        window: { from: now - 3600_000, to: now },
      });
      return sources[0]!.signals.filter((s) => s.name === "k8s.cronjobs");
    };
    const [now, dayBefore] = [await read(0), await read(-86400)];
    expect(now.map((s) => s.service)).toEqual([undefined]);
    expect(now).toEqual([
      expect.objectContaining({
        value: 1,
        data: { namespace: "prod", cronjobs: [expect.objectContaining({ name: "report-export", schedule: "0 14 * * *", suspend: false })] },
      }),
    ]);
    expect(stateDrift(dayBefore, now).map((d) => d.detail)).toEqual([
      "cronjob report-export.schedule was 0 3 * * * before the window and is 0 14 * * * now",
    ]);
  });
});
