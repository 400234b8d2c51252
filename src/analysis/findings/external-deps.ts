/**
 * External-dependency findings from logs. A caller's error lines that name a dependency (a host, a
 * host:port, an SMTP server) and say how it failed are evidence of an external root cause even when
 * nothing is collected from that dependency: an expired TLS certificate, an HTTP 429 or 503 from a
 * third party, a DNS failure, a refused, reset or timed-out connection, an SMTP 4xx/5xx reply.
 *
 * A finding is reported when its lines appear in the window with none before it, or when their
 * rate in the window is at least `minSpike` times the rate before it. The wording recognised is the
 * one the common stacks print (Go net/http and crypto/x509, Java and its HTTP clients, Node.js
 * errno codes, Python requests/urllib3/smtplib, nginx, Envoy); see the unit tests for real-looking
 * lines of each.
 *
 * Pure: reads log signals (`logs.samples`, `k8s.pod_log`, or any signal of kind `log` whose
 * `data.lines` holds strings or `{ time?, message }`). The lines are already redacted by the
 * collector; this module only reads them, and keeps a short sample.
 */
import type { Signal, Window } from "../../signals/types.js";
import { mineTemplates, templateText } from "../log-templates.js";
import { SIGNAL } from "../../signals/catalog.js";

export type ExternalDependencyKind = "tls-expired" | "rate-limited" | "unavailable" | "dns" | "refused" | "timeout" | "smtp";

export type ExternalDependencyFinding = {
  /** Host name or IP (no port, no scheme) the caller failed to use; `smtp` / `dns` when the line names none. */
  dependency: string;
  /** The port when the line gave one. */
  port?: number;
  kind: ExternalDependencyKind;
  /** The caller: the service whose logs show it. */
  service: string;
  /** Earliest matching line inside the window (epoch ms), when lines carry times. */
  firstSeen?: number;
  /** Matching lines inside the window. */
  count: number;
  /** Matching lines before the window. */
  baseline: number;
  /** Rate in the window over the rate before it; null when there were none before (`isNew`) or no times to compare. */
  spike: number | null;
  isNew: boolean;
  /** The mined template of the matching lines (the commonest one when they fall in several). */
  template: string;
  /** One matching line, cut to 300 characters. */
  sample: string;
  /** Ids of the log signals that hold the lines. */
  evidence: string[];
};

export type ExternalDependencyOptions = {
  /** Rate ratio (window over before) that counts as a spike for a template seen before the window. Default 3. */
  minSpike?: number;
  /** Lines read per signal (the newest kept); bounds the work on a huge log. Default 20 000. */
  maxLines?: number;
};

type Line = { time?: number; message: string };
type Classified = { kind: ExternalDependencyKind; host?: string; port?: number };

const MAX_LINE = 4000;

/** An HTTP status as a reply (after `status`, `HTTP/1.1`, `returned`…, or before its reason phrase), never a stray number. */
const status = (codes: string, reason: string) =>
  new RegExp(
    `(?:status(?:[ _]?code)?|code|HTTP/\\d(?:\\.\\d)?|returned|response|responded|got|received|replied)\\W{0,3}(?:${codes})\\b|\\b(?:${codes}) ${reason}`,
    "i",
  );

/** SMTP: an exception class of the mail clients, an enhanced status code ("550 5.1.1"), or "SMTP"/"mail" with a 4xx/5xx reply (not a port). */
const SMTP_CLASS =
  /\bSMTP(?:Recipients|Sender|Data|Authentication|Connect|Response|Server)\w*(?:Error|Refused|Exception|Disconnected)\b|\bMail(?:Send)?Exception\b/;
const SMTP_ENHANCED = /(?<![\w.:])[45]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b/;
const SMTP_REPLY = /\b(?:smtp|mail|mx)\w*\b[^\n]*?(?<![\w.:/=-]|port[:=]? ?)[45]\d\d(?![\w.:])/i;

