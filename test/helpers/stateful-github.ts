import { createHash } from "node:crypto";
import nock from "nock";
import { APP_ID, INSTALLATION_ID } from "./probot.js";
import { contentsJson } from "./github-mocks.js";

/**
 * A stateful GitHub for multi-step flows (fix → approve → merge): git objects and refs (Git Data
 * API), pull requests, issue comments, labels, collaborators and team memberships, answered
 * through nock in the REST and GraphQL shapes Octokit reads. Its interceptors persist and are
 * optional; tests assert on the state it ends in, which is stronger than counting calls.
 */

type Tree = Map<string, { sha: string; mode: string }>;
type Commit = { sha: string; tree: string; parents: string[]; message: string; date: string; login: string };
export type Pull = {
  number: number;
  node_id: string;
  title: string;
  body: string;
  state: "open" | "closed";
  draft: boolean;
  merged_at: string | null;
  merge_commit_sha: string | null;
  user: { login: string; type: "Bot" | "User"; id?: number };
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  commits: number;
  files: Array<{ filename: string; status: string; additions: number; deletions: number; patch?: string; previous_filename?: string }>;
};
type Comment = { id: number; issue: number; body: string; user: { login: string; type: "Bot" | "User" } };

/** The user id GitHub gives this App's bot account (`devops-insight[bot]`). */
export const BOT_USER_ID = 149_000_001;

const gitSha = (kind: string, body: string | Buffer) =>
  createHash("sha1")
    .update(`${kind} ${Buffer.byteLength(body)}\0`)
    .update(body)
    .digest("hex");

export class StatefulGitHub {
  readonly blobs = new Map<string, Buffer>();
  readonly trees = new Map<string, Tree>();
  readonly commits = new Map<string, Commit>();
  readonly refs = new Map<string, string>();
  readonly pulls = new Map<number, Pull>();
  readonly comments: Comment[] = [];
  readonly labels = new Map<number, Set<string>>();
  readonly closedIssues = new Set<number>();
  readonly permissions = new Map<string, string>();
  readonly teams = new Map<string, Set<string>>();
  readonly graphqlCalls: string[] = [];
  /** Issues with their own text and times (others answer with a default). */
  readonly issues = new Map<number, { title: string; body: string; created_at: string; closed_at?: string; updated_at?: string }>();
  readonly deployments: Array<{ id: number; sha: string; created_at: string; state: "success" | "failure" | "error" }> = [];
  readonly checkRuns: Array<Record<string, any>> = [];
  /** Every conditional request answered 304 ("GET path"). */
  readonly notModified: string[] = [];
  /** Requests answered with an error once, matched by "METHOD path-substring". */
  readonly faults: Array<{ match: string; status: number }> = [];
  repoConfig?: string;
  #nextId = 9000;
  #clock = Date.parse("2026-11-23T00:00:00Z");

  constructor(
    readonly owner: string,
    readonly repo: string,
  ) {}

  // --- building history -------------------------------------------------------------------

  /** A commit whose tree is the parent's with `files` changed (null deletes), on `branch`. */
  commit(branch: string, files: Record<string, string | null>, message: string, login = "dev"): string {
    const parent = this.refs.get(branch);
    const tree: Tree = new Map(parent ? this.trees.get(this.commits.get(parent)!.tree)! : []);
    for (const [path, content] of Object.entries(files)) {
      if (content === null) tree.delete(path);
      else tree.set(path, { sha: this.putBlob(Buffer.from(content)), mode: "100644" });
    }
    const sha = this.putCommit(this.putTree(tree), parent ? [parent] : [], message, login);
    this.refs.set(branch, sha);
    return sha;
  }

