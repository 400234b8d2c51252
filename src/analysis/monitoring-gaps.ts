import type { RepoConfig } from "../config/repo-config.js";
import { promSelector } from "../signals/safe-values.js";
import type { ClassifiedFile } from "./classify-change.js";
import type { ServiceProfile } from "./profile.js";

/** Something a reviewer cannot watch because it is not monitored, with the fix to suggest. */
export type MonitoringGap = { service: string; gap: string; suggestion: string; kind: "alert" | "metric" | "tracing" | "route" };

const camel = (s: string) => s.replace(/(^|[-_.])(\w)/g, (_m, _s, c: string) => c.toUpperCase());

/** The seed's "index construction decisions": what is not alerted, not measured, not traced. */
export function monitoringGaps(
  profiles: ServiceProfile[],
  files: ClassifiedFile[],
  config: RepoConfig,
  sourcesSeen: { rules: boolean; apm: boolean; metrics: boolean },
): MonitoringGap[] {
  const gaps: MonitoringGap[] = [];
  for (const p of profiles) {
    const svc = config.services[p.service];
    const labels = svc?.prometheus?.labels;
    if (!labels || Object.keys(labels).length === 0) {
      gaps.push({
        service: p.service,
        kind: "metric",
        gap: "no Prometheus selector in .github/insight.yml, so its RED metrics cannot be read",
        suggestion: `services:\n  ${p.service}:\n    prometheus: { labels: { service: ${p.service} } }`,
      });
    } else if (sourcesSeen.metrics && !p.hasErrorMetric) {
      gaps.push({
        service: p.service,
        kind: "metric",
        gap: "no error-rate series: requests are not counted by status code",
        suggestion: `instrument http_requests_total{${promSelector(labels)},code="…"} (a counter labelled with the status code)`,
      });
    }
    if (labels && sourcesSeen.rules && p.hasAlertRule === false) {
      const expr = config.metrics.errorRate.replaceAll("$selector", promSelector(labels));
      gaps.push({
        service: p.service,
        kind: "alert",
        gap: "no alert rule on its error rate or latency",
        suggestion: [
          "- alert: " + camel(p.service) + "HighErrorRate",
          `  expr: ${expr} > 0.05`,
          "  for: 5m",
          `  labels: { severity: ${p.tier === "critical" ? "critical" : "warning"}, service: ${p.service} }`,
          `  annotations: { summary: "${p.service} error rate above 5% for 5 minutes" }`,
        ].join("\n"),
      });
    }
    if (sourcesSeen.apm && !p.hasTraces) {
      gaps.push({
        service: p.service,
        kind: "tracing",
        gap: "no traces: the APM does not know this service",
        suggestion: svc?.skywalking
          ? `check that the SkyWalking agent reports as "${svc.skywalking.service}"`
          : "add a SkyWalking (or OpenTelemetry) agent and set services." + p.service + ".skywalking.service",
      });
    }
    const routes = files.filter((f) => f.services.includes(p.service)).flatMap((f) => (f.newRoutes ?? []).map((r) => `${r} (${f.path})`));
    if (routes.length && !p.hasErrorMetric) {
      gaps.push({
        service: p.service,
        kind: "route",
        gap: `new endpoint${routes.length > 1 ? "s" : ""} ${routes.join(", ")} with no request metric for the service`,
        suggestion: "count requests and errors per route (http_requests_total{route,code}) before it takes traffic",
      });
    }
  }
  return gaps;
}