/** Failure wording, most specific first; the first match decides the kind. */
const KINDS: Array<{ kind: ExternalDependencyKind; test: (s: string) => boolean }> = [
  {
    kind: "tls-expired",
    test: (s) =>
      /certificate has expired|certificate (?:is )?expired|CERT_HAS_EXPIRED|CertificateExpiredException|alert certificate expired|expired certificate|validity check failed/i.test(
        s,
      ),
  },
  {
    kind: "dns",
    test: (s) =>
      /\bNXDOMAIN\b|no such host|EAI_AGAIN|ENOTFOUND|EAI_NONAME|UnknownHostException|Name or service not known|Temporary failure in name resolution|nodename nor servname|could not resolve host|could not be resolved|Failed to resolve|server misbehaving/i.test(
        s,
      ),
  },
  { kind: "smtp", test: (s) => SMTP_CLASS.test(s) || SMTP_ENHANCED.test(s) || SMTP_REPLY.test(s) },
  {
    kind: "rate-limited",
    test: (s) =>
      status("429", "Too Many Requests").test(s) ||
      /Too Many Requests|rate[- ]?limit(?:ed| exceeded)|\bthrottled\b|RESOURCE_EXHAUSTED/i.test(s),
  },
  { kind: "refused", test: (s) => /connection refused|ECONNREFUSED|actively refused|connect\(\) failed \(111/i.test(s) },
  {
    kind: "timeout",
    test: (s) =>
      /i\/o timeout|timed out|ETIMEDOUT|ESOCKETTIMEDOUT|context deadline exceeded|DeadlineExceeded|SocketTimeoutException|Connect(?:ion)?Timeout|ReadTimeout|timeout awaiting|Gateway Time-?out/i.test(
        s,
      ) || status("504", "Gateway Time-?out").test(s),
  },
  {
    kind: "unavailable",
    test: (s) =>
      status("502|503", "(?:Service Unavailable|Bad Gateway)").test(s) ||
      /Service Unavailable|Bad Gateway|no healthy upstream|ECONNRESET|connection reset|reset by peer|broken pipe|upstream connect error|\bUNAVAILABLE\b/i.test(
        s,
      ),
  },
];

/** Where a line names the remote end, in the order the stacks write it; the first that yields a host wins. */
const HOST_PATTERNS: RegExp[] = [
  /\bupstream: "?[a-z][\w+.-]*:\/\/\[?([\w.:-]+?)\]?(?::(\d+))?[/"\s]/i, // nginx
  /\bupstream_host[=:] ?"?([\w.-]+?)(?::(\d+))?["\s,]/i, // envoy access log
  /\b(?:host|hostname|server|remote|peer|address|addr)\s*[=:]\s*['"]?([\w.-]+\.[\w-]+|\d{1,3}(?:\.\d{1,3}){3})['"]?(?:[,)\s]+port[=:]\s*(\d+))?/i, // python pools, key=value
  /\blookup ([\w.-]+)(?: on [\d.:]+)?:/i, // Go resolver
  /\b[a-z][\w+.-]*:\/\/(?:[^@/\s"']+@)?\[?([\w.:-]+?)\]?(?::(\d+))?(?=[/"'\s?]|$)/i, // any URL: the request's target beats the address it resolved to
  /\bdial (?:tcp|udp)[46]? ([\w.-]+|\[[\w:]+\]):(\d+)/i, // Go dialer
  /\b(?:ENOTFOUND|EAI_AGAIN|EAI_NONAME|ECONNREFUSED|ETIMEDOUT|ECONNRESET)\s+([\w.-]+?)(?::(\d+))?(?=[\s,;)]|$)/, // Node errno
  /UnknownHostException: ([\w.-]+)/, // Java
  /\b([\w.-]+\.[a-z][\w-]*) could not be resolved/i, // nginx resolver
  /could not resolve host:? ([\w.-]+)/i, // curl
  /\b(?:to|from|connecting to|connect to|for)\s+\/?([a-z][\w-]*(?:\.[\w-]+)+|\d{1,3}(?:\.\d{1,3}){3})(?::(\d+))?\b/i, // "to host:port"
  /(?<![\w.-])([a-z][\w-]*(?:\.[\w-]+)+|\d{1,3}(?:\.\d{1,3}){3}):(\d{2,5})\b/i, // any host:port
];

/** Names that are not remote dependencies (file names, code locations, our own loopback). */
const NOT_A_HOST =
  /\.(?:go|java|py|js|ts|rb|c|cc|h|kt|scala|log|json|ya?ml|conf|properties|class|jar)$|^(?:localhost|127\.0\.0\.1|0\.0\.0\.0)$/i;

/** HTTP 429/503 are only a dependency's answer when the line also says it came from a named remote. */
const HTTP_STATUS_KINDS = new Set<ExternalDependencyKind>(["rate-limited", "unavailable"]);

/** The remote host (and port) a line names, if any. */
export function namedHost(message: string): { host: string; port?: number } | undefined {
  for (const re of HOST_PATTERNS) {
    const m = re.exec(message);
    if (!m?.[1]) continue;
    const host = m[1]
      .replace(/^\[|\]$/g, "")
      .replace(/\.$/, "")
      .toLowerCase();
    if (NOT_A_HOST.test(host) || !/[a-z0-9]/.test(host)) continue;
    const port = m[2] ? Number(m[2]) : undefined;
    return { host, ...(port && port < 65536 ? { port } : {}) };
  }
  return undefined;
}

/** The failure a line reports and the dependency it names, or undefined when it is not an external-dependency failure. */
export function classifyLine(message: string): Classified | undefined {
  const text = message.length > MAX_LINE ? message.slice(0, MAX_LINE) : message;
  const hit = KINDS.find((k) => k.test(text));
  if (!hit) return undefined;
  const named = namedHost(text);
  if (!named && HTTP_STATUS_KINDS.has(hit.kind)) return undefined;
  if (!named && hit.kind !== "smtp" && hit.kind !== "dns" && hit.kind !== "tls-expired") return undefined;
  return { kind: hit.kind, ...(named ? { host: named.host, ...(named.port ? { port: named.port } : {}) } : {}) };
}

function linesOf(s: Signal, maxLines: number): Line[] {
  const raw = (s.data?.lines ?? []) as unknown;
  if (!Array.isArray(raw)) return [];
  const out: Line[] = [];
  for (const l of raw.slice(-maxLines)) {
    if (typeof l === "string") {
      const stamp = /^(\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2}))\s+/.exec(l);
      const time = stamp ? Date.parse(stamp[1]!) : NaN;
      out.push({ message: stamp ? l.slice(stamp[0].length) : l, ...(Number.isFinite(time) ? { time } : {}) });
    } else if (l && typeof l === "object" && typeof (l as { message?: unknown }).message === "string") {
      const o = l as { time?: unknown; message: string };
      const time = typeof o.time === "number" ? o.time : typeof o.time === "string" ? Date.parse(o.time) : NaN;
      out.push({ message: o.message, ...(Number.isFinite(time) ? { time } : {}) });
    }
  }
  return out;
}

