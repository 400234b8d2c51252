import { describe, expect, it } from "@jest/globals";
import { findAnomalies, logAnomalies } from "../../../src/analysis/find-anomalies.js";
import { mineFailureLog } from "../../../src/analysis/ci-failure.js";
import { incidentKeywords } from "../../../src/analysis/incident-keywords.js";
import { compactSignal } from "../../../src/llm/evidence-pack.js";
import type { Signal } from "../../../src/signals/types.js";

/**
 * Redact first, then mask and cut (issue 15). The miner masks digits and the anomaly detail is
 * cut at 140 characters; done before redaction, a Slack token's tail and a GitHub token's head
 * (which carries a checksum) survive into the RCA comment, the model's pack and the capsule.
 */
const j = (...parts: string[]) => parts.join("");
const GHP = j("ghp", "_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx");
const SLACK = j("xoxb", "-23984754863-2348975623000-", "AAAAANzjawSSE9krECohd");
const PW = "Kq9vLm2Xy7Tz";

function windows(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) out.push(secret.slice(i, i + 8));
  return out;
}
const leaked = (text: string, secrets: string[]) => secrets.flatMap(windows).filter((w) => text.includes(w));

const window = { from: Date.parse("2026-11-23T02:00:00Z"), to: Date.parse("2026-11-23T03:00:00Z") };
const logSignal = (lines: string[]): Signal => ({
  id: "loki:api:logs",
  source: "loki",
  adapter: "elasticsearch",
  kind: "log",
  service: "api",
  name: "logs.samples",
  query: "q",
  data: { lines },
});

describe("redaction happens before templating and cutting", () => {
  // 100 characters of prefix put the tokens across the 140-character cut.
  const pad = "x".repeat(100);
  const lines = [
    `2026-11-23T02:10:00Z ERROR ${pad} slack post failed with token ${SLACK} (retry 1)`,
    `2026-11-23T02:10:05Z ERROR ${pad} slack post failed with token ${SLACK} (retry 2)`,
    `2026-11-23T02:11:00Z ERROR clone failed for https://${GHP}@github.com/acme/api.git status 128`,
    `2026-11-23T02:11:30Z ERROR db connect postgres://orders:${PW}/x@db:5432/orders refused`,
  ];

  it("log-template anomalies carry no piece of a token", () => {
    const details = logAnomalies([logSignal(lines)], window)
      .map((a) => a.detail)
      .join("\n");
    expect(details).toContain("clone failed");
    expect(leaked(details, [GHP, SLACK, PW])).toEqual([]);
  });

  it("incident signals (the capsule's trigger) carry no piece of a token", () => {
    const signals = incidentKeywords(findAnomalies([logSignal(lines)], window)).join("\n");
    expect(leaked(signals, [GHP, SLACK, PW])).toEqual([]);
  });

  it("CI failure templates and samples carry no piece of a token", () => {
    const log = lines.map((l) => l.replace(/^\S+Z /, "")).join("\n");
    const mined = mineFailureLog(log);
    const text = mined.templates.map((t) => `${t.text}\n${t.sample}`).join("\n");
    expect(text).toContain("[REDACTED:");
    expect(leaked(text, [GHP, SLACK, PW])).toEqual([]);
  });

  it("the model's evidence pack redacts a long value before cutting it at 200 characters", () => {
    const value = `${"y".repeat(170)} postgres://orders:${PW}@db:5432/orders`;
    const text = compactSignal({ ...logSignal([]), name: "k8s.config", data: { env: value } });
    expect(leaked(text, [PW])).toEqual([]);
  });

  it("a blocking query from pg_stat_activity with CREATE ROLE … PASSWORD is redacted in the lock finding", () => {
    const chains = [
      { pid: 4242, waiting_s: 31, blockedBy: [{ pid: 77, state: "active", query: `CREATE ROLE etl LOGIN PASSWORD '${PW}'` }] },
    ];
    const signal: Signal = {
      id: "pg:locks",
      source: "pg",
      adapter: "postgres",
      kind: "state",
      name: "pg.blocked_queries",
      value: 1,
      query: "q",
      data: { chains },
    };
    const detail = findAnomalies([signal], window)
      .map((a) => a.detail)
      .join("\n");
    expect(detail).toContain("pid 77");
    expect(leaked(detail, [PW])).toEqual([]);
  });
});
