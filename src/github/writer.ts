import type { Logger } from "probot";
import type { AuditLog } from "../audit/types.js";
import { LIMITS, truncateMarkdown } from "../core/limits.js";
import { redact, redactDeep } from "../security/redact.js";
import { sha256Hex } from "../util/canonical-json.js";
import { stickyMarker, writeMetadata } from "./metadata.js";
import { findStickyComment, type FoundComment } from "./sticky-comment.js";
import { fullName, type CheckRunOutput, type Octokit, type RepoRef } from "../core/github.js";

/** A write that dry-run mode recorded instead of performing. */
export type PlannedWrite = { action: string; target: string; reason: string; preview?: string };

export type WriterOptions = {
  octokit: Octokit;
  audit: AuditLog;
  log: Logger;
  /** Delivery id of the webhook (or `cli:<id>`): ties every audit entry to its cause. */
  delivery: string;
  /** The GitHub user whose event caused these writes. */
  actor: string;
  dryRun: boolean;
};

type WriteSpec = { action: string; target: string; reason: string; detail?: Record<string, unknown>; preview?: string };

const clean = (body: string) => truncateMarkdown(redact(body), LIMITS.comment);
const digest = (body: string) => ({ bodySha256: sha256Hex(body), bodyLength: body.length });

/**
 * The one place through which every GitHub write passes. Each write is redacted, cut to GitHub's
 * limits, and written to the audit log twice: its intent before it is sent (no intent recorded,
 * nothing sent), then its outcome — including failures and, under INSIGHT_DRY_RUN, the writes
 * that were only planned.
 */
export class GitHubWriter {
  readonly planned: PlannedWrite[] = [];
  readonly #o: WriterOptions;

  constructor(options: WriterOptions) {
    this.#o = options;
  }

  get dryRun(): boolean {
    return this.#o.dryRun;
  }