const isLogSignal = (s: Signal) => s.name === SIGNAL.logsSamples || s.name === SIGNAL.k8sPodLog || s.kind === "log";

type Acc = {
  service: string;
  kind: ExternalDependencyKind;
  host?: string;
  port?: number;
  inWindow: number[];
  before: number[];
  evidence: Set<string>;
  sample?: string;
};

/** External-dependency findings in the callers' logs for the incident window, strongest first. */
export function externalDependencyFindings(
  signals: Signal[],
  window: Window,
  options: ExternalDependencyOptions = {},
): ExternalDependencyFinding[] {
  const minSpike = options.minSpike ?? 3;
  const maxLines = options.maxLines ?? 20_000;
  const groups = new Map<string, Acc>();
  const templateOf = new Map<string, string[]>(); // group key → templates of its lines
  let earliestBefore = Infinity;
  for (const s of signals.filter(isLogSignal)) {
    const service = s.service ?? s.id;
    const lines = linesOf(s, maxLines);
    if (!lines.length) continue;
    const messages = lines.map((l) => (l.message.length > MAX_LINE ? l.message.slice(0, MAX_LINE) : l.message));
    let mined: ReturnType<typeof mineTemplates> | undefined;
    messages.forEach((message, i) => {
      const c = classifyLine(message);
      if (!c) return;
      const key = `${service}\u0000${c.kind}\u0000${c.host ?? ""}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { service, kind: c.kind, host: c.host, port: c.port, inWindow: [], before: [], evidence: new Set() }));
      const t = lines[i]!.time;
      const before = t !== undefined && t < window.from;
      if (t !== undefined && t > window.to) return;
      (before ? g.before : g.inWindow).push(t ?? NaN);
      if (before) earliestBefore = Math.min(earliestBefore, t);
      if (!before) g.sample ??= message.slice(0, 300);
      g.evidence.add(s.id);
      mined ??= mineTemplates(messages);
      const list = templateOf.get(key) ?? [];
      list.push(templateText(mined.templates[mined.assignment[i]!]!));
      templateOf.set(key, list);
    });
  }
  foldHostless(groups, templateOf);
  const windowSpan = Math.max(1, window.to - window.from);
  const beforeSpan = Number.isFinite(earliestBefore) ? Math.max(1, window.from - earliestBefore) : undefined;
  const out: ExternalDependencyFinding[] = [];
  for (const [key, g] of groups) {
    const count = g.inWindow.length;
    if (!count) continue;
    const baseline = g.before.length;
    const isNew = baseline === 0;
    const spike = !isNew && beforeSpan ? count / windowSpan / (baseline / beforeSpan) : null;
    if (!isNew && (spike === null || spike < minSpike)) continue;
    const times = g.inWindow.filter((t) => Number.isFinite(t));
    out.push({
      dependency: g.host ?? (g.kind === "smtp" ? "smtp" : g.kind === "dns" ? "dns" : "tls"),
      ...(g.port ? { port: g.port } : {}),
      kind: g.kind,
      service: g.service,
      ...(times.length ? { firstSeen: Math.min(...times) } : {}),
      count,
      baseline,
      spike: spike === null ? null : Math.round(spike * 10) / 10,
      isNew,
      template: commonest(templateOf.get(key) ?? []),
      sample: g.sample ?? "",
      evidence: [...g.evidence].sort(),
    });
  }
  return out.sort((a, b) => WEIGHT[b.kind] - WEIGHT[a.kind] || b.count - a.count || a.dependency.localeCompare(b.dependency));
}

/**
 * A failure's lines that name no host (a stack trace's "Caused by: …CertificateExpiredException", an
 * SMTP reply on its own line) belong to the one dependency the same caller names for the same kind;
 * with two or more named, they stay apart (which one they belong to is unknown).
 */
function foldHostless(groups: Map<string, Acc>, templateOf: Map<string, string[]>): void {
  for (const [key, g] of groups) {
    if (g.host !== undefined) continue;
    const named = [...groups].filter(([, o]) => o.host !== undefined && o.service === g.service && o.kind === g.kind);
    if (named.length !== 1) continue;
    const [namedKey, target] = named[0]!;
    target.inWindow.push(...g.inWindow);
    target.before.push(...g.before);
    for (const e of g.evidence) target.evidence.add(e);
    target.sample ??= g.sample;
    templateOf.set(namedKey, [...(templateOf.get(namedKey) ?? []), ...(templateOf.get(key) ?? [])]);
    groups.delete(key);
  }
}

/** How decisive a kind is on its own: an expired certificate or NXDOMAIN names the cause; a timeout may be a symptom. */
const WEIGHT: Record<ExternalDependencyKind, number> = {
  "tls-expired": 7,
  dns: 6,
  smtp: 5,
  "rate-limited": 4,
  refused: 3,
  unavailable: 2,
  timeout: 1,
};

function commonest(xs: string[]): string {
  const n = new Map<string, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? "";
}
