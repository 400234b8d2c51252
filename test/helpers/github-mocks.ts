import { createHash } from "node:crypto";
import nock from "nock";
import { INSTALLATION_ID } from "./probot.js";

/**
 * One helper per GitHub endpoint, answering in the real API's shapes. Each returns the nock
 * scope so a test can chain; bodies sent to GitHub are captured for assertions.
 */
export const api = () => nock("https://api.github.com");

export function mockInstallationToken(installationId = INSTALLATION_ID) {
  return api()
    .post(`/app/installations/${installationId}/access_tokens`)
    .reply(201, {
      token: "ghs_testinstallationtoken0000000000000000",
      expires_at: "2099-01-01T00:00:00Z",
      permissions: { issues: "write" },
    });
}

/** The contents API's JSON answer for a file: its blob sha, size and base64 text (none over 1 MB, as GitHub does). */
export function contentsJson(text: string, path = ".github/insight.yml") {
  const bytes = Buffer.from(text);
  const sha = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
  const big = bytes.length > 1024 * 1024;
  return {
    type: "file",
    name: path.split("/").pop(),
    path,
    sha,
    size: bytes.length,
    encoding: big ? "none" : "base64",
    content: big ? "" : bytes.toString("base64"),
  };
}

/** The contents API's answer: raw text when asked for the raw media type, else the JSON form. */
export function contentsAnswer(text: string, path = ".github/insight.yml") {
  return (req: Request) =>
    (req.headers.get("accept") ?? "").includes("raw")
      ? ([200, text, { "content-type": "text/plain; charset=utf-8" }] as const)
      : ([200, contentsJson(text, path), { "content-type": "application/json; charset=utf-8" }] as const);
}

/** `.github/insight.yml` in the repo; `undefined` → 404 there and in the org's `.github` repo. */
export function mockRepoConfig(owner: string, repo: string, yaml?: string) {
  const path = `/contents/${encodeURIComponent(".github/insight.yml")}`;
  if (yaml !== undefined) return api().get(`/repos/${owner}/${repo}${path}`).reply(contentsAnswer(yaml));
  return api()
    .get(`/repos/${owner}/${repo}${path}`)
    .reply(404, { message: "Not Found" })
    .get(`/repos/${owner}/.github${path}`)
    .reply(404, { message: "Not Found" });
}

export type Captured = { body?: Record<string, unknown> };

export function mockCreateComment(owner: string, repo: string, issue: number, captured: Captured = {}, id = 1001) {
  return api()
    .post(`/repos/${owner}/${repo}/issues/${issue}/comments`, (body) => ((captured.body = body), true))
    .reply(201, { id, html_url: `https://github.com/${owner}/${repo}/issues/${issue}#issuecomment-${id}` });
}

export function mockUpdateComment(owner: string, repo: string, commentId: number, captured: Captured = {}) {
  return api()
    .patch(`/repos/${owner}/${repo}/issues/comments/${commentId}`, (body) => ((captured.body = body), true))
    .reply(200, { id: commentId });
}

export function mockListComments(owner: string, repo: string, issue: number, comments: Array<{ id: number; body: string; bot?: boolean }>) {
  return api()
    .get(`/repos/${owner}/${repo}/issues/${issue}/comments`)
    .query(true)
    .reply(
      200,
      comments.map((c) => ({
        id: c.id,
        body: c.body,
        html_url: `https://github.com/${owner}/${repo}/issues/${issue}#issuecomment-${c.id}`,
        user: c.bot === false ? { login: "someone", type: "User" } : { login: "devops-insight[bot]", type: "Bot" },
      })),
    );
}

export function mockCommentReaction(owner: string, repo: string, commentId: number, content = "eyes") {
  return api().post(`/repos/${owner}/${repo}/issues/comments/${commentId}/reactions`, { content }).reply(201, { id: 1, content });
}

export function mockPermission(
  owner: string,
  repo: string,
  username: string,
  permission: "admin" | "write" | "read" | "none",
  roleName?: string,
) {
  return api()
    .get(`/repos/${owner}/${repo}/collaborators/${username}/permission`)
    .reply(200, { permission, role_name: roleName ?? permission, user: { login: username } });
}

export type PrState = {
  number: number;
  head: string;
  base?: string;
  draft?: boolean;
  state?: string;
  labels?: string[];
  changedFiles?: number;
};

export function mockPull(owner: string, repo: string, pr: PrState) {
  return api()
    .get(`/repos/${owner}/${repo}/pulls/${pr.number}`)
    .reply(200, {
      number: pr.number,
      title: "Add order status",
      state: pr.state ?? "open",
      draft: pr.draft ?? false,
      user: { login: "octocat" },
      labels: (pr.labels ?? []).map((name) => ({ name })),
      head: { ref: "feature", sha: pr.head },
      base: { ref: "main", sha: pr.base ?? "b".repeat(40) },
      changed_files: pr.changedFiles ?? 0,
    });
}