  /** A merged PR: its commit squashed onto `base`. */
  mergedPull(number: number, title: string, files: Record<string, string | null>, base = "main"): Pull {
    const before = this.refs.get(base)!;
    const merge = this.commit(base, files, `${title} (#${number})`);
    const beforeTree = this.treeOf(before);
    const pull: Pull = {
      number,
      node_id: `PR_${number}`,
      title,
      body: "",
      state: "closed",
      draft: false,
      merged_at: this.commits.get(merge)!.date,
      merge_commit_sha: merge,
      user: { login: "dev", type: "User" },
      head: { ref: `feature-${number}`, sha: merge },
      base: { ref: base, sha: before },
      commits: 1,
      files: Object.entries(files).map(([filename, content]) => {
        const old = beforeTree.get(filename) ? this.blobs.get(beforeTree.get(filename)!.sha)!.toString() : undefined;
        const oldLines = old === undefined ? [] : old.split("\n");
        const newLines = content === null ? [] : content.split("\n");
        return {
          filename,
          status: old === undefined ? "added" : content === null ? "removed" : "modified",
          additions: newLines.filter((l) => !oldLines.includes(l)).length,
          deletions: oldLines.filter((l) => !newLines.includes(l)).length,
        };
      }),
    };
    this.pulls.set(number, pull);
    return pull;
  }

  /** The files of a branch (or commit) as text. */
  files(refOrSha: string): Record<string, string> {
    const sha = this.refs.get(refOrSha) ?? refOrSha;
    return Object.fromEntries([...this.treeOf(sha)].map(([p, e]) => [p, this.blobs.get(e.sha)!.toString()]));
  }

  treeOf(commitSha: string): Tree {
    return this.trees.get(this.commits.get(commitSha)!.tree)!;
  }

  labelsOf(issue: number): string[] {
    return [...(this.labels.get(issue) ?? [])].sort();
  }

  commentsOn(issue: number): string[] {
    return this.comments.filter((c) => c.issue === issue).map((c) => c.body);
  }

  private putBlob(content: Buffer): string {
    const sha = gitSha("blob", content);
    this.blobs.set(sha, content);
    return sha;
  }

  private putTree(tree: Tree): string {
    const sha = gitSha("tree", JSON.stringify([...tree].sort()));
    this.trees.set(sha, tree);
    return sha;
  }

