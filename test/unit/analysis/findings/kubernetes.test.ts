import { afterAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { Scenario } from "../../../../fixtures/mcp/scenario.js";
import { findAnomalies } from "../../../../src/analysis/find-anomalies.js";
import { kubernetesFindings, type K8sFinding } from "../../../../src/analysis/findings/kubernetes/index.js";
import { findMechanisms } from "../../../../src/analysis/rca/mechanisms.js";
import type { McpPool } from "../../../../src/signals/mcp-pool.js";
import type { Signal } from "../../../../src/signals/types.js";
import { collector, services } from "../../../helpers/collect.js";
import { fixtureTransport } from "../../../helpers/fixture-pool.js";

// A namespace with one failure of each kind, as `kubectl get -o yaml` and the events API show them.
const shop = parse(readFileSync(new URL("../../../fixtures/kubernetes/broken-shop.yaml", import.meta.url), "utf8")) as NonNullable<
  Scenario["kubernetes"]
>;
const scenario: Scenario = { now: "2026-11-24T09:50:00Z", kubernetes: { ...shop, pods: shop.pods ?? [] } };
const apps = ["api", "worker", "web", "payments", "search", "db", "cart", "orders", "inventory", "checkout", "ledger", "notify"];

describe.each(["kubernetes-mcp-server", "mcp-server-kubernetes"])("Kubernetes findings through %s", (flavour) => {
  const pools: McpPool[] = [];
  afterAll(async () => Promise.all(pools.map((p) => p.close())));
  let signals: Signal[];
  let findings: K8sFinding[];
  const find = (reason: string, name?: string) => {
    const f = findings.find((x) => x.reason === reason && (!name || x.object.name === name));
    if (!f)
      throw new Error(`no ${reason}${name ? ` on ${name}` : ""} in ${findings.map((x) => `${x.reason}/${x.object.name}`).join(", ")}`);
    return f;
  };

  it("collects the objects read-only and bounded, with the previous run's logs", async () => {
    const c = collector(
      { k8s: { command: "fixture", insight: { adapter: "kubernetes" } } },
      { transport: fixtureTransport({ k8s: flavour }, scenario) },
    );
    pools.push(c.pool);
    const now = Date.parse(scenario.now!);
    const svc = services(Object.fromEntries(apps.map((a) => [a, { kubernetes: { namespace: "shop", labels: { app: a } } }])));
    const { sources } = await c.collect(svc, 60, { window: { from: now - 3600_000, to: now } });
    expect(sources[0]!.status).toBe("ok");
    signals = sources[0]!.signals;
    findings = kubernetesFindings(signals);
    const kinds = signals
      .filter((s) => s.name === "k8s.objects")
      .map((s) => String(s.data!.kind))
      .sort();
    expect(kinds).toEqual(
      [
        "CronJob",
        "Endpoints",
        "HorizontalPodAutoscaler",
        "Ingress",
        "IngressClass",
        "Job",
        "Node",
        "PersistentVolumeClaim",
        "NetworkPolicy",
        "Pod",
        "PodDisruptionBudget",
        "Service",
        "StatefulSet",
      ].sort(),
    );
    expect(signals.find((s) => s.name === "k8s.previous_log" && s.data!.pod === "api-7d9c4b8f6-x2k8p")?.data?.lines).toContain(
      "2026-11-24T09:42:53.002Z FATAL cannot start: missing required setting DATABASE_HOST",
    );
  });

  it("CrashLoopBackOff: the exit code and the previous run's last lines", () => {
    const f = find("CrashLoopBackOff", "api-7d9c4b8f6-x2k8p");
    expect(f).toMatchObject({ class: "crash", service: "api", object: { kind: "Pod", namespace: "shop" } });
    expect(f.message).toMatch(/back-off 5m0s restarting failed container=api/);
    expect(f.details.join(" ")).toMatch(/restarted 9 times; last state: Error, exit code 1 \(application error\)/);
    expect(f.details.join(" ")).toMatch(/missing required setting DATABASE_HOST/);
    expect(f.evidence).toEqual(
      expect.arrayContaining([expect.stringContaining(":objects:Pod"), expect.stringContaining("previous-log:api-7d9c4b8f6-x2k8p")]),
    );
  });

  it("OOMKilled: exit 137 and the memory limit to raise", () => {
    const f = find("OOMKilled", "worker-5b7f8c9d4-m3k9d");
    expect(f).toMatchObject({ class: "oom", service: "worker" });
    expect(f.details.join(" ")).toMatch(/OOMKilled, exit code 137/);
    expect(f.fix).toMatch(/memory limit \(now 256Mi\)/);
  });

  it("ImagePullBackOff: the image and the registry's message", () => {
    const f = find("ImagePullBackOff", "web-6c5d9f7b8-q9w4m");
    expect(f).toMatchObject({ class: "image", service: "web" });
    expect(f.message).toMatch(/registry.example.com\/shop\/web:2.4.1-rc: not found/);
    expect(f.details).toContain("image registry.example.com/shop/web:2.4.1-rc");
  });

  it("CreateContainerConfigError: the missing Secret, and its creation as the fix", () => {
    const f = find("CreateContainerConfigError");
    expect(f).toMatchObject({ class: "config", service: "payments", message: 'secret "payments-stripe" not found' });
    expect(f.fix).toMatch(/Create secret "payments-stripe" in shop/);
  });

  it("Pending: the scheduler's reason (taint, insufficient memory) and an unbound claim", () => {
    const search = find("FailedScheduling", "search-5f9b7c6d8-h4j6k");
    expect(search.message).toMatch(/untolerated taint \{dedicated: gpu\}, 2 Insufficient memory/);
    expect(search.fix).toMatch(/resource requests|toleration/);
    const db = find("FailedScheduling", "db-0");
    expect(db).toMatchObject({ class: "scheduling", service: "db" });
    expect(db.fix).toMatch(/PersistentVolumeClaim \(data-db-0\)/);
    const pvc = find("ProvisioningFailed", "data-db-0");
    expect(pvc).toMatchObject({ class: "volume", message: 'storageclass.storage.k8s.io "fast-ssd" not found' });
    expect(find("PersistentVolumeClaimPending", "db").message).toMatch(/data-db-0 \(Pending, storageClass fast-ssd\)/);
  });

  it("probes: readiness failing keeps the pods out of the Service; liveness restarts them", () => {
    expect(find("Unhealthy", "cart-6d8f9b7c5-p2x7w")).toMatchObject({
      class: "probe",
      service: "cart",
      message: "Readiness probe failed: HTTP probe failed with statuscode: 503",
    });
    expect(find("NoReadyEndpoints", "cart").message).toMatch(/not ready: cart-6d8f9b7c5-p2x7w/);
    const live = findings.find((x) => x.object.name === "notify-6b5a4c3d2-w8e7r")!;
    expect(live).toMatchObject({ class: "probe", service: "notify" });
    expect(live.message).toMatch(/Liveness probe failed|failed liveness probe/);
  });

  it("init containers: the failing init container, its exit and last lines", () => {
    const f = find("Init:CrashLoopBackOff", "orders-7f6e5d4c3-b8n5m");
    expect(f).toMatchObject({ class: "init", service: "orders" });
    expect(f.details.join(" ")).toMatch(/init container migrate restarted 4 times.*relation "order_items" does not exist/);
  });

  it("Job and CronJob: backoff limit reached, the CronJob whose run failed, a suspended one", () => {
    expect(find("BackoffLimitExceeded", "report-export-29012840")).toMatchObject({
      class: "job",
      message: "Job has reached the specified backoff limit",
    });
    expect(find("LastJobFailed", "report-export").message).toMatch(/last success 2026-11-23T09:04:12Z/);
    expect(find("Suspended", "cache-warmer").message).toMatch(/spec.suspend: true/);
  });

  it("Service selector matching nothing; Ingress with a missing class and backend", () => {
    const svc = find("NoEndpoints", "checkout");
    expect(svc.message).toBe("Service has no endpoints, expected label app=checkout-v2: no pod matches the selector");
    expect(svc.details.join(" ")).toMatch(/app=checkout/);
    expect(find("IngressClassNotFound", "shop").message).toMatch(/nginx-internal which does not exist/);
    expect(find("BackendServiceNotFound", "shop").message).toBe("Ingress uses the service shop/storefront which does not exist");
  });

  it("HPA pinned at max, and one unable to scale for want of metrics; a PDB blocking evictions", () => {
    const pinned = find("TooManyReplicas", "inventory");
    expect(pinned.details).toEqual(expect.arrayContaining(["pinned at max: 10/10 replicas", "cpu 142% of request (target 70%)"]));
    expect(find("FailedGetResourceMetric", "worker").message).toMatch(/no metrics returned from resource metrics API/);
    expect(find("InsufficientPods", "cart-pdb").fix).toMatch(/blocked/);
  });

  it("Node NotReady and DiskPressure; a volume full; a NetworkPolicy dropping all ingress", () => {
    expect(find("NodeNotReady", "ip-10-0-3-17.ec2.internal").message).toBe("Kubelet stopped posting node status.");
    expect(find("DiskPressure", "ip-10-0-2-41.ec2.internal").details.join(" ")).toMatch(/runs pods of/);
    expect(find("VolumeFull", "ledger-0")).toMatchObject({ class: "volume", service: "ledger" });
    expect(find("VolumeFull", "ledger-0").details).toContain("claims journal-ledger-0");
    expect(find("DeniesAllIngress", "inventory-lockdown")).toMatchObject({ class: "network", service: "inventory" });
  });

  it("keeps the Normal events that matter and makes every finding citable by an RCA mechanism", () => {
    expect(signals.some((s) => s.name === "k8s.event" && s.data!.reason === "SuccessfulCreate")).toBe(true);
    expect(signals.some((s) => s.name === "k8s.node_event" && s.data!.reason === "NodeNotReady")).toBe(true);
    const anomalies = findAnomalies(signals, { from: Date.parse(scenario.now!) - 3600_000, to: Date.parse(scenario.now!) }).filter(
      (a) => a.finding,
    );
    const mechanisms = findMechanisms(anomalies, signals);
    const ids = new Set(signals.map((s) => s.id));
    for (const m of mechanisms.filter((x) => x.k8s)) {
      expect(m.anomaly.evidence.length).toBeGreaterThan(0);
      for (const id of m.anomaly.evidence) expect(ids.has(id)).toBe(true);
      expect(m.mitigation[0]).toBe(m.k8s!.fix);
    }
    expect(mechanisms.find((m) => m.k8s?.reason === "OOMKilled")?.kind).toBe("oom");
  });

  it("is deterministic", () => {
    expect(kubernetesFindings(signals)).toEqual(findings);
  });
});
