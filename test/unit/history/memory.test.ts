import { describe, expect, it } from "@jest/globals";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { historyCheck } from "../../../src/cli/doctor.js";
import { historyRisk } from "../../../src/history/change-risk.js";
import { similarIncidents, withPastFixes } from "../../../src/history/similar-incidents.js";
import { FileHistoryStore } from "../../../src/history/store.js";
import type { ChangeRecord, IncidentRecord } from "../../../src/history/types.js";
import type { Hypothesis } from "../../../src/analysis/rca.js";

const H = 3_600_000;
const incident = (number: number, signals: string[], services: string[], mechanism: string, fix?: string): IncidentRecord => ({
  number,
  title: `incident ${number}`,
  openedAt: number * H,
  closedAt: number * H + 2 * H,
  signals,
  services,
  category: "dependency",
  mechanism,
  ...(fix ? { fix: { ref: fix } } : {}),
});

describe("incident memory", () => {
  const past = [
    incident(
      1,
      ["postgres connection exhaustion", "FATAL sorry too many clients already"],
      ["api"],
      "PostgreSQL connections exhausted",
      "#45",
    ),
    incident(2, ["redis eviction storm"], ["web"], "Redis eviction storm", "#46"),
    incident(3, ["http 5xx error rate rising"], ["api"], "Error rate rising on api"),
  ];

  it("ranks by shared keywords, services and mechanism, and never returns the incident itself or later ones", () => {
    const got = similarIncidents(
      {
        number: 9,
        at: 10 * H,
        keywords: ["FATAL sorry too many clients already for role app", "postgres connection exhaustion"],
        services: ["api"],
        mechanism: "PostgreSQL connections exhausted",
      },
      [...past, incident(11, ["postgres connection exhaustion"], ["api"], "PostgreSQL connections exhausted")],
    );
    expect(got.map((s) => s.incident.number)).toEqual([1]);
    expect(got[0]!.shared).toMatchObject({ services: ["api"], mechanism: "PostgreSQL connections exhausted" });
    expect(got[0]!.shared.keywords).toHaveLength(2); // a template with one word more is the same template
  });

  it("cites a matching past fix as evidence and adds no hypothesis", () => {
    const h = {
      id: "h1",
      title: "PostgreSQL connections exhausted",
      category: "dependency",
      service: "api",
      confidence: 0.6,
      evidence: ["db:pg:connections"],
      reasons: [],
      confirm: "",
      chain: [],
      mitigation: [],
      features: {},
    } as unknown as Hypothesis;
    const other = { ...h, id: "h2", title: "Lock contention in PostgreSQL", service: "db" } as Hypothesis;
    const similar = similarIncidents({ keywords: ["postgres connection exhaustion"], services: ["api"], mechanism: h.title }, past);
    const out = withPastFixes([h, other], similar);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({
      confidence: 0.6,
      evidence: ["db:pg:connections", "history:#1"],
      reasons: [expect.stringContaining("fixed by #45")],
    });
    expect(out[1]).toBe(other);
  });
});

describe("change record", () => {
  const change = (id: string, hour: number, files: string[], extra: Partial<ChangeRecord> = {}): ChangeRecord => ({
    id,
    title: id,
    at: hour * H,
    files,
    services: ["api"],
    kinds: [],
    resources: [],
    ...extra,
  });
  it("uses only what was known at the time, and counts follow-ups within the window", () => {
    const changes = [
      change("#1", 0, ["a.yaml"]),
      change("#2", 1, ["a.yaml"], { revertOf: "#1" }),
      change("#3", 200, ["a.yaml"]),
      change("#4", 300, ["a.yaml"], { revertOf: "#3" }),
    ];
    const early = historyRisk(
      { files: ["a.yaml"], resources: [], services: [] },
      { changes, incidents: [], failedDeployments: [] },
      { asOf: 250 * H },
    );
    expect(early.headline?.bad.map((c) => c.id)).toEqual(["#1"]); // #3's revert came later
    const late = historyRisk(
      { files: ["a.yaml"], resources: [], services: [] },
      { changes, incidents: [], failedDeployments: [] },
      { asOf: 400 * H },
    );
    expect(late.headline?.past.map((c) => c.id)).toEqual(["#4", "#3", "#2", "#1"]);
    expect(late.headline?.bad.map((c) => c.id)).toEqual(["#1"]); // #4 reverted #3 100 h later: outside the 72 h window
  });
});

describe("history store and doctor", () => {
  it("serialises updates per repository and shows build progress", async () => {
    const store = new FileHistoryStore(mkdtempSync(join(tmpdir(), "insight-history-store-")));
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        store.update("acme/api", (d) => ({
          ...d,
          changes: [...d.changes, { id: `#${i}`, title: "", at: i, files: [], services: [], kinds: [], resources: [] }],
        })),
      ),
    );
    expect((await store.load("acme/api"))!.changes).toHaveLength(5);
    await store.update("acme/web", (d) => ({ ...d, build: { state: "building", startedAt: 0, done: 25, phase: "merged pull requests" } }));
    const check = await historyCheck(store);
    expect(check).toMatchObject({ ok: true });
    expect(check.detail).toContain("acme/api: 5 changes, 0 incidents");
    expect(check.detail).toContain("acme/web building: merged pull requests, 25 read since 1970-01-01T00:00:00.000Z");
    await expect(store.update("../etc", (d) => d)).rejects.toThrow('not a repository name: "../etc"');
  });
});
