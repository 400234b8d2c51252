import { describe, expect, it } from "@jest/globals";
import { loadIncidents, matches, replay } from "../../../bench/incidents.js";

describe("incident scenarios (fixtures/incidents)", () => {
  const incidents = loadIncidents();

  it("has at least the twelve required scenarios", () => {
    expect(incidents.length).toBeGreaterThanOrEqual(12);
  });

  it.each(incidents.map((i) => [i.name, i] as const))("%s: the right cause is in the top 3", async (_name, incident) => {
    const result = await replay(incident);
    const rank = result.hypotheses.findIndex((h) => matches(h, incident.truth)) + 1;
    expect(rank).toBeGreaterThanOrEqual(1);
    expect(rank).toBeLessThanOrEqual(3);
  });
});
