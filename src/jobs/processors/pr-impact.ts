import type { RiskAssessment } from "../../analysis/assess-impact.js";
import type { Lookup } from "../../capsule/lookup.js";
import type { PullRefs } from "../../changes/github-checks.js";
import { pullRequestChanges } from "../../changes/github.js";
import { inferGitHubServices } from "../../changes/infer-from-repo.js";
import { withInferredServices } from "../../config/infer-services.js";
import { fullName } from "../../core/github.js";
import { IMPACT_CHECK_NAME, REANALYZE_ACTION } from "../../core/identifiers.js";
import { atLeast } from "../../core/risk.js";
import { readMetadata } from "../../github/metadata.js";
import { findStickyComment, type FoundComment } from "../../github/sticky-comment.js";
import type { ImpactSubmission } from "../../llm/grounding.js";
import type { ModelOutcome } from "../../llm/service.js";
import { impactPipeline } from "../../pipeline/impact.js";
import type { Services } from "../../pipeline/services.js";
import { ciSectionOf, withCiSection } from "../../render/ci-failure.js";
import { impactMeta, renderImpactCheck, renderImpactComment, type ImpactMeta } from "../../render/impact.js";
import type { JobContext, JobProcessor } from "../run-job.js";
import { changeHistoryFactor, withFactor } from "../../history/service.js";
import type { PrImpactJob } from "../types.js";

/** Check run, risk label, sticky comment — each only when it says something new. */
export async function publishImpact(
  ctx: JobContext,
  job: Pick<PrImpactJob, "repo" | "pullNumber">,
  a: RiskAssessment,
  labels: string[],
  elapsedMs: number,
  extras: { related?: Lookup; model?: ModelOutcome<ImpactSubmission>; existing?: FoundComment | null } = {},
): Promise<void> {
  const { writer, config } = ctx;
  const { output, conclusion } = renderImpactCheck(a, config);
  await writer.createCheckRun(
    job.repo,
    {
      name: IMPACT_CHECK_NAME,
      headSha: a.head,
      status: "completed",
      conclusion,
      output,
      externalId: a.digest,
      actions: [{ label: "Re-analyze", description: "Run the blast-radius analysis again", identifier: REANALYZE_ACTION }],
    },
    "PR blast radius",
  );
  if (config.impact.labels) {
    const want = `risk:${a.level}`;
    for (const stale of labels.filter((l) => l.startsWith("risk:") && l !== want))
      await writer.removeLabel(job.repo, job.pullNumber, stale, `risk is now ${a.level}`);
    if (!labels.includes(want)) await writer.addLabels(job.repo, job.pullNumber, [want], `blast radius ${a.score}/100`);
  }
  const existing =
    extras.existing !== undefined ? extras.existing : await findStickyComment(ctx.octokit, job.repo, job.pullNumber, "impact");
  const previous = readMetadata<ImpactMeta>(existing?.body, "impact");
  if (previous?.digest === a.digest) {
    ctx.log.info({ pr: job.pullNumber, digest: a.digest }, "Impact unchanged: comment left as it is");
    return;
  }
  if (!existing && !atLeast(a.level, config.impact.commentMinLevel)) {
    ctx.log.info({ pr: job.pullNumber, level: a.level }, "Below the comment level: check run and label only");
    return;
  }
  // A CI failure section for this same commit stays; one for an older commit is dropped.
  const ci = ciSectionOf(existing?.body);
  const body = withCiSection(
    renderImpactComment(a, { previous, elapsedMs, config, related: extras.related, model: extras.model }),
    ci?.sha === a.head ? ci.text : undefined,
  ).trimEnd();
  await writer.upsertSticky({
    repo: job.repo,
    issueNumber: job.pullNumber,
    key: "impact",
    body,
    metadata: impactMeta(a),
    reason: `PR blast radius ${a.level} (${a.score}/100)`,
    existing: existing ?? null,
  });
}

/**
 * PR impact as read → pipeline → render → write: the change from the API, the impact pipeline
 * (classification, production signals, score, capsules, model notes), then the check run, the
 * label and the one sticky comment.
 */
export function createImpactProcessor(s: Services): (...args: Parameters<JobProcessor<"pr-impact">>) => Promise<PullRefs> {
  return async (job, ctx) => {
    const started = Date.now();
    const { changes, pr } = await pullRequestChanges(ctx.octokit, job.repo, job.pullNumber);
    // What was read of the PR, returned so `/insight impact`'s CI refresh does not read it again.
    const refs: PullRefs = { state: pr.state, headSha: changes.head.sha, baseRef: changes.base.ref };
    if (pr.state !== "open") {
      ctx.log.info({ pr: job.pullNumber }, "Pull request is closed: not analysed");
      return refs;
    }
    if (pr.draft && !ctx.config.impact.drafts && job.trigger !== "command") {
      ctx.log.info({ pr: job.pullNumber }, "Draft pull request: not analysed (impact.drafts is off)");
      return refs;
    }
    // No .github/insight.yml: the services come from the repository's layout at the PR's head.
    const inferred = ctx.configSource === "default" ? await inferGitHubServices(ctx.octokit, job.repo, changes.head.sha) : undefined;
    const config = inferred ? withInferredServices(ctx.config, inferred) : ctx.config;
    let existing: FoundComment | null | undefined;
    const shownDigest = async () => {
      existing ??= (await findStickyComment(ctx.octokit, job.repo, job.pullNumber, "impact")) ?? null;
      return readMetadata<ImpactMeta>(existing?.body, "impact")?.digest;
    };
    const report = await impactPipeline(s, {
      changes,
      config,
      inferred,
      repo: fullName(job.repo),
      log: ctx.log,
      now: Date.now(),
      pr: { title: changes.title ?? "", body: pr.body },
      shownDigest,
      withHistory: s.history
        ? async (files, a) => {
            const h = await changeHistoryFactor(s.history!, { ...ctx, config }, job.repo, files, job.pullNumber);
            return withFactor(a, h.factor, config, h.note);
          }
        : undefined,
    });
    await publishImpact(ctx, job, report.assessment, pr.labels, Date.now() - started, {
      related: report.related,
      model: report.model,
      existing,
    });
    return refs;
  };
}
