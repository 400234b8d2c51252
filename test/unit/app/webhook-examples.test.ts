import { describe, expect, it } from "@jest/globals";
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import type { Job, JobQueue } from "../../../src/jobs/types.js";
import { loadTestApp, useNock } from "../../helpers/probot.js";
import { useE2eTimeout } from "../../helpers/e2e-timeout.js";
import { example, examplesOf } from "../../helpers/webhooks.js";

/** A queue that only records, so routing is tested without running any job. */
function recordingQueue() {
  const jobs: Job[] = [];
  const queue: JobQueue = {
    enqueue: (job) => (jobs.push(job), "queued"),
    drain: async () => ({ drained: true, abandoned: [] }),
    onIdle: async () => {},
    stats: () => ({
      pending: 0,
      running: 0,
      counts: { enqueued: jobs.length, coalesced: 0, duplicate: 0, rejected: 0, completed: 0, failed: 0 },
    }),
  };
  return { queue, jobs };
}

async function appWithRecorder() {
  const recorder = recordingQueue();
  const { probot } = await loadTestApp({ makeQueue: () => recorder.queue });
  let n = 0;
  const receive = (name: string, payload: Record<string, unknown>) => probot.receive({ id: `delivery-${++n}`, name, payload } as never);
  return { ...recorder, receive };
}

describe("webhook examples", () => {
  useNock();
  useE2eTimeout();

  it("subscribes app.yml to exactly the events the app handles", async () => {
    const manifest = parse(await readFile(new URL("../../../app.yml", import.meta.url), "utf8"));
    expect([...manifest.default_events].sort()).toEqual(["check_run", "check_suite", "issue_comment", "issues", "pull_request"]);
  });

  const subscribed = ["pull_request", "issues", "issue_comment", "check_run", "check_suite"];
  const all = subscribed.flatMap((event) =>
    examplesOf(event).map((payload, i) => [`${event}.${payload.action} #${i}`, event, payload] as const),
  );

  it(`has examples to run (${all.length})`, () => {
    expect(all.length).toBeGreaterThan(80);
  });

  it.each(all)("handles %s without throwing and without calling GitHub", async (_label, event, payload) => {
    const { receive } = await appWithRecorder();
    await expect(receive(event, payload)).resolves.not.toThrow();
  });

  it("routes a pushed pull request to one coalescing impact job on its head", async () => {
    const { receive, jobs } = await appWithRecorder();
    const payload = example("pull_request", "synchronize");
    await receive("pull_request", payload);
    expect(jobs).toEqual([
      expect.objectContaining({
        kind: "pr-impact",
        delivery: "delivery-1",
        pullNumber: payload.pull_request.number,
        headSha: payload.pull_request.head.sha,
        coalesceKey: `pr-impact:${payload.repository.owner.login}/${payload.repository.name}#${payload.pull_request.number}`,
        installationId: payload.installation.id,
      }),
    ]);
  });

  it("routes a merged pull request to pr-merged and ignores one closed unmerged", async () => {
    const { receive, jobs } = await appWithRecorder();
    const merged = example("pull_request", "closed");
    merged.pull_request.merged = true;
    merged.pull_request.merge_commit_sha = "c0ffee";
    await receive("pull_request", merged);
    const unmerged = example("pull_request", "closed");
    unmerged.pull_request.merged = false;
    await receive("pull_request", unmerged);
    expect(jobs.map((j) => j.kind)).toEqual(["pr-merged", "history"]); // the repository memory indexes the merged change too
  });

  it("routes a labelled issue to an RCA job with that label, and skips an unlabelled new issue", async () => {
    const { receive, jobs } = await appWithRecorder();
    const labelled = example("issues", "labeled");
    labelled.label = { name: "incident" };
    labelled.issue.state = "open";
    await receive("issues", labelled);
    const opened = example("issues", "opened");
    opened.issue.labels = [];
    await receive("issues", opened);
    expect(jobs).toEqual([expect.objectContaining({ kind: "rca", labels: ["incident"], trigger: "labeled" })]);
  });

  it("routes /insight comments, and ignores bots, quotes and plain comments", async () => {
    const { receive, jobs } = await appWithRecorder();
    const withBody = (body: string, type = "User") => {
      const p = example("issue_comment", "created");
      p.comment.body = body;
      p.comment.user.type = type;
      p.sender.type = type;
      return p;
    };
    await receive("issue_comment", withBody("/insight rca since=3h"));
    await receive("issue_comment", withBody("/insight help", "Bot"));
    await receive("issue_comment", withBody("> /insight fix"));
    await receive("issue_comment", withBody("LGTM"));
    await receive("issue_comment", withBody('/insight rca service="oops'));
    expect(jobs.map((j) => (j.kind === "command" ? j.command : j.kind))).toEqual([
      { name: "rca", args: { since: "3h" }, positional: [], line: 1 },
      { invalid: 'unclosed " quote' },
    ]);
  });

  it("re-runs the analysis from Insight's own check run, not from others'", async () => {
    const { receive, jobs } = await appWithRecorder();
    const own = example("check_run", "rerequested");
    own.check_run.app.id = 123;
    own.check_run.pull_requests = [{ number: 5, head: { sha: "abc" }, base: { sha: "def" } }];
    await receive("check_run", own);
    const other = example("check_run", "rerequested");
    other.check_run.app.id = 999;
    other.check_run.name = "build";
    await receive("check_run", other);
    expect(jobs).toEqual([expect.objectContaining({ kind: "pr-impact", pullNumber: 5, trigger: "rerequested" })]);
  });

  it("sends failed CI of other apps on a PR to CI-failure analysis, one key per commit", async () => {
    const { receive, jobs } = await appWithRecorder();
    const run = example("check_run", "completed");
    run.check_run.conclusion = "failure";
    run.check_run.app.id = 999;
    run.check_run.name = "test";
    run.check_run.pull_requests = [{ number: 9, head: { sha: run.check_run.head_sha }, base: { sha: "x" } }];
    await receive("check_run", run);
    const suite = example("check_suite", "completed");
    suite.check_suite.conclusion = "success";
    await receive("check_suite", suite);
    expect(jobs).toEqual([
      expect.objectContaining({ kind: "ci-failure", pullNumbers: [9], coalesceKey: expect.stringContaining(run.check_run.head_sha) }),
    ]);
  });
});
