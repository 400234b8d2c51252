/**
 * What a metric measures, read from its name, and which way is bad. Names come from many sources
 * (`http.latency_p95`, `CpuUsageRate(%)`, `carts_lat_90`, `node.disk_io`), so the match is on
 * words, not on one vocabulary.
 */

export type MetricKind =
  | "errors"
  | "success"
  | "latency"
  | "traffic"
  | "cpu"
  | "memory"
  | "io"
  | "disk"
  | "network"
  | "saturation"
  | "other";

/** `up`: only a rise is bad; `down`: only a fall; `both`: either is (traffic, network volume). */
export type BadDirection = "up" | "down" | "both";

export type KindRule = { kind: MetricKind; bad: BadDirection; local: boolean };

// Order matters: "error_rate" is errors before it is a rate; "success" before "rate".
const RULES: Array<[RegExp, KindRule]> = [
  [/error|fail|5xx|exception|fault/, { kind: "errors", bad: "up", local: false }],
  [/success|sla|availability|apdex|uptime/, { kind: "success", bad: "down", local: false }],
  [/latency|duration|response_?time|(^|[._])lat(_|$)|p9\d|p50|\brt\b/, { kind: "latency", bad: "up", local: false }],
  [/evict|throttl|queue|saturat|pool|blocked|wait|pending|restart|oom/, { kind: "saturation", bad: "up", local: true }],
  [/cpu/, { kind: "cpu", bad: "up", local: true }],
  [/mem|heap|rss|gc_/, { kind: "memory", bad: "up", local: true }],
  [/disk|fs_|filesystem|volume/, { kind: "disk", bad: "up", local: true }],
  [/syscall|\bio\b|_io|io_|iops|read|write/, { kind: "io", bad: "both", local: true }],
  [/network|net_|receive|transmit|\brx\b|\btx\b|bytes|packet|socket|tcp/, { kind: "network", bad: "both", local: true }],
  [/request|workload|throughput|qps|rps|ops|(^|[._])lod($|_)|load|traffic|count|rate/, { kind: "traffic", bad: "both", local: false }],
];

/**
 * The kind of a metric and its bad direction. `local` kinds (resources) move on the faulty pod
 * itself; the others (latency, errors, traffic) also move on its callers and callees.
 */
export function metricKind(name: string): KindRule {
  const n = name.toLowerCase();
  for (const [pattern, rule] of RULES) if (pattern.test(n)) return rule;
  return { kind: "other", bad: "both", local: false };
}
