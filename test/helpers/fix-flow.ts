import { stringify } from "yaml";
import { approveCommand } from "../../src/commands/approve.js";
import { fixCommand } from "../../src/commands/fix.js";
import { rejectCommand } from "../../src/commands/reject.js";
import { rollbackCommand } from "../../src/commands/rollback.js";
import type { FileAuditLog } from "../../src/audit/file-audit-log.js";
import type { EvoMapServices } from "../../src/capsule/services.js";
import { readMetadata, stickyMarker, writeMetadata } from "../../src/github/metadata.js";
import { createPrMergedProcessor } from "../../src/jobs/processors/pr-merged.js";
import { MemoryFixStore, type FixStateStore } from "../../src/remediation/fix-store.js";
import { revokeOnPush } from "../../src/jobs/processors/fix-push.js";
import { ADAPTERS } from "../../src/signals/adapters/registry.js";
import { loadTestApp } from "./probot.js";
import { StatefulGitHub } from "./stateful-github.js";
import { example } from "./webhooks.js";

/** The fix → approve → merge flow on the stateful GitHub fake, shared by the fix and attack tests. */
export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const INCIDENT = 7;

export const ORDERS = [
  "export function total(items) {",
  "  let sum = 0;",
  "  for (const i of items) sum += i.price * i.qty;",
  "  return sum;",
  "}",
  "",
  "export function count(items) {",
  "  return items.length;",
  "}",
  "",
].join("\n");
export const ORDERS_BUGGY = ORDERS.replace("  for (const i of items) sum += i.price * i.qty;", "  for (const i of items) sum += i.price;");

/** GitHub user ids of the people in these stories: approvals bind to ids, not logins. */
export const USER_IDS: Record<string, number> = { oncall: 1001, lead: 1002, reader: 1003, "sre-bob": 1004, mallory: 1005, taxman: 1006 };

/** main: a base commit, PR #41 (the bug) merged, then an unrelated later commit. */
export function history(options: { later?: Record<string, string> } = {}) {
  const gh = new StatefulGitHub(OWNER, REPO);
  gh.commit(
    "main",
    { "services/api/src/orders.ts": ORDERS, "services/api/src/tax.ts": "export const RATE = 0.2;\n", "deploy/api.yaml": "replicas: 3\n" },
    "Initial",
  );
  gh.mergedPull(41, "Faster order totals", {
    "services/api/src/orders.ts": ORDERS_BUGGY,
    "services/api/src/cache.ts": "export const cache = new Map();\n",
  });
  gh.commit("main", options.later ?? { "services/api/src/tax.ts": "export const RATE = 0.21;\n" }, "Raise the tax rate", "taxman");
  gh.repoConfig = stringify({ services: { api: { paths: ["services/api/**"], tier: "critical" } }, incident: { closeOnFixMerge: true } });
  gh.permissions.set("oncall", "write").set("reader", "read").set("lead", "maintain").set("mallory", "write");
  gh.labels.set(INCIDENT, new Set(["incident", "incident:analysed"]));
  const rca = {
    summary: 'Most likely: Change #41 "Faster order totals" (62%).',
    severity: "SEV2",
    hypotheses: [
      { id: "h1", title: 'Change #41 "Faster order totals"', category: "code", confidence: 0.62, suspect: "#41" },
      { id: "h2", title: "Redis eviction storm", category: "dependency", confidence: 0.3 },
    ],
  };
  gh.comments.push({
    id: 500,
    issue: INCIDENT,
    body: `${stickyMarker("rca")}\n${writeMetadata("rca", rca)}\n## RCA`,
    user: { login: "devops-insight[bot]", type: "Bot" },
  });
  gh.install();
  return gh;
}

export const services = { mcpServers: { mcpServers: {}, insight: { budgetMs: 45_000 } }, adapters: ADAPTERS };
/** The app with Insight's fix store in memory and a fixed signing key. */
export const fixApp = (
  env: Record<string, string> = {},
  audit?: FileAuditLog,
  evomap?: EvoMapServices,
  store: FixStateStore = new MemoryFixStore(),
) => {
  const r = { store, key: Buffer.alloc(32, 1) };
  const processors = { "pr-merged": createPrMergedProcessor(r, evomap), "fix-push": revokeOnPush(r) };
  const commands = {
    fix: fixCommand(services, r),
    approve: approveCommand(r),
    reject: rejectCommand(r),
    rollback: rollbackCommand(services, r),
  };
  return loadTestApp({ processors, commands, ...(audit ? { audit } : {}) }, env);
};
export type App = Awaited<ReturnType<typeof fixApp>>;

