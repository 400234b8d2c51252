import { describe, expect, it } from "@jest/globals";
import type { Anomaly } from "../../../src/analysis/find-anomalies.js";
import { assessIncidentImpact } from "../../../src/analysis/incident-severity.js";
import type { RcaResult } from "../../../src/analysis/rca.js";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import type { Signal } from "../../../src/signals/types.js";

const config = repoConfigSchema.parse({ services: { web: { paths: ["web/**"], tier: "critical" } } });
const anomaly: Anomaly = { service: "web", kind: "latency", severity: 0.9, detail: "p95 up", evidence: ["m:web:lat"] } as Anomaly;
const errorRate = (value: number): Signal => ({
  id: "m:web:http.error_rate",
  source: "m",
  adapter: "prometheus",
  kind: "metric",
  service: "web",
  name: "http.error_rate",
  query: 'sum(rate(http_requests_total{service="web"}[5m]))',
  value,
});
// Only the anomalies are read from the RCA result.
const result = { anomalies: [anomaly] } as unknown as RcaResult;

describe("incident severity", () => {
  it("takes a critical-tier service failing 30% of its requests as SEV1", () => {
    const impact = assessIncidentImpact(result, [errorRate(0.3)], config, []);
    expect(impact).toMatchObject({ severity: "SEV1", errorRate: { web: 0.3 } });
    expect(impact.rule).toContain("fails 30% of requests");
  });

  it("ignores an error rate that is not a ratio (a wrong query) instead of paging on 4000% errors", () => {
    const impact = assessIncidentImpact(result, [errorRate(40)], config, []);
    expect(impact.errorRate).toEqual({});
    expect(impact.severity).not.toBe("SEV1");
    expect(impact.rule).not.toMatch(/\d{3,}%/);
  });
});
