import { describe, expect, it } from "@jest/globals";
import { classifyLine, externalDependencyFindings } from "../../../../src/analysis/findings/external-deps.js";
import type { Signal } from "../../../../src/signals/types.js";

const T0 = Date.parse("2026-05-01T10:00:00Z");
const window = { from: T0, to: T0 + 30 * 60_000 };
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();

const logSignal = (
  service: string,
  lines: Array<{ time?: string; message: string } | string>,
  id = `es:${service}:logs:samples`,
): Signal => ({
  id,
  source: "es",
  adapter: "elasticsearch",
  kind: "log",
  service,
  name: "logs.samples",
  data: { lines },
  query: "q",
});

describe("external-dependency line classification, real-looking lines from many stacks", () => {
  const cases: Array<[string, string, { kind: string; host?: string; port?: number }]> = [
    [
      "Go net/http + x509",
      'Get "https://api.stripe.com/v1/charges": x509: certificate has expired or is not yet valid: current time 2026-05-01T10:00:00Z is after 2026-04-30T23:59:59Z',
      { kind: "tls-expired", host: "api.stripe.com" },
    ],
    [
      "Go resolver",
      "dial tcp: lookup ledger.partner-bank.com on 10.96.0.10:53: no such host",
      { kind: "dns", host: "ledger.partner-bank.com" },
    ],
    ["Go dialer", "pq: dial tcp 10.0.3.7:5432: connect: connection refused", { kind: "refused", host: "10.0.3.7", port: 5432 }],
    [
      "Go timeout",
      'Post "https://hooks.slack.com/services/T000/B000/XXXX": dial tcp 52.1.2.3:443: i/o timeout',
      { kind: "timeout", host: "hooks.slack.com" },
    ],
    [
      "Go 429",
      "github: unexpected status 429 Too Many Requests from https://api.github.com/repos/acme/shop/commits",
      { kind: "rate-limited", host: "api.github.com" },
    ],
    [
      "Java Spring TLS",
      'I/O error on GET request for "https://rates.partner.io/v2/fx": PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed',
      { kind: "tls-expired", host: "rates.partner.io" },
    ],
    ["Java DNS", "java.net.UnknownHostException: api.partner.com: Name or service not known", { kind: "dns", host: "api.partner.com" }],
    [
      "Java Feign timeout",
      "feign.RetryableException: Read timed out executing GET http://inventory:8080/items/42",
      { kind: "timeout", host: "inventory", port: 8080 },
    ],
    [
      "Java mail connect",
      "javax.mail.MessagingException: Could not connect to SMTP host: smtp.sendgrid.net, port: 587; nested exception is: java.net.ConnectException: Connection timed out",
      { kind: "timeout", host: "smtp.sendgrid.net", port: 587 },
    ],
    [
      "Java SMTP reply",
      "com.sun.mail.smtp.SMTPSendFailedException: 550 5.7.1 Relaying denied to smtp.office365.com",
      { kind: "smtp", host: "smtp.office365.com" },
    ],
    [
      "Java 503",
      "WARN c.a.PaymentClient - POST https://api.adyen.com/pal/servlet/Payment/v68/authorise returned 503 Service Unavailable",
      { kind: "unavailable", host: "api.adyen.com" },
    ],
    ["Node refused", "Error: connect ECONNREFUSED 10.0.12.4:6379", { kind: "refused", host: "10.0.12.4", port: 6379 }],
    [
      "Node fetch DNS",
      "FetchError: request to https://api.sendgrid.com/v3/mail/send failed, reason: getaddrinfo EAI_AGAIN api.sendgrid.com",
      { kind: "dns", host: "api.sendgrid.com" },
    ],
    [
      "Node pino TLS",
      '{"level":50,"msg":"quote fetch failed","err":{"code":"CERT_HAS_EXPIRED","message":"certificate has expired"},"url":"https://api.partner.io/v1/quotes"}',
      { kind: "tls-expired", host: "api.partner.io" },
    ],
    ["Node nodemailer", "Error: Invalid login: 535-5.7.8 Username and Password not accepted", { kind: "smtp" }],
    [
      "Node reset",
      "Error: read ECONNRESET 10.0.4.4:443 (upstream https://search.vendor.net/q)",
      { kind: "unavailable", host: "search.vendor.net" },
    ],
    [
      "Python requests DNS",
      "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.twilio.com', port=443): Max retries exceeded with url: /2010-04-01/Accounts (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f3>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution'))",
      { kind: "dns", host: "api.twilio.com", port: 443 },
    ],
    [
      "Python requests TLS",
      "requests.exceptions.SSLError: HTTPSConnectionPool(host='api.partner.com', port=443): Max retries exceeded with url: /v1 (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1007)')))",
      { kind: "tls-expired", host: "api.partner.com", port: 443 },
    ],
    [
      "Python 429",
      "429 Client Error: Too Many Requests for url: https://api.openai.com/v1/chat/completions",
      { kind: "rate-limited", host: "api.openai.com" },
    ],
    [
      "Python smtplib",
      "smtplib.SMTPRecipientsRefused: {'ops@example.com': (550, b'5.1.1 The email account that you tried to reach does not exist.')}",
      { kind: "smtp" },
    ],
    [
      "nginx refused",
      '2026/05/01 10:00:01 [error] 31#31: *1045 connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.2.3, server: shop.example.com, request: "GET /api/cart HTTP/1.1", upstream: "http://10.0.5.12:8080/api/cart", host: "shop.example.com"',
      { kind: "refused", host: "10.0.5.12", port: 8080 },
    ],
    [
      "nginx timeout",
      '2026/05/01 10:00:02 [error] 31#31: *1046 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.1.2.3, server: _, request: "GET /q HTTP/1.1", upstream: "http://10.0.5.13:9000/q"',
      { kind: "timeout", host: "10.0.5.13", port: 9000 },
    ],
    [
      "nginx resolver",
      "2026/05/01 10:00:03 [error] 7#7: *88 api.partner.com could not be resolved (3: Host not found)",
      { kind: "dns", host: "api.partner.com" },
    ],
    [
      "envoy access log",
      '[2026-05-01T10:00:00.000Z] "POST /v1/charge HTTP/1.1" 503 UF,URX upstream_reset_before_response_started{connection_failure} 0 91 30 - "10.1.0.4" "Go-http-client/1.1" "f3a1" "payments.default.svc.cluster.local:8080" "10.0.7.9:8080"',
      { kind: "unavailable", host: "payments.default.svc.cluster.local", port: 8080 },
    ],
  ];
  it.each(cases)("%s", (_stack, line, expected) => {
    const got = classifyLine(line);
    expect(got).toMatchObject({
      kind: expected.kind,
      ...(expected.host ? { host: expected.host } : {}),
      ...(expected.port ? { port: expected.port } : {}),
    });
  });

  it.each([
    [
      "an access log line of the service itself",
      '10.0.0.1 - - [01/May/2026:10:00:00 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29"',
    ],
    ["a timeout setting, not a timeout", "connecting to redis at 10.0.0.5:6379 with timeout=5s"],
    ["a byte count that looks like 503", "sent 503 bytes to 10.0.0.5:443"],
    ["an SMTP port that looks like a 5xx reply", "SMTP connection to smtp.example.com:587 established"],
    ["a 503 nobody named (our own answer)", "responded 503 to client in 12 ms"],
  ])("ignores %s", (_what, line) => {
    expect(classifyLine(line)).toBeUndefined();
  });
});

