import type { RepoConfig } from "../config/repo-config.js";
import type { Signal } from "../signals/types.js";
import type { RcaResult } from "./rca.js";
import { SIGNAL } from "../signals/catalog.js";
import { notARatio } from "./profile.js";

export type Severity = "SEV1" | "SEV2" | "SEV3" | "SEV4";

export type IncidentImpact = {
  severity: Severity;
  urgency: "page now" | "today" | "this week";
  /** The rule that set the severity, in words. */
  rule: string;
  affected: string[];
  /** Services that call an affected one (who else may feel it). */
  dependents: string[];
  errorRate: Record<string, number>;
};

/**
 * Severity by stated rules (README "Incident severity"):
 * SEV1 — a critical-tier service with error rate ≥ 20% or SLA < 90%;
 * SEV2 — a critical- or high-tier service with error rate ≥ 5% or SLA < 99%, or 3+ services affected;
 * SEV3 — any service affected; SEV4 — nothing user-facing found.
 */
export function assessIncidentImpact(
  r: RcaResult,
  signals: Signal[],
  config: RepoConfig,
  edges: Array<{ from: string; to: string }>,
): IncidentImpact {
  const affected = [
    ...new Set(
      r.anomalies
        .filter((a) => a.kind !== "alert" && a.severity >= 0.3)
        .map((a) => a.service)
        .filter((s): s is string => !!s),
    ),
  ].sort();
  const dependents = [...new Set(edges.filter((e) => affected.includes(e.to) && !affected.includes(e.from)).map((e) => e.from))].sort();
  const value = (service: string, name: string) => signals.find((s) => s.service === service && s.name === name)?.value;
  // An error "rate" outside 0..1 is a wrong query (a request count): it neither sets the severity nor prints.
  const ratio = (service: string) => {
    const s = signals.find((x) => x.service === service && x.name === SIGNAL.httpErrorRate);
    return s && notARatio(s) === undefined ? s.value : undefined;
  };
  const errorRate = Object.fromEntries(affected.map((s) => [s, ratio(s)]).filter((e): e is [string, number] => e[1] !== undefined));
  const tier = (s: string) => config.services[s]?.tier ?? "medium";
  const sla = (s: string) => value(s, SIGNAL.apmSla);
  const sev1 = affected.find((s) => tier(s) === "critical" && ((errorRate[s] ?? 0) >= 0.2 || (sla(s) ?? 100) < 90));
  const sev2 = affected.find((s) => ["critical", "high"].includes(tier(s)) && ((errorRate[s] ?? 0) >= 0.05 || (sla(s) ?? 100) < 99));
  const [severity, rule]: [Severity, string] = sev1
    ? [
        "SEV1",
        `${sev1} is critical-tier and fails ${(errorRate[sev1] ?? 0) >= 0.2 ? `${Math.round(errorRate[sev1]! * 100)}% of requests` : `its SLA (${sla(sev1)}%)`}`,
      ]
    : sev2
      ? [
          "SEV2",
          `${sev2} is ${tier(sev2)}-tier with ${(errorRate[sev2] ?? 0) >= 0.05 ? `${Math.round(errorRate[sev2]! * 100)}% errors` : `SLA ${sla(sev2)}%`}`,
        ]
      : affected.length >= 3
        ? ["SEV2", `${affected.length} services affected`]
        : affected.length
          ? ["SEV3", `${affected.join(", ")} affected, below the SEV2 thresholds`]
          : ["SEV4", "no user-facing service shows an anomaly"];
  const urgency = severity === "SEV1" || severity === "SEV2" ? "page now" : severity === "SEV3" ? "today" : "this week";
  return { severity, urgency, rule, affected, dependents, errorRate };
}
