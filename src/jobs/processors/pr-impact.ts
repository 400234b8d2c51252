import { assessImpact, type RiskAssessment } from "../../analysis/assess-impact.js";
import { changeSignals, relatedCapsules, type Lookup } from "../../capsule/lookup.js";
import type { EvoMapServices } from "../../capsule/on-merge.js";
import type { ImpactSubmission } from "../../llm/grounding.js";
import { modelImpact, type LlmServices, type ModelOutcome } from "../../llm/service.js";
import { classifyChanges, type ClassifiedFile } from "../../analysis/classify-change.js";
import { pullRequestChanges } from "../../changes/github.js";
import { LEVELS, type RepoConfig } from "../../config/repo-config.js";
import { inferGitHubServices } from "../../config/infer-from-repo.js";
import { withInferredServices } from "../../config/infer-services.js";
import { serversForRepo, type McpServersConfig } from "../../config/mcp-servers.js";
import { IMPACT_CHECK_NAME, REANALYZE_ACTION } from "../../handlers/job-base.js";
import { readMetadata } from "../../github/metadata.js";
import { findStickyComment, type FoundComment } from "../../github/sticky-comment.js";
import { fullName } from "../../github/types.js";
import { ciSectionOf, withCiSection } from "../../render/ci-failure.js";
import { impactMeta, renderImpactCheck, renderImpactComment, type ImpactMeta } from "../../render/impact.js";
import type { Adapter } from "../../signals/adapters/types.js";
import { collectSignals, type CollectParams } from "../../signals/collect.js";
import type { McpPool } from "../../signals/mcp-pool.js";
import type { CollectionResult } from "../../signals/types.js";
import type { JobContext, JobProcessor } from "../run-job.js";
import { changeHistoryFactor, withFactor, type HistoryServices } from "../../history/service.js";
import type { PrImpactJob } from "../types.js";

export type ImpactServices = { pool?: McpPool; mcpServers: McpServersConfig; adapters: ReadonlyMap<string, Adapter>; evomap?: EvoMapServices; llm?: LlmServices; onSource?: CollectParams["onSource"]; history?: HistoryServices };

/** How far back "production now" looks for a PR's services. */
const PROFILE_WINDOW_MS = 60 * 60_000;

/** Reads the touched services' production signals; undefined (with the reason) when there is nothing to read. */
export async function collectForChange(s: ImpactServices, repo: string | undefined, files: ClassifiedFile[], config: RepoConfig, log: JobContext["log"]): Promise<{ collection?: CollectionResult; noCollection?: string }> {
  const touched = [...new Set(files.flatMap((f) => f.services))];
  if (!s.pool) return { noCollection: "no MCP servers are configured" };
  if (repo && serversForRepo(s.mcpServers, repo).length === 0) return { noCollection: "no MCP server is allowed for this repository" };
  if (touched.length === 0) return { noCollection: "the change touches no mapped service" };
  const now = Date.now();
  const collection = await collectSignals({
    pool: s.pool,
    config: s.mcpServers,
    adapters: s.adapters,
    repo,
    services: touched.map((name) => ({ name, config: config.services[name]! })),
    window: { from: now - PROFILE_WINDOW_MS, to: now },
    metrics: config.metrics,
    log,
    baseline: true,
    onSource: s.onSource,
  });
  return { collection };
}

