import { afterAll, describe, expect, it, jest } from "@jest/globals";
import { incidentWindow } from "../../../src/analysis/incident-window.js";
import { MQE_MAX_POINTS } from "../../../src/signals/adapters/skywalking/index.js";
import { collector, services } from "../../helpers/collect.js";
import { fixtureTransport } from "../../helpers/fixture-pool.js";
import { production, productionServices } from "../../helpers/scenario.js";

/**
 * The denial of service of the security review: `/insight rca since=999999d` asked SkyWalking for
 * 1.44 billion points. Windows are capped (and the reply says so), and the step of every range
 * query is chosen so that a series never asks for more points than the cap.
 */
const NOW = Date.parse("2026-11-23T20:00:00Z");
const DAY = 86_400_000;
const base = { text: "", createdAt: NOW - 60_000, now: NOW, zone: "UTC", window: "2h", baseline: "24h" };

describe("incident window caps (attack of the security review)", () => {
  it("caps since=999999d at 7 days and says so in the note the reply shows", () => {
    const w = incidentWindow({ ...base, args: { since: "999999d" } });
    expect(w.window.to - w.window.from).toBe(7 * DAY);
    expect(w.window.to).toBe(NOW);
    expect(w.note).toMatch(/since=999999d capped at 7d \(the longest window Insight reads\)/);
  });

  it("caps a configured baseline of 9999d at 7 days", () => {
    const w = incidentWindow({ ...base, baseline: "9999d", args: {} });
    expect(w.baseline.to - w.baseline.from).toBe(7 * DAY);
    expect(w.note).toMatch(/baseline 9999d capped at 7d/);
  });

  it("leaves a window within the cap as it is", () => {
    const w = incidentWindow({ ...base, args: { since: "3h" } });
    expect(w.window.to - w.window.from).toBe(3 * 3_600_000);
    expect(w.note).toBe("since=3h");
  });
});

describe("points asked per series", () => {
  const c = collector(
    { apm: { command: "fixture", insight: { adapter: "skywalking" } } },
    { transport: fixtureTransport({ apm: "skywalking-mcp" }, production) },
  );
  afterAll(() => c.pool.close());
  const calls = jest.spyOn(c.pool, "callTool");

  it("chooses SkyWalking's step so that 14 days ask at most the point cap per series (it asked one point a minute)", async () => {
    const now = Date.now();
    await c.collect(services({ api: productionServices.api }), 0, { window: { from: now - 14 * DAY, to: now } });
    const mqe = calls.mock.calls
      .filter(([, tool]) => tool === "execute_mqe_expression")
      .map(([, , args]) => args as Record<string, string>);
    expect(mqe.length).toBeGreaterThan(0);
    const minutes = { MINUTE: 1, HOUR: 60, DAY: 1440 } as Record<string, number>;
    for (const a of mqe) {
      const span = Number(/^-(\d+)m$/.exec(a.start!)![1]);
      expect(minutes[a.step!]).toBeDefined();
      expect(span / minutes[a.step!]!).toBeLessThanOrEqual(MQE_MAX_POINTS ?? 2_880);
    }
  });
});