  async #perform<T>(spec: WriteSpec, dryResult: T, run: () => Promise<T>, describe?: (r: T) => Record<string, unknown>): Promise<T> {
    const { audit, actor, delivery, dryRun, log } = this.#o;
    const base = { actor, delivery, action: spec.action, target: spec.target, reason: spec.reason };
    if (dryRun) {
      this.planned.push({ action: spec.action, target: spec.target, reason: spec.reason, preview: spec.preview });
      await audit.append({ ...base, outcome: "dry-run", detail: spec.detail });
      log.info({ action: spec.action, target: spec.target }, "Dry run: write recorded, not performed");
      return dryResult;
    }
    // Write-ahead: if the intent cannot be recorded, nothing is sent; if the process dies after
    // sending, the intent stays in the log without an outcome and `insight audit verify` names it.
    const { seq: intent } = await audit.append({ ...base, outcome: "intent", detail: spec.detail });
    try {
      const result = await run();
      await audit.append({ ...base, outcome: "ok", detail: { ...spec.detail, ...describe?.(result), intent } });
      return result;
    } catch (err) {
      const status = (err as { status?: number }).status;
      await audit.append({ ...base, outcome: "error", detail: { ...spec.detail, status, error: (err as Error).message, intent } });
      throw err;
    }
  }

  /** Records a decision that writes nothing to GitHub (a refusal, an approval) in the audit log. */
  async recordDecision(params: {
    action: string;
    target: string;
    reason: string;
    outcome: "refused" | "decision";
    detail?: Record<string, unknown>;
  }): Promise<void> {
    const { audit, actor, delivery } = this.#o;
    await audit.append({ actor, delivery, ...params });
  }

  async createComment(repo: RepoRef, issueNumber: number, body: string, reason: string): Promise<{ id: number }> {
    const text = clean(body);
    const spec = { action: "comment.create", target: `${fullName(repo)}#${issueNumber}`, reason, detail: digest(text), preview: text };
    return this.#perform(
      spec,
      { id: 0 },
      async () => {
        const { data } = await this.#o.octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body: text });
        return { id: data.id };
      },
      (r) => ({ commentId: r.id }),
    );
  }

  async updateComment(repo: RepoRef, commentId: number, body: string, reason: string): Promise<{ id: number }> {
    const text = clean(body);
    const spec = {
      action: "comment.update",
      target: `${fullName(repo)}/comments/${commentId}`,
      reason,
      detail: digest(text),
      preview: text,
    };
    return this.#perform(spec, { id: commentId }, async () => {
      await this.#o.octokit.rest.issues.updateComment({ ...repo, comment_id: commentId, body: text });
      return { id: commentId };
    });
  }

  /**
   * Creates the sticky comment for `key`, or edits it in place; writes nothing when the body is
   * unchanged, so re-runs on an unchanged state stay silent.
   */
  async upsertSticky(params: {
    repo: RepoRef;
    issueNumber: number;
    key: string;
    body: string;
    metadata?: unknown;
    reason: string;
    /**
     * The comment found by the caller already (null: known to be absent), to save a lookup. With
     * an id but no body (a comment this job wrote), it is edited without comparing.
     */
    existing?: (Pick<FoundComment, "id"> & Partial<FoundComment>) | null;
  }): Promise<{ id: number; action: "created" | "updated" | "unchanged" }> {
    const { repo, issueNumber, key, reason } = params;
    // Marker and metadata go first so that cutting the body for size never loses them.
    const head = [stickyMarker(key), params.metadata === undefined ? "" : writeMetadata(key, redactDeep(params.metadata))];
    const text = clean(`${head.filter(Boolean).join("\n")}\n${params.body}`);
    const existing =
      params.existing === undefined ? await findStickyComment(this.#o.octokit, repo, issueNumber, key) : (params.existing ?? undefined);
    if (!existing) return { ...(await this.createComment(repo, issueNumber, text, reason)), action: "created" };
    if (existing.body === text) return { id: existing.id, action: "unchanged" };
    await this.updateComment(repo, existing.id, text, reason);
    return { id: existing.id, action: "updated" };
  }

  /** Replaces the issue's labels in one call (one write instead of a remove and an add). */
  async setLabels(repo: RepoRef, issueNumber: number, labels: string[], reason: string): Promise<void> {
    const spec = { action: "label.set", target: `${fullName(repo)}#${issueNumber}`, reason, detail: { labels } };
    await this.#perform(spec, undefined, async () => {
      await this.#o.octokit.rest.issues.setLabels({ ...repo, issue_number: issueNumber, labels });
    });
  }

  async addLabels(repo: RepoRef, issueNumber: number, labels: string[], reason: string): Promise<void> {
    const spec = { action: "label.add", target: `${fullName(repo)}#${issueNumber}`, reason, detail: { labels } };
    await this.#perform(spec, undefined, async () => {
      await this.#o.octokit.rest.issues.addLabels({ ...repo, issue_number: issueNumber, labels });
    });
  }

  /** Removes a label; one that is already gone (404) is not an error. */
  async removeLabel(repo: RepoRef, issueNumber: number, name: string, reason: string): Promise<void> {
    const spec = { action: "label.remove", target: `${fullName(repo)}#${issueNumber}`, reason, detail: { label: name } };
    await this.#perform(spec, undefined, async () => {
      try {
        await this.#o.octokit.rest.issues.removeLabel({ ...repo, issue_number: issueNumber, name });
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
      }
    });
  }

  async addReaction(
    repo: RepoRef,
    target: { issueNumber: number } | { commentId: number },
    content: "eyes" | "+1" | "confused" | "rocket",
    reason: string,
  ): Promise<void> {
    const where = "commentId" in target ? `${fullName(repo)}/comments/${target.commentId}` : `${fullName(repo)}#${target.issueNumber}`;
    await this.#perform({ action: "reaction.create", target: where, reason, detail: { content } }, undefined, async () => {
      if ("commentId" in target)
        await this.#o.octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: target.commentId, content });
      else await this.#o.octokit.rest.reactions.createForIssue({ ...repo, issue_number: target.issueNumber, content });
    });
  }

  /** A blob of file content for a fix commit (the repository's own earlier content: not redacted, byte for byte). */
  async createBlob(repo: RepoRef, content: string, reason: string): Promise<{ sha: string }> {
    const spec = { action: "git.blob.create", target: fullName(repo), reason, detail: digest(content) };
    return this.#perform(
      spec,
      { sha: "dry-run-blob" },
      async () => {
        const { data } = await this.#o.octokit.rest.git.createBlob({
          ...repo,
          content: Buffer.from(content, "utf8").toString("base64"),
          encoding: "base64",
        });
        return { sha: data.sha };
      },
      (r) => ({ sha: r.sha }),
    );
  }

  /** A tree on top of `baseTree`; an entry with `sha: null` deletes that path. */
  async createTree(
    repo: RepoRef,
    baseTree: string,
    entries: Array<{ path: string; mode: string; sha: string | null }>,
    reason: string,
  ): Promise<{ sha: string }> {
    const spec = {
      action: "git.tree.create",
      target: fullName(repo),
      reason,
      detail: { baseTree, paths: entries.map((e) => `${e.sha === null ? "-" : "~"}${e.path}`).slice(0, 50) },
    };
    return this.#perform(
      spec,
      { sha: "dry-run-tree" },
      async () => {
        const tree = entries.map((e) => ({ path: e.path, mode: e.mode as "100644", type: "blob" as const, sha: e.sha }));
        const { data } = await this.#o.octokit.rest.git.createTree({ ...repo, base_tree: baseTree, tree });
        return { sha: data.sha };
      },
      (r) => ({ sha: r.sha }),
    );
  }

  async createCommit(
    repo: RepoRef,
    params: { message: string; tree: string; parents: string[] },
    reason: string,
  ): Promise<{ sha: string }> {
    const message = redact(params.message);
    const spec = { action: "git.commit.create", target: fullName(repo), reason, detail: { tree: params.tree, parents: params.parents } };
    return this.#perform(
      spec,
      { sha: "dry-run-commit" },
      async () => {
        const { data } = await this.#o.octokit.rest.git.createCommit({ ...repo, message, tree: params.tree, parents: params.parents });
        return { sha: data.sha };
      },
      (r) => ({ sha: r.sha }),
    );
  }

  /** Points `branch` at `sha`: creates it, or moves it (force) when it exists — a re-run replaces the plan. */
  async setBranch(repo: RepoRef, branch: string, sha: string, reason: string): Promise<{ action: "created" | "updated" }> {
    const spec = { action: "git.ref.set", target: `${fullName(repo)}:${branch}`, reason, detail: { sha } };
    return this.#perform(
      spec,
      { action: "created" as const },
      async () => {
        const exists = await this.#o.octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` }).then(
          () => true,
          (err: { status?: number }) => {
            if (err.status === 404) return false;
            throw err;
          },
        );
        if (exists) await this.#o.octokit.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha, force: true });
        else await this.#o.octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha });
        return { action: exists ? ("updated" as const) : ("created" as const) };
      },
      (r) => ({ branchAction: r.action }),
    );
  }

  async createPull(
    repo: RepoRef,
    params: { title: string; body: string; head: string; base: string; draft: boolean },
    reason: string,
  ): Promise<{ number: number; nodeId: string; url: string; author: { id: number; login: string } }> {
    const body = clean(params.body);
    const spec = {
      action: "pull.create",
      target: `${fullName(repo)}:${params.head}`,
      reason,
      detail: { base: params.base, draft: params.draft, ...digest(body) },
      preview: body,
    };
    return this.#perform(
      spec,
      { number: 0, nodeId: "", url: "", author: { id: 0, login: "" } },
      async () => {
        const { data } = await this.#o.octokit.rest.pulls.create({
          ...repo,
          title: redact(params.title),
          body,
          head: params.head,
          base: params.base,
          draft: params.draft,
          maintainer_can_modify: false,
        });
        // The author GitHub names here is this App's own bot account: fix PRs are recognised by it later.
        return {
          number: data.number,
          nodeId: data.node_id,
          url: data.html_url,
          author: { id: data.user?.id ?? 0, login: data.user?.login ?? "" },
        };
      },
      (r) => ({ pullNumber: r.number }),
    );
  }

  async updatePull(
    repo: RepoRef,
    number: number,
    params: { title?: string; body?: string; state?: "open" | "closed" },
    reason: string,
  ): Promise<void> {
    const body = params.body === undefined ? undefined : clean(params.body);
    const spec = {
      action: "pull.update",
      target: `${fullName(repo)}#${number}`,
      reason,
      detail: { state: params.state, ...(body ? digest(body) : {}) },
      preview: body,
    };
    await this.#perform(spec, undefined, async () => {
      await this.#o.octokit.rest.pulls.update({
        ...repo,
        pull_number: number,
        ...(params.title ? { title: redact(params.title) } : {}),
        ...(body ? { body } : {}),
        ...(params.state ? { state: params.state } : {}),
      });
    });
  }

  /** Draft ↔ ready for review: only GraphQL can change it. */
  async setDraft(repo: RepoRef, pull: { number: number; nodeId: string }, draft: boolean, reason: string): Promise<void> {
    const spec = { action: draft ? "pull.convert_to_draft" : "pull.ready_for_review", target: `${fullName(repo)}#${pull.number}`, reason };
    await this.#perform(spec, undefined, async () => {
      const mutation = draft
        ? "mutation($id: ID!) { convertPullRequestToDraft(input: { pullRequestId: $id }) { pullRequest { isDraft } } }"
        : "mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }";
      await this.#o.octokit.graphql(mutation, { id: pull.nodeId });
    });
  }

  async createIssue(repo: RepoRef, params: { title: string; body: string; labels: string[] }, reason: string): Promise<{ number: number }> {
    const body = clean(params.body);
    const spec = {
      action: "issue.create",
      target: fullName(repo),
      reason,
      detail: { labels: params.labels, ...digest(body) },
      preview: body,
    };
    return this.#perform(
      spec,
      { number: 0 },
      async () => {
        const { data } = await this.#o.octokit.rest.issues.create({ ...repo, title: redact(params.title), body, labels: params.labels });
        return { number: data.number };
      },
      (r) => ({ issueNumber: r.number }),
    );
  }

  /** Replaces an issue's body (no notification, unlike a comment). */
  async updateIssueBody(repo: RepoRef, issueNumber: number, body: string, reason: string): Promise<void> {
    const text = clean(body);
    await this.#perform(
      { action: "issue.update", target: `${fullName(repo)}#${issueNumber}`, reason, detail: digest(text), preview: text },
      undefined,
      async () => {
        await this.#o.octokit.rest.issues.update({ ...repo, issue_number: issueNumber, body: text });
      },
    );
  }

  async closeIssue(repo: RepoRef, issueNumber: number, reason: string): Promise<void> {
    await this.#perform({ action: "issue.close", target: `${fullName(repo)}#${issueNumber}`, reason }, undefined, async () => {
      await this.#o.octokit.rest.issues.update({ ...repo, issue_number: issueNumber, state: "closed", state_reason: "completed" });
    });
  }

  async createCheckRun(
    repo: RepoRef,
    params: {
      name: string;
      headSha: string;
      status: "queued" | "in_progress" | "completed";
      conclusion?: "success" | "neutral" | "failure" | "action_required" | "skipped";
      output?: CheckRunOutput;
      actions?: Array<{ label: string; description: string; identifier: string }>;
      externalId?: string;
    },
    reason: string,
  ): Promise<{ id: number }> {
    const output = params.output && redactCheckOutput(params.output);
    const spec = {
      action: "check_run.create",
      target: `${fullName(repo)}@${params.headSha}`,
      reason,
      detail: { name: params.name, conclusion: params.conclusion },
      preview: output?.summary,
    };
    return this.#perform(
      spec,
      { id: 0 },
      async () => {
        const { data } = await this.#o.octokit.rest.checks.create({
          ...repo,
          name: params.name,
          head_sha: params.headSha,
          status: params.status,
          ...(params.conclusion ? { conclusion: params.conclusion } : {}),
          ...(output ? { output } : {}),
          ...(params.actions ? { actions: params.actions } : {}),
          ...(params.externalId ? { external_id: params.externalId } : {}),
        });
        return { id: data.id };
      },
      (r) => ({ checkRunId: r.id }),
    );
  }
}

function redactCheckOutput(output: CheckRunOutput): CheckRunOutput {
  return {
    title: redact(output.title).slice(0, LIMITS.checkTitle),
    summary: truncateMarkdown(redact(output.summary), LIMITS.checkText),
    ...(output.text ? { text: truncateMarkdown(redact(output.text), LIMITS.checkText) } : {}),
    ...(output.annotations
      ? { annotations: output.annotations.slice(0, LIMITS.annotationsPerRequest).map((a) => ({ ...a, message: redact(a.message) })) }
      : {}),
  };
}
