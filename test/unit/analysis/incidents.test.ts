import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadIncidents, matches, rankOf, replay, ScenarioError, type Incident } from "../../../bench/incidents.js";

describe("incident scenarios (fixtures/incidents)", () => {
  const incidents = loadIncidents();
  // 01–12 were written with the engine; the later ones are held out (bench:rca scores them, first run and final).
  const original = incidents.filter((i) => Number(i.name.slice(0, 2)) <= 12);

  it("has the twelve original scenarios and at least twenty held-out ones, all valid", () => {
    expect(original).toHaveLength(12);
    expect(incidents.length - original.length).toBeGreaterThanOrEqual(20);
  });

  it.each(original.map((i) => [i.name, i] as const))("%s: the right cause is in the top 3", async (_name, incident) => {
    const rank = rankOf(incident, await replay(incident));
    expect(rank).toBeGreaterThanOrEqual(1);
    expect(rank).toBeLessThanOrEqual(3);
  });
});

describe("scenarios from anywhere", () => {
  const folder = (files: Record<string, unknown>) => {
    const dir = mkdtempSync(join(tmpdir(), "scenarios-"));
    mkdirSync(join(dir, "a"));
    for (const [name, body] of Object.entries(files))
      writeFileSync(join(dir, "a", name), typeof body === "string" ? body : JSON.stringify(body));
    return dir;
  };
  const incident = {
    description: "x",
    window: { from: -600, to: 0 },
    sources: { m: "prometheus-mcp" },
    adapters: { m: "prometheus" },
    services: {},
    changes: [],
    truth: { answer: "nothing" },
  };

  it("loads a folder outside the repository", () => {
    const [one] = loadIncidents(folder({ "incident.json": incident, "production.json": { now: "2026-11-23T03:00:00Z" } }));
    expect(one!.truth.answer).toBe("nothing");
  });

  it("names the file and the field of a malformed scenario", () => {
    const dir = folder({ "incident.json": { ...incident, truth: { answer: "maybe" } }, "production.json": {} });
    expect(() => loadIncidents(dir)).toThrow(ScenarioError);
    expect(() => loadIncidents(dir)).toThrow(/a[/\\]incident\.json[\s\S]*truth\.answer/);
    const bad = folder({
      "incident.json": incident,
      "production.json": { prometheus: { series: [{ contains: ["x"], points: { gen: { from: -60, base: 1, nosie: 1 } } }] } },
    });
    expect(() => loadIncidents(bad)).toThrow(/production\.json[\s\S]*prometheus\.series\.0\.points/);
    expect(() => loadIncidents(folder({ "incident.json": "{", "production.json": {} }))).toThrow(/not JSON/);
  });

  it("matches a chain by its root change, a deployment shipping the PR, or root / mechanism / service", () => {
    const truth = { answer: "cause" as const, change: "#512" };
    expect(matches({ title: "x", chain: { root: { kind: "change", change: { id: "#512" } } } }, truth)).toBe(true);
    expect(matches({ title: "x", suspect: { id: "deploy-88" } }, truth, [{ id: "deploy-88", pr: "#512" }])).toBe(true);
    expect(matches({ title: "x", suspect: { id: "#511" } }, truth)).toBe(false);
    const mech = { answer: "cause" as const, root: "resource" as const, mechanism: "oom", service: "api" };
    expect(matches({ title: "t", chain: { root: { kind: "resource", service: "api" }, mechanism: { kind: "OOM" } } }, mech)).toBe(true);
    expect(matches({ title: "t", chain: { root: { kind: "resource", service: "web" }, mechanism: { kind: "OOM" } } }, mech)).toBe(false);
  });

  it("scores the three answers apart", () => {
    const base = { window: { from: 0, to: 1 }, symptoms: [], timeline: [], summary: "" };
    const quiet = { ...base, anomalies: [], hypotheses: [] };
    const odd = {
      ...base,
      anomalies: [{ kind: "latency" as const, service: "api", detail: "", severity: 0.9, evidence: [] }],
      hypotheses: [],
    };
    const inc = (answer: "nothing" | "unexplained") => ({ truth: { answer }, changes: [] }) as unknown as Incident;
    expect(rankOf(inc("nothing"), quiet as never)).toBe(1);
    expect(rankOf(inc("nothing"), odd as never)).toBe(0);
    expect(rankOf(inc("unexplained"), odd as never)).toBe(1);
    expect(rankOf(inc("unexplained"), { ...odd, answer: "nothing" } as never)).toBe(0);
  });
});

describe("mechanism words", () => {
  it("match a word's start, not the inside of another word", () => {
    const t = { answer: "cause" as const, mechanism: "io" };
    expect(matches({ title: "PostgreSQL connections exhausted" }, t)).toBe(false);
    expect(matches({ title: "media: disk IO saturated" }, t)).toBe(true);
    expect(matches({ title: "pricing is CPU-throttled" }, { answer: "cause", mechanism: "throttl" })).toBe(true);
  });
});