/** PR files, served in pages of 100 with GitHub's Link header, the way the API paginates them. */
export function mockPullFiles(owner: string, repo: string, number: number, files: Array<Record<string, unknown>>) {
  const pages = Math.max(1, Math.ceil(files.length / 100));
  const scope = api();
  for (let page = 1; page <= pages; page++) {
    const next: Record<string, string> =
      page < pages
        ? { link: `<https://api.github.com/repos/${owner}/${repo}/pulls/${number}/files?per_page=100&page=${page + 1}>; rel="next"` }
        : {};
    scope
      .get(`/repos/${owner}/${repo}/pulls/${number}/files`)
      .query((q) => String(q.page ?? "1") === String(page))
      .reply(200, JSON.stringify(files.slice((page - 1) * 100, page * 100)), { "content-type": "application/json", ...next });
  }
  return scope;
}

export function mockCreateCheckRun(owner: string, repo: string, captured: Captured = {}, id = 555) {
  return api()
    .post(`/repos/${owner}/${repo}/check-runs`, (body) => ((captured.body = body), true))
    .reply(201, { id });
}

export function mockAddLabels(owner: string, repo: string, issue: number, labels: string[]) {
  return api()
    .post(`/repos/${owner}/${repo}/issues/${issue}/labels`, { labels })
    .reply(
      200,
      labels.map((name) => ({ name })),
    );
}

export function mockSetLabels(owner: string, repo: string, issue: number, labels: string[]) {
  return api()
    .put(`/repos/${owner}/${repo}/issues/${issue}/labels`, { labels })
    .reply(
      200,
      labels.map((name) => ({ name })),
    );
}

export function mockRemoveLabel(owner: string, repo: string, issue: number, label: string) {
  return api()
    .delete(`/repos/${owner}/${repo}/issues/${issue}/labels/${encodeURIComponent(label)}`)
    .reply(200, []);
}

export function mockIssue(
  owner: string,
  repo: string,
  issue: { number: number; title: string; body: string; createdAt: string; labels?: string[] },
) {
  return api()
    .get(`/repos/${owner}/${repo}/issues/${issue.number}`)
    .reply(200, {
      number: issue.number,
      title: issue.title,
      body: issue.body,
      created_at: issue.createdAt,
      state: "open",
      labels: (issue.labels ?? []).map((name) => ({ name })),
    });
}

export function mockIssueReaction(owner: string, repo: string, issue: number, content = "eyes") {
  return api().post(`/repos/${owner}/${repo}/issues/${issue}/reactions`, { content }).reply(201, { id: 1, content });
}

/** Repository, merged PRs with their files, and deployments: the change history of an incident. */
export function mockChangeHistory(
  owner: string,
  repo: string,
  pulls: Array<{ number: number; title: string; mergedAt: string; files: string[] }>,
  deployments: Array<Record<string, unknown>> = [],
) {
  const scope = api()
    .get(`/repos/${owner}/${repo}`)
    .reply(200, { default_branch: "main", full_name: `${owner}/${repo}` })
    .get(`/repos/${owner}/${repo}/pulls`)
    .query(true)
    .reply(
      200,
      pulls.map((p) => ({
        number: p.number,
        title: p.title,
        merged_at: p.mergedAt,
        html_url: `https://github.com/${owner}/${repo}/pull/${p.number}`,
        base: { ref: "main", sha: "b".repeat(40) },
        head: { ref: "f", sha: "c".repeat(40) },
      })),
    );
  for (const p of pulls) {
    scope
      .get(`/repos/${owner}/${repo}/pulls/${p.number}/files`)
      .query(true)
      .reply(
        200,
        p.files.map((filename) => ({ filename, status: "modified", additions: 3, deletions: 1, patch: "@@ -1 +1 @@\n-a\n+b" })),
      );
  }
  scope.get(`/repos/${owner}/${repo}/deployments`).query(true).reply(200, deployments);
  return scope;
}

/**
 * Every GitHub call of one RCA run on incident issue #3 by `oncall` (write access): the issue, the
 * 👀, the status comment (id 500) then the result written over it, the labels, the change history
 * (PR #41 merged 15 minutes ago). Returns what the status and the result comments were sent.
 */
export function mockRcaThread(owner: string, repo: string, p: { repoConfig: string; issueBody: string }) {
  const now = Date.now();
  const status: Captured = {};
  const result: Captured = {};
  mockInstallationToken();
  mockRepoConfig(owner, repo, p.repoConfig);
  mockIssue(owner, repo, {
    number: 3,
    title: "api returns 500s",
    body: p.issueBody,
    createdAt: new Date(now - 60_000).toISOString(),
    labels: ["incident"],
  });
  mockPermission(owner, repo, "oncall", "write");
  mockListComments(owner, repo, 3, []);
  mockIssueReaction(owner, repo, 3);
  mockCreateComment(owner, repo, 3, status, 500);
  mockAddLabels(owner, repo, 3, ["incident:investigating"]);
  mockChangeHistory(owner, repo, [
    {
      number: 41,
      title: "Faster order totals",
      mergedAt: new Date(now - 15 * 60_000).toISOString(),
      files: ["services/api/src/orders.ts"],
    },
  ]);
  mockUpdateComment(owner, repo, 500, result);
  // The status labels in one write at the end: the issue read again, then its labels replaced.
  mockIssue(owner, repo, {
    number: 3,
    title: "api returns 500s",
    body: p.issueBody,
    createdAt: new Date(now - 60_000).toISOString(),
    labels: ["incident", "incident:investigating"],
  });
  mockSetLabels(owner, repo, 3, ["incident", "incident:analysed"]);
  return { status, result };
}
