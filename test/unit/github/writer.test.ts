import { describe, expect, it } from "@jest/globals";
import pino from "pino";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileAuditLog, MemoryAuditLog, verifyAuditFile } from "../../../src/audit/file-audit-log.js";
import type { AuditEntry, AuditInput, AuditLog } from "../../../src/audit/types.js";
import { readMetadata } from "../../../src/github/metadata.js";
import type { Octokit } from "../../../src/core/github.js";
import { GitHubWriter } from "../../../src/github/writer.js";
import { api, type Captured, mockCreateComment, mockInstallationToken, mockListComments } from "../../helpers/github-mocks.js";
import { testProbot, useNock } from "../../helpers/probot.js";
import { insight } from "../../helpers/cli.js";

const repo = { owner: "acme", repo: "api" };

/** A writer for installation 2, auditing to `audit` (a fresh in-memory log by default). */
async function writer<A extends AuditLog = MemoryAuditLog>(
  dryRun = false,
  o: { audit?: A; delivery?: string; token?: boolean } = {},
): Promise<{ w: GitHubWriter; audit: A; octokit: Octokit }> {
  // The token is fetched lazily, on the first request: a dry run never asks for one.
  if (!dryRun && o.token !== false) mockInstallationToken();
  const octokit = (await testProbot().auth(2)) as Octokit;
  const audit = o.audit ?? (new MemoryAuditLog() as unknown as A);
  const w = new GitHubWriter({ octokit, audit, log: pino({ level: "silent" }), delivery: o.delivery ?? "d1", actor: "octocat", dryRun });
  return { w, audit, octokit };
}

