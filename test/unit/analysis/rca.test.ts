import { describe, expect, it } from "@jest/globals";
import { analyseIncident, type ChangeEvent } from "../../../src/analysis/rca.js";
import type { Signal } from "../../../src/signals/types.js";
import { stepSignal } from "../../helpers/signals.js";

const T = Date.parse("2026-11-23T02:10:00Z"); // the onset
const MIN = 60_000;
const window = { from: T - 60 * MIN, to: T + 30 * MIN };
const step = (id: string, name: string, service: string, before: number, after: number, stepAt = T): Signal =>
  stepSignal({ id, name, service, before, after, onset: T, stepAt });
const change = (
  id: string,
  minutesBefore: number,
  services: string[],
  files: string[] = [],
  kinds: ChangeEvent["changeKinds"] = ["code"],
): ChangeEvent => ({ id, kind: "pr", title: `change ${id}`, at: T - minutesBefore * MIN, services, files, changeKinds: kinds });
const run = (signals: Signal[], changes: ChangeEvent[] = [], edges: Array<{ from: string; to: string }> = []) =>
  analyseIncident({ signals, window, changes, edges });

describe("analyseIncident", () => {
  it("blames the deploy that touched the failing service just before the 5xx rose", () => {
    const r = run([step("m:api:err", "http.error_rate", "api", 0.01, 0.2)], [change("acme/api#41", 8, ["api"])]);
    expect(r.onset).toMatchObject({ service: "api", at: T });
    expect(r.hypotheses[0]).toMatchObject({
      title: 'Change acme/api#41 "change acme/api#41"',
      category: "code",
      service: "api",
      evidence: ["m:api:err"],
    });
    expect(r.hypotheses[0]!.confidence).toBeGreaterThan(0.45);
    expect(r.summary).toMatch(/^Most likely: Change acme\/api#41/);
  });

  it("picks the guilty one of two changes: the one on the failing service", () => {
    const r = run(
      [step("m:api:err", "http.error_rate", "api", 0.01, 0.2), step("m:web:err", "http.error_rate", "web", 0.01, 0.01)],
      [change("acme/web#7", 5, ["web"]), change("acme/api#41", 25, ["api"])],
    );
    expect(r.hypotheses[0]!.suspect?.id).toBe("acme/api#41");
    expect(r.hypotheses.find((h) => h.suspect?.id === "acme/web#7")!.confidence).toBeLessThan(r.hypotheses[0]!.confidence);
  });

  it("prefers the change whose files appear in the error stack traces", () => {
    const logs: Signal = {
      id: "logs:api:samples",
      name: "logs.samples",
      service: "api",
      source: "logs",
      adapter: "elasticsearch",
      kind: "log",
      query: "q",
      data: {
        lines: Array.from({ length: 12 }, (_, i) => ({
          time: new Date(T + i * MIN).toISOString(),
          message: `TypeError: cannot read 'id' at handler (src/orders/refund.ts:${40 + i})`,
        })),
      },
    };
    const r = run(
      [step("m:api:err", "http.error_rate", "api", 0.01, 0.2), logs],
      [
        change("acme/api#40", 6, ["api"], ["services/api/src/cache.ts"]),
        change("acme/api#41", 30, ["api"], ["services/api/src/orders/refund.ts"]),
      ],
    );
    expect(r.hypotheses[0]).toMatchObject({
      suspect: { id: "acme/api#41" },
      reasons: expect.arrayContaining(["changes services/api/src/orders/refund.ts, named in the error stack traces"]),
    });
  });

  it("names lock contention with the blocking pid and its query", () => {
    const locks: Signal = {
      id: "db:pg:blocked",
      name: "pg.blocked_queries",
      source: "db",
      adapter: "postgres",
      kind: "event",
      value: 3,
      query: "q",
      data: {
        chains: [
          {
            pid: 4242,
            waiting_s: 61,
            query: "UPDATE orders",
            blockedBy: [{ pid: 777, state: "idle in transaction", query: "UPDATE orders SET total = total + 1" }],
          },
        ],
      },
    };
    const r = run([locks]);
    expect(r.hypotheses[0]).toMatchObject({ title: "Lock contention in PostgreSQL", category: "dependency", evidence: ["db:pg:blocked"] });
    expect(r.hypotheses[0]!.reasons[0]).toContain(
      "pid 4242 waits 61 s on pid 777 (idle in transaction: UPDATE orders SET total = total + 1)",
    );
  });

  it("tells cause from symptom: the dependency that failed first", () => {
    const r = run(
      [step("m:api:err", "http.error_rate", "api", 0.01, 0.3, T + 2 * MIN), step("m:pay:err", "http.error_rate", "payments", 0.01, 0.9)],
      [],
      [
        { from: "web", to: "api" },
        { from: "api", to: "payments" },
      ],
    );
    expect(r.symptoms).toEqual(["api"]);
    expect(r.hypotheses[0]).toMatchObject({
      category: "dependency",
      service: "payments",
      title: "payments fails, and its callers (api) fail because of it",
    });
  });

  it("blames a memory-limit change for OOMKilled pods", () => {
    const oom: Signal = {
      id: "k8s:api:OOMKilled",
      name: "k8s.pod.OOMKilled",
      service: "api",
      source: "k8s",
      adapter: "kubernetes",
      kind: "event",
      value: 2,
      query: "q",
      data: { reason: "OOMKilled", pods: ["api-1", "api-2"] },
    };
    const r = run(
      [oom, step("m:api:err", "http.error_rate", "api", 0.01, 0.1)],
      [change("acme/api#50", 20, ["api"], ["k8s/api/deployment.yaml"], ["kubernetes"])],
    );
    expect(r.hypotheses[0]).toMatchObject({ category: "config", suspect: { id: "acme/api#50" } });
  });

  it("does not let an unrelated alert take the blame", () => {
    const alert: Signal = {
      id: "m:alert:Disk",
      name: "alert.firing",
      service: "batch",
      source: "metrics",
      adapter: "prometheus",
      kind: "event",
      query: "q",
      data: { alertname: "DiskAlmostFull", severity: "critical" },
    };
    const r = run([alert, step("m:api:err", "http.error_rate", "api", 0.01, 0.2)], [change("acme/api#41", 10, ["api"])]);
    expect(r.hypotheses[0]!.suspect?.id).toBe("acme/api#41");
    expect(r.hypotheses.some((h) => h.service === "batch")).toBe(false);
  });

  it("says so when nothing stands out", () => {
    const r = run([step("m:api:err", "http.error_rate", "api", 0.01, 0.01)], [change("acme/api#41", 200, ["api"])]);
    expect(r.hypotheses.every((h) => h.confidence < 0.35)).toBe(true);
    expect(r.verdict).toBe("nothing");
    expect(r.summary).toMatch(/^Nothing anomalous/);
  });

  it("is deterministic", () => {
    const input = [step("m:api:err", "http.error_rate", "api", 0.01, 0.2)];
    expect(run(input, [change("a#1", 8, ["api"])])).toEqual(run(input, [change("a#1", 8, ["api"])]));
  });
  it("does not call a shift an anomaly when it is within what the baseline's own spikes already did", () => {
    // Error rate spikes to 8% every 15 minutes all along; its median moves 1.00% → 1.12% in the window.
    // The median split alone scores that shift (the MAD between spikes is tiny); the detector,
    // which learnt the spikes, does not alarm, so no hypothesis is built on it.
    const points = Array.from({ length: 151 }, (_, i) => {
      const t = T - 120 * MIN + i * MIN;
      return [t, i % 15 === 7 ? 0.08 : (t >= T - 20 * MIN ? 0.0112 : 0.01) + ((i * 37) % 7) / 10_000] as [number, number];
    });
    const spiky: Signal = {
      id: "m:api:err",
      name: "http.error_rate",
      service: "api",
      source: "metrics",
      adapter: "prometheus",
      kind: "metric",
      query: "q",
      series: [{ labels: {}, points }],
    };
    expect(run([spiky], [change("acme/api#41", 25, ["api"])]).anomalies).toEqual([]);
    // The same shift on a quiet series is an anomaly.
    const quiet: Signal = {
      ...spiky,
      series: [
        { labels: {}, points: points.map(([t, v], i) => [t, i % 15 === 7 ? (t >= T - 20 * MIN ? 0.0112 : 0.01) : v] as [number, number]) },
      ],
    };
    expect(run([quiet], [change("acme/api#41", 25, ["api"])]).anomalies).toHaveLength(1);
  });
  it("names the failing chain a deep cause explains", () => {
    const r = run(
      [
        step("m:web:err", "http.error_rate", "web", 0.01, 0.2, T + 2 * MIN),
        step("m:api:err", "http.error_rate", "api", 0.01, 0.2, T + MIN),
        step("m:db:lat", "http.latency_p95", "db", 0.05, 0.9),
      ],
      [],
      [
        { from: "web", to: "api" },
        { from: "api", to: "db" },
      ],
    );
    expect(r.symptoms.sort()).toEqual(["api", "web"]);
    expect(r.hypotheses[0]).toMatchObject({
      service: "db",
      category: "dependency",
      reasons: expect.arrayContaining(["explains the failing chain web → api → db"]),
    });
  });

  it("names a lone anomalous service with no topology and no change (it used to say nothing stands out)", () => {
    const r = run([step("m:pay:lat", "http.latency_p95", "payments", 0.1, 2.5)]);
    expect(r.hypotheses[0]).toMatchObject({ service: "payments", evidence: ["m:pay:lat"] });
    expect(r.hypotheses[0]!.chain[0]).toMatchObject({ role: "root", evidence: ["m:pay:lat"] });
    expect(r.verdict).toBe("unexplained");
    expect(r.missing).toContain("no call graph: cause and symptom cannot be told apart by topology");
  });

  it("reads a callee's traffic drop as a symptom of the caller that failed first", () => {
    const r = run(
      [step("m:web:err", "http.error_rate", "web", 0.01, 0.4), step("m:api:rps", "http.request_rate", "api", 200, 40, T + MIN)],
      [],
      [{ from: "web", to: "api" }],
    );
    expect(r.symptoms).toEqual(["api"]);
    expect(r.hypotheses[0]).toMatchObject({ service: "web" });
    expect(r.hypotheses[0]!.chain.map((l) => l.text)).toEqual([
      "web's own fault",
      expect.stringMatching(/^web errors ×\d/),
      expect.stringMatching(/^api traffic drop ×0\.\d/),
    ]);
  });

  it("makes every link of a chain cite its evidence", () => {
    const r = run([step("m:api:err", "http.error_rate", "api", 0.01, 0.2)], [change("acme/api#41", 8, ["api"])]);
    expect(r.hypotheses[0]!.chain).toEqual([
      { role: "root", text: 'PR acme/api#41 "change acme/api#41"', evidence: ["acme/api#41"] },
      { role: "symptom", service: "api", text: expect.stringMatching(/^api errors ×\d/), evidence: ["m:api:err"] },
    ]);
    expect(r.hypotheses.every((h) => h.chain.every((l) => l.evidence.length > 0))).toBe(true);
  });

  it("roots a chain in an external dependency the caller's logs show failing", () => {
    const lines = Array.from({ length: 12 }, (_, i) => ({
      time: new Date(T + i * MIN).toISOString(),
      message: `Post "https://api.parcel.example/v1/labels": x509: certificate has expired or is not yet valid (attempt ${i})`,
    }));
    const logs: Signal = {
      id: "logs:shipping:samples",
      name: "logs.samples",
      service: "shipping",
      source: "logs",
      adapter: "elasticsearch",
      kind: "log",
      query: "q",
      data: { lines },
    };
    const r = run([step("m:ship:err", "http.error_rate", "shipping", 0.01, 0.3), logs]);
    const h = r.hypotheses.find((x) => x.chain[0]!.text === "external dependency `api.parcel.example`")!;
    expect(h.chain[1]).toMatchObject({
      role: "mechanism",
      text: expect.stringMatching(/^TLS certificate expired/),
      evidence: ["logs:shipping:samples"],
    });
    expect(r.hypotheses[0]).toBe(h);
    expect(r.hypotheses.some((x) => x.title.startsWith("shipping fails"))).toBe(false); // the mechanism explains shipping's fault
  });
});
