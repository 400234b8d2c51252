import { redact } from "../security/redact.js";
import type { Anomaly } from "./find-anomalies.js";

/** What each kind of anomaly is called where incidents are compared across teams (its keyword). */
const KIND_KEYWORD: Partial<Record<Anomaly["kind"], string>> = {
  "error-rate": "http 5xx error rate rising",
  latency: "latency regression",
  sla: "sla breach",
  "traffic-drop": "traffic drop",
  "db-locks": "postgres lock contention",
  "db-connections": "postgres connection exhaustion",
  "db-slow": "postgres slow queries",
  "cache-evictions": "redis eviction storm",
  "target-down": "scrape target down",
  node: "kubernetes node pressure",
};

/**
 * The incident's keywords: words another team's incident would share: error log templates (their
 * variables dropped), alert names, Kubernetes reasons and the kinds of saturation seen. Service
 * names, hosts, pids and values are left out, and everything is redacted (IPs included): these go
 * into capsules and hub searches, outside the organisation.
 */
export function incidentKeywords(anomalies: Anomaly[], limit = 12): string[] {
  const out: string[] = [];
  for (const a of anomalies) {
    if (a.kind === "log-template") {
      const template = /"(.*)"/.exec(a.detail)?.[1] ?? "";
      out.push(template.replace(/<\*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 120));
    } else if (a.kind === "alert") {
      // An alert's name (`HighErrorRate`), never an alarm's sentence, which names services ("Response time of service api …").
      if (/^[\w.:-]{3,80}$/.test(a.detail)) out.push(a.detail);
    } else if (a.finding) out.push(a.finding.reason, ...(a.kind === "node" ? [KIND_KEYWORD.node!] : []));
    else if (a.kind === "oom" || a.kind === "pod-failure") out.push(a.detail.split(":")[0]!.trim());
    else if (a.kind === "node") out.push(a.detail.split(":")[0]!.trim(), KIND_KEYWORD.node!);
    else if (KIND_KEYWORD[a.kind]) out.push(KIND_KEYWORD[a.kind]!);
  }
  const clean = out
    .map((s) =>
      redact(s, { ips: true })
        .replace(/\[REDACTED[^\]]*\]/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    )
    .filter((s) => s.length >= 3);
  return [...new Set(clean)].slice(0, limit);
}