  private putCommit(tree: string, parents: string[], message: string, login = "insight"): string {
    this.#clock += 60_000;
    const date = new Date(this.#clock).toISOString().replace(/\.\d{3}Z$/, "Z");
    const sha = gitSha("commit", JSON.stringify({ tree, parents, message, date }));
    this.commits.set(sha, { sha, tree, parents, message, date, login });
    return sha;
  }

  // --- the HTTP side ----------------------------------------------------------------------

  install(): void {
    const base = `/repos/${this.owner}/${this.repo}`;
    const scope = nock("https://api.github.com").persist();
    const route = (
      method: "get" | "post" | "patch" | "delete",
      path: RegExp,
      handler: (
        m: RegExpExecArray,
        body: any,
        uri: string,
        headers: Headers,
      ) => [number, unknown] | [number, unknown, Record<string, string>],
    ) =>
      scope
        .intercept((uri: string) => path.test(decodeURIComponent(uri.split("?")[0]!)), method.toUpperCase())
        .optionally()
        .reply(async (request: Request) => {
          const url = new URL(request.url);
          const uri = `${url.pathname}${url.search}`;
          const text = await request.text();
          const fault = this.faults.findIndex((f) => `${method.toUpperCase()} ${uri}`.includes(f.match));
          if (fault >= 0) return [this.faults.splice(fault, 1)[0]!.status, { message: "Server Error" }] as const;
          return handler(path.exec(decodeURIComponent(url.pathname))!, text ? JSON.parse(text) : undefined, uri, request.headers) as [
            number,
            Record<string, unknown>,
            Record<string, string>,
          ];
        });
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const R = (tail: string) => new RegExp(`^${esc(base)}${tail}$`);

    // As GitHub: an ETag on lists, and 304 with no body when If-None-Match still matches.
    const conditional = (path: string, headers: Headers, data: unknown): [number, unknown, Record<string, string>] => {
      const etag = `"${createHash("sha1").update(JSON.stringify(data)).digest("hex")}"`;
      if (headers.get("if-none-match") === etag) {
        this.notModified.push(`GET ${path}`);
        return [304, "", { etag }];
      }
      return [200, data, { etag }];
    };
    route("post", /^\/app\/installations\/\d+\/access_tokens$/, () => [
      201,
      { token: "ghs_fakeinstallationtoken000000000000000", expires_at: "2099-01-01T00:00:00Z" },
    ]);
    route("get", R("/contents/\\.github/insight\\.yml"), () =>
      this.repoConfig === undefined ? [404, { message: "Not Found" }] : [200, contentsJson(this.repoConfig)],
    );
    route("get", new RegExp(`^/repos/${esc(this.owner)}/\\.github/contents/`), () => [404, { message: "Not Found" }]);
    route("get", R(""), () => [200, { default_branch: "main", full_name: `${this.owner}/${this.repo}` }]);

    // Git Data API
    route("get", R("/git/ref/heads/(.+)"), (m) => {
      const sha = this.refs.get(m[1]!);
      return sha ? [200, { ref: `refs/heads/${m[1]}`, object: { sha, type: "commit" } }] : [404, { message: "Not Found" }];
    });
    route("patch", R("/git/refs/heads/(.+)"), (m, body) => {
      const name = m[1]!;
      if (!this.refs.has(name)) return [422, { message: "Reference does not exist" }];
      this.refs.set(name, body.sha);
      // As on GitHub, moving a branch moves the head of the open pull requests from it.
      for (const p of this.pulls.values()) if (p.state === "open" && p.head.ref === name) p.head.sha = body.sha;
      return [200, { ref: `refs/heads/${name}`, object: { sha: body.sha, type: "commit" } }];
    });
    route("post", R("/git/refs"), (_m, body) => {
      const name = String(body.ref).replace(/^refs\/heads\//, "");
      if (this.refs.has(name)) return [422, { message: "Reference already exists" }];
      this.refs.set(name, body.sha);
      return [201, { ref: body.ref, object: { sha: body.sha, type: "commit" } }];
    });
    route("get", R("/git/commits/([0-9a-f]{40})"), (m) => {
      const c = this.commits.get(m[1]!);
      return c
        ? [200, { sha: c.sha, tree: { sha: c.tree }, parents: c.parents.map((sha) => ({ sha })), message: c.message }]
        : [404, { message: "Not Found" }];
    });
    route("post", R("/git/commits"), (_m, body) => {
      if (!this.trees.has(body.tree)) return [422, { message: "Tree SHA does not exist" }];
      const sha = this.putCommit(body.tree, body.parents, body.message);
      return [201, { sha, tree: { sha: body.tree }, parents: body.parents.map((p: string) => ({ sha: p })), message: body.message }];
    });
    route("get", R("/git/trees/([0-9a-f]{40})"), (m) => {
      const t = this.trees.get(m[1]!);
      return t
        ? [
            200,
            {
              sha: m[1],
              truncated: false,
              tree: [...t].map(([path, e]) => ({ path, mode: e.mode, type: "blob", sha: e.sha, size: this.blobs.get(e.sha)!.length })),
            },
          ]
        : [404, { message: "Not Found" }];
    });
    route("post", R("/git/trees"), (_m, body) => {
      const tree: Tree = new Map(this.trees.get(body.base_tree) ?? []);
      for (const e of body.tree) {
        if (e.sha === null) tree.delete(e.path);
        else if (!this.blobs.has(e.sha)) return [422, { message: `Invalid tree info: ${e.sha}` }];
        else tree.set(e.path, { sha: e.sha, mode: e.mode });
      }
      return [201, { sha: this.putTree(tree), truncated: false, tree: [] }];
    });
    route("get", R("/git/blobs/([0-9a-f]{40})"), (m) => {
      const b = this.blobs.get(m[1]!);
      return b
        ? [200, { sha: m[1], size: b.length, encoding: "base64", content: b.toString("base64").replace(/(.{60})/g, "$1\n") }]
        : [404, { message: "Not Found" }];
    });
    route("post", R("/git/blobs"), (_m, body) => [
      201,
      { sha: this.putBlob(Buffer.from(body.content, body.encoding === "base64" ? "base64" : "utf8")) },
    ]);
    route("get", R("/commits"), (_m, _b, uri) => {
      const q = new URL(uri, "https://api.github.com").searchParams;
      const out: unknown[] = [];
      for (let sha = this.refs.get(q.get("sha") ?? "main"); sha; sha = this.commits.get(sha)!.parents[0]) {
        const c = this.commits.get(sha)!;
        if (q.get("since") && c.date < q.get("since")!) break;
        const parentTree = c.parents[0] ? this.treeOf(c.parents[0]) : new Map();
        if (this.treeOf(sha).get(q.get("path")!)?.sha !== parentTree.get(q.get("path")!)?.sha)
          out.push({ sha, commit: { message: c.message, author: { date: c.date } }, author: { login: c.login } });
      }
      return [200, out];
    });

    // Pull requests
    const pullJson = (p: Pull) => ({
      ...p,
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${p.number}`,
      changed_files: p.files.length,
      labels: [],
      updated_at: p.merged_at ?? "2026-11-23T00:00:00Z",
      head: { ...p.head, repo: { full_name: `${this.owner}/${this.repo}` } },
      base: { ...p.base, repo: { full_name: `${this.owner}/${this.repo}` } },
    });
    route("get", R("/pulls/(\\d+)/files"), (m) => [200, this.pulls.get(Number(m[1]))?.files ?? []]);
    route("get", R("/pulls/(\\d+)"), (m) => {
      const p = this.pulls.get(Number(m[1]));
      return p ? [200, pullJson(p)] : [404, { message: "Not Found" }];
    });
    route("get", R("/pulls"), (_m, _b, uri, headers) => {
      const q = new URL(uri, "https://api.github.com").searchParams;
      const head = q.get("head");
      const state = q.get("state");
      const all = [...this.pulls.values()].filter(
        (p) => (!head || `${this.owner}:${p.head.ref}` === head) && (!state || state === "all" || p.state === state),
      );
      const sorted =
        q.get("sort") === "updated"
          ? all.map(pullJson).sort((a, b) => b.updated_at.localeCompare(a.updated_at) || b.number - a.number)
          : all.sort((a, b) => b.number - a.number).map(pullJson);
      const per = Number(q.get("per_page") ?? 30);
      const page = Number(q.get("page") ?? 1);
      return conditional(`${base}/pulls?${q}`, headers, sorted.slice((page - 1) * per, page * per));
    });
    route("post", R("/pulls"), (_m, body) => {
      const head = this.refs.get(body.head);
      if (!head) return [422, { message: "Validation Failed", errors: [{ field: "head", code: "invalid" }] }];
      const number = Math.max(100, ...this.pulls.keys()) + 1;
      const p: Pull = {
        number,
        node_id: `PR_${number}`,
        title: body.title,
        body: body.body,
        state: "open",
        draft: !!body.draft,
        merged_at: null,
        merge_commit_sha: null,
        user: { login: "devops-insight[bot]", type: "Bot", id: BOT_USER_ID },
        head: { ref: body.head, sha: head },
        base: { ref: body.base, sha: this.refs.get(body.base)! },
        commits: 1,
        files: [],
      };
      this.pulls.set(number, p);
      return [201, pullJson(p)];
    });
    route("patch", R("/pulls/(\\d+)"), (m, body) => {
      const p = this.pulls.get(Number(m[1]));
      if (!p) return [404, { message: "Not Found" }];
      Object.assign(
        p,
        body.title ? { title: body.title } : {},
        body.body !== undefined ? { body: body.body } : {},
        body.state ? { state: body.state } : {},
      );
      return [200, pullJson(p)];
    });
    route("post", /^\/graphql$/, (_m, body) => {
      this.graphqlCalls.push(body.query);
      const p = [...this.pulls.values()].find((x) => x.node_id === body.variables.id);
      if (!p) return [200, { data: null, errors: [{ type: "NOT_FOUND", message: "Could not resolve to a node" }] }];
      p.draft = /convertPullRequestToDraft/.test(body.query);
      const field = p.draft ? "convertPullRequestToDraft" : "markPullRequestReadyForReview";
      return [200, { data: { [field]: { pullRequest: { isDraft: p.draft } } } }];
    });

    // Issues: the thread, its labels, its state
    route("get", R("/issues/(\\d+)/comments"), (m) => [
      200,
      this.comments.filter((c) => c.issue === Number(m[1])).map((c) => ({ ...c, html_url: `https://github.com/x#issuecomment-${c.id}` })),
    ]);
    route("post", R("/issues/(\\d+)/comments"), (m, body) => {
      const c: Comment = { id: this.#nextId++, issue: Number(m[1]), body: body.body, user: { login: "devops-insight[bot]", type: "Bot" } };
      this.comments.push(c);
      return [201, { id: c.id, html_url: `https://github.com/x#issuecomment-${c.id}` }];
    });
    route("patch", R("/issues/comments/(\\d+)"), (m, body) => {
      const c = this.comments.find((x) => x.id === Number(m[1]));
      if (!c) return [404, { message: "Not Found" }];
      c.body = body.body;
      return [200, { id: c.id }];
    });
    route("post", R("/issues/(?:comments/)?\\d+/reactions"), () => [201, { id: 1, content: "eyes" }]);
    const issueJson = (n: number) => ({
      number: n,
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${n}`,
      state: this.closedIssues.has(n) ? "closed" : "open",
      labels: this.labelsOf(n).map((name) => ({ name })),
      title: "incident",
      body: "",
      created_at: "2026-11-23T00:00:00Z",
      updated_at: "2026-11-23T00:00:00Z",
      closed_at: null,
      ...this.issues.get(n),
    });
    route("get", R("/issues/(\\d+)"), (m) => [200, issueJson(Number(m[1]))]);
    route("get", /^\/search\/issues$/, (_m, _b, uri) => {
      const q = new URL(uri, "https://api.github.com").searchParams.get("q") ?? "";
      const label = /label:"([^"]+)"/.exec(q)?.[1];
      const since = /updated:>=(\S+)/.exec(q)?.[1];
      const items = [...new Set([...this.issues.keys(), ...this.labels.keys()])]
        .filter(
          (n) => !this.pulls.has(n) && (!label || this.labelsOf(n).includes(label)) && (!/is:closed/.test(q) || this.closedIssues.has(n)),
        )
        .map(issueJson)
        .filter((i) => !since || i.updated_at >= since)
        .sort((a, b) => a.updated_at.localeCompare(b.updated_at));
      return [200, { total_count: items.length, incomplete_results: false, items }];
    });
    route("get", R("/deployments"), (_m, _b, _uri, headers) =>
      conditional(
        `${base}/deployments`,
        headers,
        [...this.deployments]
          .sort((a, b) => b.id - a.id)
          .map((d) => ({
            id: d.id,
            sha: d.sha,
            ref: "main",
            environment: "production",
            created_at: d.created_at,
            url: `https://api.github.com${base}/deployments/${d.id}`,
          })),
      ),
    );
    route("get", R("/deployments/(\\d+)/statuses"), (m) => {
      const d = this.deployments.find((x) => x.id === Number(m[1]));
      return d ? [200, [{ id: d.id * 10, state: d.state, created_at: d.created_at }]] : [404, { message: "Not Found" }];
    });
    route("post", R("/check-runs"), (_m, body) => {
      this.checkRuns.push(body);
      return [201, { id: this.checkRuns.length, ...body }];
    });
    route("patch", R("/issues/(\\d+)"), (m, body) => {
      if (body.state === "closed") {
        this.closedIssues.add(Number(m[1]));
        const i = this.issues.get(Number(m[1]));
        if (i) Object.assign(i, { closed_at: new Date(this.#clock).toISOString(), updated_at: new Date(this.#clock).toISOString() });
      }
      return [200, { number: Number(m[1]), state: body.state }];
    });
    route("post", R("/issues/(\\d+)/labels"), (m, body) => {
      const set = this.labels.get(Number(m[1])) ?? new Set<string>();
      for (const l of body.labels) set.add(l);
      this.labels.set(Number(m[1]), set);
      return [200, [...set].map((name) => ({ name }))];
    });
    route("delete", R("/issues/(\\d+)/labels/(.+)"), (m) => {
      this.labels.get(Number(m[1]))?.delete(m[2]!);
      return [200, []];
    });

    // Who may do what
    route("get", R("/collaborators/([^/]+)/permission"), (m) => {
      const p = this.permissions.get(m[1]!) ?? "none";
      return p === "none"
        ? [404, { message: "Not Found" }]
        : [200, { permission: p === "maintain" ? "write" : p, role_name: p, user: { login: m[1] } }];
    });
    route("get", /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/, (m) =>
      this.teams.get(`${m[1]}/${m[2]}`)?.has(m[3]!) ? [200, { state: "active", role: "member" }] : [404, { message: "Not Found" }],
    );
  }
}

export { APP_ID, INSTALLATION_ID };