describe("external-dependency findings", () => {
  it("an error template that appears in the window and names a host is a finding, first seen from the whole window", () => {
    const lines = [
      { time: at(-20), message: "GET https://api.partner.io/v1/quotes 200 in 120 ms" },
      { time: at(3), message: 'Get "https://api.partner.io/v1/quotes": x509: certificate has expired or is not yet valid' },
      ...Array.from({ length: 150 }, (_, i) => ({ time: at(4 + i / 10), message: `order ${i} created` })),
      { time: at(25), message: 'Get "https://api.partner.io/v1/quotes": x509: certificate has expired or is not yet valid' },
    ];
    const [f, ...rest] = externalDependencyFindings([logSignal("checkout", lines)], window);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      dependency: "api.partner.io",
      kind: "tls-expired",
      service: "checkout",
      firstSeen: T0 + 3 * 60_000,
      count: 2,
      baseline: 0,
      spike: null,
      isNew: true,
      evidence: ["es:checkout:logs:samples"],
    });
    expect(f!.template).toBe("Get <*>: <*>: certificate has expired or is not yet valid");
  });

  it("a template seen before the window counts only when its rate spikes (ratio of rates, not of counts)", () => {
    const before = Array.from({ length: 6 }, (_, i) => ({ time: at(-60 + i * 10), message: "Error: connect ECONNREFUSED 10.0.12.4:6379" }));
    const steady = Array.from({ length: 3 }, (_, i) => ({ time: at(i * 10), message: "Error: connect ECONNREFUSED 10.0.12.4:6379" }));
    expect(externalDependencyFindings([logSignal("cart", [...before, ...steady])], window)).toEqual([]);
    const burst = Array.from({ length: 30 }, (_, i) => ({ time: at(i), message: "Error: connect ECONNREFUSED 10.0.12.4:6379" }));
    const [f] = externalDependencyFindings([logSignal("cart", [...before, ...burst])], window);
    // 30 lines in 30 min against 6 lines in the 60 min before: 1/min over 0.1/min.
    expect(f).toMatchObject({ dependency: "10.0.12.4", port: 6379, kind: "refused", count: 30, baseline: 6, spike: 10, isNew: false });
  });

  it("groups by caller, kind and dependency, strongest kind first, and reads k8s pod logs with timestamps in the text", () => {
    const pod: Signal = {
      id: "k8s:mailer:k8s:log:mailer-7d9",
      source: "k8s",
      adapter: "kubernetes",
      kind: "log",
      service: "mailer",
      name: "k8s.pod_log",
      data: {
        pod: "mailer-7d9",
        lines: [
          `${at(5)} smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted') from smtp.gmail.com`,
          `${at(6)} dial tcp 10.0.3.7:5432: i/o timeout`,
        ],
      },
      query: "logs",
    };
    const es = logSignal("api", [{ time: at(1), message: "dial tcp: lookup ledger.partner-bank.com on 10.96.0.10:53: no such host" }]);
    const found = externalDependencyFindings([pod, es], window);
    expect(found.map((f) => [f.service, f.kind, f.dependency])).toEqual([
      ["api", "dns", "ledger.partner-bank.com"],
      ["mailer", "smtp", "smtp.gmail.com"],
      ["mailer", "timeout", "10.0.3.7"],
    ]);
    expect(found[1]!.firstSeen).toBe(T0 + 5 * 60_000);
  });

  it("a stack trace's cause line that names no host joins the one dependency its caller names for that failure", () => {
    const trace = (min: number) => [
      {
        time: at(min),
        message:
          'I/O error on GET request for "https://rates.partner.io/v2/fx": PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed',
      },
      { time: at(min), message: "Caused by: java.security.cert.CertificateExpiredException: NotAfter: Thu Apr 30 23:59:59 UTC 2026" },
    ];
    const one = externalDependencyFindings([logSignal("fx", [...trace(2), ...trace(4)])], window);
    expect(one.map((f) => [f.dependency, f.kind, f.count])).toEqual([["rates.partner.io", "tls-expired", 4]]);
    const other = { time: at(5), message: 'Get "https://api.stripe.com/v1/charges": x509: certificate has expired or is not yet valid' };
    const two = externalDependencyFindings([logSignal("fx", [...trace(2), other])], window);
    expect(two.map((f) => f.dependency).sort()).toEqual(["api.stripe.com", "rates.partner.io", "tls"]);
  });

  it("ignores lines after the window, non-log signals and malformed line lists", () => {
    const late = logSignal("api", [{ time: at(45), message: "dial tcp: lookup x.example.com on 10.96.0.10:53: no such host" }]);
    const metric: Signal = {
      id: "m",
      source: "p",
      adapter: "prometheus",
      kind: "metric",
      name: "http.error_rate",
      query: "q",
      data: { lines: ["no such host x.example.com"] },
    };
    const broken = { ...logSignal("api", []), data: { lines: "not a list" } } as Signal;
    expect(externalDependencyFindings([late, metric, broken], window)).toEqual([]);
  });
});
