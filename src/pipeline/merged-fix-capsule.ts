import { readRcaState } from "../remediation/rca-state.js";
import type { FixPull } from "../remediation/fix-pull.js";
import { pullRequestFiles } from "../changes/github.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { Octokit, RepoRef } from "../core/github.js";
import type { EvoMapServices } from "../capsule/services.js";
import { buildBundle } from "../capsule/build.js";
import type { PublishOutcome } from "../capsule/publisher.js";
import { bundleProblems } from "../capsule/schemas.js";

/** What the incident is told about the capsule of a merged fix, one short section. */
export function describeOutcome(outcome: PublishOutcome, hubUrl: string, reputation?: number): string {
  const rep = reputation === undefined ? "" : ` (node reputation ${reputation})`;
  if (outcome.status === "waiting")
    return `📦 Capsule queued: the hub did not decide (${outcome.reason}); Insight retries at ${new Date(outcome.nextAttemptAt).toISOString()} and will say so here.`;
  const d = outcome.decision;
  const fix = d.correction ? ` — ${[d.correction.problem, d.correction.fix].filter(Boolean).join("; fix: ")}` : "";
  if (d.decision === "accept")
    return `📦 Capsule published to EvoMap${d.bundleId ? `: [${d.bundleId}](${hubUrl}/a2a/assets/${encodeURIComponent(d.bundleId)})` : ""}${rep}.`;
  if (d.decision === "quarantine")
    return `📦 Capsule **quarantined** by EvoMap${d.reason ? `: ${d.reason}` : ""}${fix}. It is not live until the hub's validation accepts it — this is not a success${rep}.`;
  return `📦 Capsule **rejected** by EvoMap${d.validated ? "" : " at validation"}: ${d.reason ?? "no reason given"}${fix}${rep}.`;
}

/**
 * The capsule of a merged fix: built from the incident's analysis and the fix's diff, redacted,
 * checked against the hub's gates, and published through the outbox when the repository asks for
 * it and the analysis is confident enough. Returns the line the incident gets, saying why not
 * when it was not published.
 */
export async function capsuleForMergedFix(p: {
  octokit: Octokit;
  config: RepoConfig;
  dryRun: boolean;
  repo: RepoRef;
  installationId: number;
  pull: FixPull;
  evomap: EvoMapServices | undefined;
}): Promise<string> {
  const { pull, evomap, config, repo } = p;
  const { state } = pull;
  if (state.kind === "rollback") return "";
  if (!evomap) return "📦 No capsule: EvoMap is not enabled by this installation's operator (`EVOMAP_ENABLED`).";
  if (!config.evomap.autoPublish) return "📦 No capsule published: `evomap.autoPublish` is off in `.github/insight.yml`.";
  if (!state.approvals.some((a) => a.commit === pull.headSha))
    return "📦 No capsule: the merged commit was never approved, so it teaches nothing yet.";
  const rca = await readRcaState(p.octokit, repo, state.incident);
  const h = rca?.hypotheses.find((x) => x.suspect === `#${state.target}`) ?? rca?.hypotheses[0];
  if (!rca || !h) return "📦 No capsule: the incident has no analysis to learn from.";
  if (h.confidence < config.evomap.minConfidence)
    return `📦 No capsule published: the analysis was ${Math.round(h.confidence * 100)}% confident, under \`evomap.minConfidence\` (${Math.round(config.evomap.minConfidence * 100)}%).`;
  const files = await pullRequestFiles(p.octokit, repo, pull.number);
  const bundle = buildBundle({
    keywords: rca.signals,
    hypothesis: h,
    summary: rca.summary,
    privateNames: [repo.owner, repo.repo, ...Object.keys(config.services)],
    fix: {
      kind: state.kind,
      approved: true,
      files: files.map((f) => ({ path: f.path, additions: f.additions, deletions: f.deletions, patch: f.patch })),
    },
  });
  const problems = bundleProblems(bundle);
  if (problems.length) return `📦 No capsule: it would not pass the hub's gates:\n${problems.map((p) => `- ${p}`).join("\n")}`;
  if (p.dryRun) return `📦 Capsule ${bundle.capsule.asset_id} built (dry run: not published).`;
  const outcome = await evomap.publisher.submit(bundle, {
    installationId: p.installationId,
    repo,
    incident: state.incident,
    pull: pull.number,
  });
  const reputation = outcome.status === "decided" ? await evomap.client.reputation() : undefined;
  return describeOutcome(outcome, evomap.client.hubUrl, reputation?.ok ? reputation.value : undefined);
}