let delivery = 0;
export const nextDelivery = () => `d-${++delivery}`;

/** An `issue_comment.created` payload as GitHub sends it (ids, creation time, author association). */
export function commentPayload(
  body: string,
  login: string,
  on: { issue?: number; pull?: number } = { issue: INCIDENT },
  options: { id?: number } = {},
) {
  const payload = example("issue_comment", "created");
  const user = { ...payload.comment.user, login, id: USER_IDS[login] ?? 4242, type: "User" };
  payload.comment.body = body;
  payload.comment.id = options.id ?? 7000 + delivery;
  payload.comment.user = user;
  payload.comment.created_at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  payload.sender = user;
  payload.repository.owner.login = OWNER;
  payload.repository.name = REPO;
  payload.issue.number = on.pull ?? on.issue ?? INCIDENT;
  if (on.pull) payload.issue.pull_request = { url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${on.pull}` };
  else delete payload.issue.pull_request;
  return payload;
}

export async function send(t: App, name: string, payload: Record<string, unknown>, id = nextDelivery()) {
  await t.probot.receive({ id, name, payload } as never);
  await t.idle();
}

export async function comment(t: App, body: string, login: string, on: { issue?: number; pull?: number } = { issue: INCIDENT }) {
  const payload = commentPayload(body, login, on);
  await send(t, "issue_comment", payload);
  return payload;
}

/** GitHub merges the fix PR (a squash onto main) and sends pull_request.closed. */
export async function merge(t: App, gh: StatefulGitHub, number: number) {
  const pr = gh.pulls.get(number)!;
  const files = gh.files(pr.head.sha);
  const main = gh.files("main");
  const changed = Object.fromEntries(
    [...new Set([...Object.keys(files), ...Object.keys(main)])].filter((p) => files[p] !== main[p]).map((p) => [p, files[p] ?? null]),
  );
  const sha = gh.commit("main", changed, `${pr.title} (#${number})`);
  Object.assign(pr, {
    state: "closed",
    merged_at: gh.commits.get(sha)!.date,
    merge_commit_sha: sha,
    files: pr.files.length
      ? pr.files
      : Object.keys(changed).map((filename) => ({ filename, status: "modified", additions: 1, deletions: 1 })),
  });
  const payload = example("pull_request", "closed");
  Object.assign(payload.pull_request, {
    number,
    merged: true,
    merge_commit_sha: sha,
    head: { ...payload.pull_request.head, ref: pr.head.ref, sha: pr.head.sha },
  });
  payload.repository.owner.login = OWNER;
  payload.repository.name = REPO;
  await send(t, "pull_request", payload);
}

/** Someone pushes to a PR's branch: the commit lands and GitHub sends pull_request.synchronize. */
export async function pushTo(t: App, gh: StatefulGitHub, number: number, files: Record<string, string>, login = "mallory") {
  const pr = gh.pulls.get(number)!;
  const before = pr.head.sha;
  const sha = gh.commit(pr.head.ref, files, "a change of my own", login);
  pr.head.sha = sha;
  const payload = example("pull_request", "synchronize");
  const sender = { ...payload.sender, login, id: USER_IDS[login] ?? 4242, type: "User" };
  Object.assign(payload, { number, before, after: sha, sender });
  Object.assign(payload.pull_request, {
    number,
    state: "open",
    draft: pr.draft,
    user: { ...payload.pull_request.user, ...pr.user },
    head: { ...payload.pull_request.head, ref: pr.head.ref, sha },
  });
  payload.pull_request.head.repo.full_name = `${OWNER}/${REPO}`;
  payload.repository.owner.login = OWNER;
  payload.repository.name = REPO;
  await send(t, "pull_request", payload);
}

/** `/insight fix` by the on-call engineer, then `/insight approve` on the PR by the lead. */
export async function proposeAndApprove(t: App, gh: StatefulGitHub) {
  await comment(t, "/insight fix", "oncall");
  const pr = fixPr(gh);
  await comment(t, "/insight approve", "lead", { pull: pr.number });
  return pr;
}

export const fixPr = (gh: StatefulGitHub) => [...gh.pulls.values()].find((p) => p.head.ref === `insight/fix-${INCIDENT}`)!;
export const fixState = (gh: StatefulGitHub, n: number) => readMetadata<Record<string, any>>(gh.pulls.get(n)!.body, "fix")!;
export const lastReply = (gh: StatefulGitHub, issue: number) =>
  gh
    .commentsOn(issue)
    .filter((b) => b.startsWith("<!-- insight:reply -->"))
    .at(-1) ?? "";