/** Check run, risk label, sticky comment — each only when it says something new. */
export async function publishImpact(ctx: JobContext, job: Pick<PrImpactJob, "repo" | "pullNumber">, a: RiskAssessment, labels: string[], elapsedMs: number, extras: { related?: Lookup; model?: ModelOutcome<ImpactSubmission>; existing?: FoundComment | null } = {}): Promise<void> {
  const { writer, config } = ctx;
  const { output, conclusion } = renderImpactCheck(a, config);
  await writer.createCheckRun(
    job.repo,
    { name: IMPACT_CHECK_NAME, headSha: a.head, status: "completed", conclusion, output, externalId: a.digest, actions: [{ label: "Re-analyze", description: "Run the blast-radius analysis again", identifier: REANALYZE_ACTION }] },
    "PR blast radius",
  );
  if (config.impact.labels) {
    const want = `risk:${a.level}`;
    for (const stale of labels.filter((l) => l.startsWith("risk:") && l !== want)) await writer.removeLabel(job.repo, job.pullNumber, stale, `risk is now ${a.level}`);
    if (!labels.includes(want)) await writer.addLabels(job.repo, job.pullNumber, [want], `blast radius ${a.score}/100`);
  }
  const existing = extras.existing !== undefined ? extras.existing : await findStickyComment(ctx.octokit, job.repo, job.pullNumber, "impact");
  const previous = readMetadata<ImpactMeta>(existing?.body, "impact");
  if (previous?.digest === a.digest) {
    ctx.log.info({ pr: job.pullNumber, digest: a.digest }, "Impact unchanged: comment left as it is");
    return;
  }
  if (!existing && LEVELS.indexOf(a.level) < LEVELS.indexOf(config.impact.commentMinLevel)) {
    ctx.log.info({ pr: job.pullNumber, level: a.level }, "Below the comment level: check run and label only");
    return;
  }
  // A CI failure section for this same commit stays; one for an older commit is dropped.
  const ci = ciSectionOf(existing?.body);
  const body = withCiSection(renderImpactComment(a, { previous, elapsedMs, config, related: extras.related, model: extras.model }), ci?.sha === a.head ? ci.text : undefined).trimEnd();
  await writer.upsertSticky({ repo: job.repo, issueNumber: job.pullNumber, key: "impact", body, metadata: impactMeta(a), reason: `PR blast radius ${a.level} (${a.score}/100)`, existing: existing ?? null });
}

/**
 * PR impact: the change from the API, the touched services' production profile over MCP, the
 * deterministic score, then the check run, the label and the one sticky comment.
 */
export function createImpactProcessor(s: ImpactServices): JobProcessor<"pr-impact"> {
  return async (job, ctx) => {
    const started = Date.now();
    const { changes, pr } = await pullRequestChanges(ctx.octokit, job.repo, job.pullNumber);
    if (pr.state !== "open") return ctx.log.info({ pr: job.pullNumber }, "Pull request is closed: not analysed");
    if (pr.draft && !ctx.config.impact.drafts && job.trigger !== "command") return ctx.log.info({ pr: job.pullNumber }, "Draft pull request: not analysed (impact.drafts is off)");
    // No .github/insight.yml: the services come from the repository's layout at the PR's head.
    const inferred = ctx.configSource === "default" ? await inferGitHubServices(ctx.octokit, job.repo, changes.head.sha) : undefined;
    const config = inferred ? withInferredServices(ctx.config, inferred) : ctx.config;
    const files = classifyChanges(changes, config);
    const { collection, noCollection } = await collectForChange(s, fullName(job.repo), files, config, ctx.log);
    const history = s.history ? await changeHistoryFactor(s.history, { ...ctx, config }, job.repo, files, job.pullNumber) : undefined;
    const assessment = withFactor(assessImpact({ changes, config, collection, noCollection, files, inferred }), history?.factor, config, history?.note);
    // Capsule lookups and model notes only for changes worth a reviewer's attention; notes only when the score changed.
    const worthIt = LEVELS.indexOf(assessment.level) >= LEVELS.indexOf("medium");
    const related = s.evomap && worthIt ? await relatedCapsules(s.evomap.client, changeSignals(assessment)) : undefined;
    const existing = s.llm && worthIt ? ((await findStickyComment(ctx.octokit, job.repo, job.pullNumber, "impact")) ?? null) : undefined;
    const model = s.llm && worthIt && readMetadata<ImpactMeta>(existing?.body, "impact")?.digest !== assessment.digest
      ? await modelImpact(s.llm, { assessment, signals: collection?.signals ?? [], pr: { title: changes.title ?? "", body: pr.body }, log: ctx.log })
      : undefined;
    await publishImpact(ctx, job, assessment, pr.labels, Date.now() - started, { related, model, existing });
  };
}
