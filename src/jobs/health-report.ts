import type { HealthProblem } from "../analysis/health.js";
import { buildWarningBundle } from "../capsule/build.js";
import { bundleProblems } from "../capsule/schemas.js";
import { fullName, type Octokit, type RepoRef } from "../core/github.js";
import { replyBody } from "../core/identifiers.js";
import { readMetadata, writeMetadata } from "../github/metadata.js";
import { healthPipeline, type HealthInput, type HealthReport } from "../pipeline/health.js";
import type { Services } from "../pipeline/services.js";
import { HEALTH_MARKER, renderHealth, renderNewProblems } from "../render/health.js";
import type { JobContext } from "./run-job.js";
import type { HealthJob } from "./types.js";

export const HEALTH_LABEL = "insight:health";
const TITLE = "Insight health report";
type HealthMeta = { keys: string[]; published: string[]; scannedAt: number };

/** The health pipeline's services in the app: how far back a scan looks, and when the next scheduled one comes. */
export type HealthServices = Services & { windowMs: number; nextScan?: (installationId: number) => number | undefined };

/** What a repository with no service is told when it asks for a scan. */
export const NOTHING_TO_SCAN = "There is nothing to scan: `.github/insight.yml` maps no service.";

/** The health pipeline's input for a repository's scan at `now`: every configured service over the operator's window. */
export function healthInput(s: HealthServices, ctx: JobContext, repo: RepoRef, now: number): HealthInput {
  return {
    config: ctx.config,
    repo: fullName(repo),
    services: Object.keys(ctx.config.services),
    window: { from: now - s.windowMs, to: now },
    noSourceNote: "no MCP source is allowed for this repository",
    log: ctx.log,
  };
}

/** The repository's health issue as the last scan left it. */
export type HealthIssue = { number: number; body: string };

/** The repository's health issue: open, made by a bot, with the report's marker (a person's issue that quotes it is not it). */
export async function findHealthIssue(octokit: Octokit, repo: RepoRef): Promise<HealthIssue | undefined> {
  const { data } = await octokit.rest.issues.listForRepo({ ...repo, labels: HEALTH_LABEL, state: "open", per_page: 20 });
  const found = data.find((i) => !i.pull_request && i.user?.type === "Bot" && i.body?.includes(HEALTH_MARKER));
  return found ? { number: found.number, body: found.body ?? "" } : undefined;
}

/** Where the report went and what was new in it, for whoever asked. */
export type PublishedHealth = { issue: number; fresh: HealthProblem[] };

/**
 * One repository's scan, read → pipeline → render → write: the health issue as the last scan left
 * it, the health pipeline over every configured service, the issue edited in place. The scheduled
 * processor and `/insight health` both run it.
 */
export async function scanAndPublish(
  s: HealthServices,
  ctx: JobContext,
  job: Pick<HealthJob, "repo" | "installationId">,
): Promise<{ report: HealthReport; published: PublishedHealth }> {
  const started = Date.now();
  const existing = await findHealthIssue(ctx.octokit, job.repo);
  const report = await healthPipeline(s, healthInput(s, ctx, job.repo, started));
  const published = await publishHealthReport(s, ctx, job, { report, existing, elapsedMs: Date.now() - started });
  return { report, published };
}

/**
 * Renders a scan into the one `Insight health report` issue, edited in place: created on the
 * first scan; afterwards, new problems get one comment (a notification) and a scan with nothing
 * new edits the issue quietly. Problems confirmed by two scans in a row can go out as warning
 * capsules when the repository publishes to EvoMap.
 */
export async function publishHealthReport(
  s: HealthServices,
  ctx: JobContext,
  job: Pick<HealthJob, "repo" | "installationId">,
  p: { report: HealthReport; existing: HealthIssue | undefined; elapsedMs: number },
): Promise<PublishedHealth> {
  const { writer } = ctx;
  const { report, existing } = p;
  const { scan } = report;
  const previous = readMetadata<HealthMeta>(existing?.body, "health") ?? { keys: [], published: [], scannedAt: 0 };
  // Confirmed problems need a previous scan, so an existing issue: that is where decisions are told.
  const published = existing
    ? await publishWarnings(
        s,
        ctx,
        job,
        existing.number,
        scan.problems.filter((x) => previous.keys.includes(x.key)),
        previous.published,
      )
    : [];
  const meta: HealthMeta = { keys: scan.problems.map((x) => x.key), published, scannedAt: scan.window.to };
  const body = `${HEALTH_MARKER}\n${writeMetadata("health", meta)}\n${renderHealth(scan, {
    repo: fullName(job.repo),
    previousKeys: previous.keys,
    sources: report.sources,
    notes: report.notes,
    elapsedMs: p.elapsedMs,
    nextScan: s.nextScan?.(job.installationId),
    published,
  })}`;
  const fresh = scan.problems.filter((x) => !previous.keys.includes(x.key) && x.kind !== "monitoring-gap");
  if (!existing) {
    const created = await writer.createIssue(job.repo, { title: TITLE, body, labels: [HEALTH_LABEL] }, "health report");
    return { issue: created.number, fresh };
  }
  await writer.updateIssueBody(job.repo, existing.number, body, "health report");
  if (fresh.length) await writer.createComment(job.repo, existing.number, replyBody(renderNewProblems(fresh)), "new health problems");
  return { issue: existing.number, fresh };
}

/** Confirmed problems (seen in the previous scan too) with an alert rule to offer, once each, through the capsule publisher's gates. */
async function publishWarnings(
  s: HealthServices,
  ctx: JobContext,
  job: Pick<HealthJob, "repo" | "installationId">,
  thread: number,
  confirmed: HealthProblem[],
  already: string[],
): Promise<string[]> {
  const published = [...already];
  if (!s.evomap || !ctx.config.evomap.autoPublish || ctx.writer.dryRun) return published;
  for (const p of confirmed.filter((x) => x.suggestion && x.confidence >= ctx.config.evomap.minConfidence && !already.includes(x.key))) {
    const bundle = buildWarningBundle({
      keyword: p.kind.replace(/-/g, " "),
      kind: p.kind,
      text: p.text,
      rule: p.suggestion!,
      confidence: p.confidence,
      privateNames: [job.repo.owner, job.repo.repo, ...Object.keys(ctx.config.services)],
    });
    const problems = bundleProblems(bundle);
    if (problems.length) {
      ctx.log.warn({ key: p.key, problems }, "Warning capsule does not pass the hub's gates");
      continue;
    }
    await s.evomap.publisher.submit(bundle, { installationId: job.installationId, repo: job.repo, incident: thread, pull: 0 });
    published.push(p.key);
  }
  return published;
}