describe("GitHubWriter", () => {
  useNock();

  it("redacts secrets from comment bodies and from hidden metadata", async () => {
    const { w } = await writer();
    const sent: Captured = {};
    mockListComments("acme", "api", 3, []);
    mockCreateComment("acme", "api", 3, sent);
    await w.upsertSticky({
      repo,
      issueNumber: 3,
      key: "rca",
      body: "connection string postgres://app:s3cr3t@db/app",
      metadata: { note: "token=abc123", hypotheses: [{ id: "h1" }] },
      reason: "test",
    });
    const body = String(sent.body?.body);
    expect(body).not.toContain("s3cr3t");
    expect(body).not.toContain("abc123");
    expect(readMetadata(body, "rca")).toEqual({ note: "token=[REDACTED:secret-pair]", hypotheses: [{ id: "h1" }] });
  });

  it("cuts an oversized body below GitHub's limit and keeps marker and metadata", async () => {
    const { w } = await writer();
    const sent: Captured = {};
    mockListComments("acme", "api", 3, []);
    mockCreateComment("acme", "api", 3, sent);
    await w.upsertSticky({
      repo,
      issueNumber: 3,
      key: "impact",
      body: "<details>\n" + "x".repeat(100_000),
      metadata: { id: 1 },
      reason: "test",
    });
    const body = String(sent.body?.body);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith("<!-- insight:sticky:impact -->")).toBe(true);
    expect(readMetadata(body, "impact")).toEqual({ id: 1 });
    expect(body).toMatch(/<\/details>\n\n… \(cut to fit GitHub's size limit\)$/);
  });

  it("keeps metadata that contains comment terminators readable and harmless", async () => {
    const { w } = await writer();
    const sent: Captured = {};
    mockListComments("acme", "api", 3, []);
    mockCreateComment("acme", "api", 3, sent);
    await w.upsertSticky({ repo, issueNumber: 3, key: "rca", body: "x", metadata: { text: "--> <script>" }, reason: "t" });
    const body = String(sent.body?.body);
    expect(body.split("-->").length).toBe(3); // the marker's and the metadata block's own terminators only
    expect(readMetadata(body, "rca")).toEqual({ text: "--> <script>" });
  });

  it("creates check runs with redacted output, at most 50 annotations, and audits them", async () => {
    const { w, audit } = await writer();
    let sent: any;
    api()
      .post("/repos/acme/api/check-runs", (b) => ((sent = b), true))
      .reply(201, { id: 55 });
    const annotations = Array.from({ length: 80 }, (_, i) => ({
      path: "a.ts",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "warning" as const,
      message: "password=hunter2",
    }));
    const result = await w.createCheckRun(
      repo,
      {
        name: "Insight / blast radius",
        headSha: "abc",
        status: "completed",
        conclusion: "neutral",
        output: { title: "t", summary: "s", annotations },
      },
      "impact",
    );
    expect(result.id).toBe(55);
    expect(sent.output.annotations).toHaveLength(50);
    expect(JSON.stringify(sent)).not.toContain("hunter2");
    expect(audit.outcomes[0]).toMatchObject({
      action: "check_run.create",
      outcome: "ok",
      detail: { checkRunId: 55, conclusion: "neutral" },
    });
  });

  it("treats removing a label that is already gone as done", async () => {
    const { w, audit } = await writer();
    api().delete("/repos/acme/api/issues/3/labels/risk%3Ahigh").reply(404, { message: "Label does not exist" });
    await w.removeLabel(repo, 3, "risk:high", "risk changed");
    expect(audit.outcomes[0]).toMatchObject({ action: "label.remove", outcome: "ok" });
  });

  it("in dry-run mode plans the write, with a preview, and sends nothing", async () => {
    const { w, audit } = await writer(true);
    await w.createComment(repo, 3, "hello", "t");
    expect(w.planned).toEqual([{ action: "comment.create", target: "acme/api#3", reason: "t", preview: "hello" }]);
    expect(audit.entries[0]).toMatchObject({ outcome: "dry-run" });
  });

  describe("write-ahead audit: the intent is durable before the write is sent", () => {
    it("records the intent before GitHub hears of the write, and the outcome names it", async () => {
      const { w, audit } = await writer();
      let seenByGitHub: AuditEntry[] = [];
      api()
        .post("/repos/acme/api/issues/3/comments")
        .reply(201, () => {
          seenByGitHub = [...audit.entries];
          return { id: 91 };
        });
      await w.createComment(repo, 3, "hello", "test");
      expect(seenByGitHub).toEqual([expect.objectContaining({ action: "comment.create", outcome: "intent", target: "acme/api#3" })]);
      const [intent, outcome] = audit.entries;
      expect(outcome).toMatchObject({ action: "comment.create", outcome: "ok", detail: { commentId: 91, intent: intent!.seq } });
      expect(audit.outcomes).toEqual([outcome]);
    });

    it("sends nothing when the intent cannot be recorded", async () => {
      const broken: AuditLog = {
        append: async () => {
          throw new Error("disk full");
        },
        head: async () => undefined,
        close: async () => undefined,
      };
      const { w, octokit } = await writer(false, { audit: broken, token: false });
      let requests = 0;
      octokit.hook.before("request", () => void requests++);
      await expect(w.createComment(repo, 3, "hello", "test")).rejects.toThrow("disk full");
      expect(requests).toBe(0);
    });

    it("a process stopped between GitHub's answer and the outcome leaves an unfinished write that audit verify names", async () => {
      const path = join(mkdtempSync(join(tmpdir(), "insight-wal-")), "audit.jsonl");
      const file = new FileAuditLog(path);
      // The process "dies" right after GitHub answers: the outcome append never reaches the file.
      let appends = 0;
      const dying: AuditLog = {
        append: (input: AuditInput) => (++appends === 2 ? new Promise<never>(() => undefined) : file.append(input)),
        head: () => file.head(),
        close: () => file.close(),
      };
      let answered!: () => void;
      const sent = new Promise<void>((resolve) => (answered = resolve));
      api()
        .post("/repos/acme/api/issues/3/comments")
        .reply(201, () => {
          answered();
          return { id: 92 };
        });
      const { w } = await writer(false, { audit: dying, delivery: "d-kill" });
      void w.createComment(repo, 3, "hello", "test");
      await sent;
      await file.close();
      const result = await verifyAuditFile(path);
      expect(result.ok).toBe(true);
      expect(result.unfinished).toEqual([
        expect.objectContaining({ seq: 1, action: "comment.create", target: "acme/api#3", actor: "octocat", delivery: "d-kill" }),
      ]);
      expect(readFileSync(path, "utf8").trim().split("\n")).toHaveLength(1);
      const cli = await insight(["audit", "verify", "--file", path]);
      expect(cli.code).toBe(0);
      expect(cli.stderr).toContain("1 write recorded as intended with no outcome");
      expect(cli.stderr).toMatch(/seq 1 \S+ comment\.create acme\/api#3 \(actor octocat, delivery d-kill\)/);
    });

    it("a finished write leaves no unfinished entry, a failed one neither", async () => {
      const path = join(mkdtempSync(join(tmpdir(), "insight-wal-")), "audit.jsonl");
      const file = new FileAuditLog(path);
      const { w: w2 } = await writer(false, { audit: file, delivery: "d2" });
      api().post("/repos/acme/api/issues/3/comments").reply(201, { id: 93 });
      api().post("/repos/acme/api/issues/4/comments").reply(502, { message: "Bad Gateway" });
      await w2.createComment(repo, 3, "one", "test");
      await expect(w2.createComment(repo, 4, "two", "test")).rejects.toThrow();
      await file.close();
      const result = await verifyAuditFile(path);
      expect(result).toMatchObject({ ok: true });
      expect(result.unfinished).toBeUndefined();
    });
  });
});
