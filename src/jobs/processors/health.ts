import { sourceSummaries } from "../../analysis/assess-impact.js";
import { scanHealth, type HealthProblem } from "../../analysis/health.js";
import { buildWarningBundle } from "../../capsule/build.js";
import { bundleProblems } from "../../capsule/schemas.js";
import { serversForRepo } from "../../config/mcp-servers.js";
import { readMetadata, writeMetadata } from "../../github/metadata.js";
import { reply } from "../../github/reply.js";
import { fullName, type Octokit, type RepoRef } from "../../core/github.js";
import { replyBody } from "../../core/identifiers.js";
import { HEALTH_MARKER, renderHealth } from "../../render/health.js";
import { collectSignals } from "../../signals/collect.js";
import type { CollectionResult } from "../../signals/types.js";
import type { JobContext, JobProcessor } from "../run-job.js";
import type { HealthJob } from "../types.js";
import type { Services } from "../../pipeline/services.js";

export const HEALTH_LABEL = "insight:health";
const TITLE = "Insight health report";
type HealthMeta = { keys: string[]; published: string[]; scannedAt: number };

/** The repository's health issue: open, made by a bot, with the report's marker (a person's issue that quotes it is not it). */
async function findHealthIssue(octokit: Octokit, repo: RepoRef): Promise<{ number: number; body: string } | undefined> {
  const { data } = await octokit.rest.issues.listForRepo({ ...repo, labels: HEALTH_LABEL, state: "open", per_page: 20 });
  const found = data.find((i) => !i.pull_request && i.user?.type === "Bot" && i.body?.includes(HEALTH_MARKER));
  return found ? { number: found.number, body: found.body ?? "" } : undefined;
}

export type HealthServices = Services & { windowMs: number; nextScan?: (installationId: number) => number | undefined };

/**
 * The health scan of one repository: every configured source read over the window, trends and
 * states that need attention and monitoring gaps, into the one `Insight health report` issue,
 * edited in place. New problems come first and get one comment (a notification); a scan with
 * nothing new edits the issue quietly. Problems confirmed by two scans in a row can go out as
 * warning capsules when the repository publishes to EvoMap.
 */
export async function runHealth(
  s: HealthServices,
  ctx: JobContext,
  job: Pick<HealthJob, "repo" | "installationId" | "trigger" | "issueNumber" | "actor">,
): Promise<void> {
  const started = Date.now();
  const { octokit, writer, config } = ctx;
  const names = Object.keys(config.services);
  if (names.length === 0) {
    if (job.issueNumber)
      await reply(
        { repo: job.repo, issueNumber: job.issueNumber, actor: job.actor },
        ctx,
        "There is nothing to scan: `.github/insight.yml` maps no service.",
      );
    return;
  }
  const now = Date.now();
  const window = { from: now - s.windowMs, to: now };
  const allowed = s.pool ? serversForRepo(s.mcpServers, fullName(job.repo)) : [];
  const collection: CollectionResult =
    s.pool && allowed.length
      ? await collectSignals({
          pool: s.pool,
          config: s.mcpServers,
          adapters: s.adapters,
          repo: fullName(job.repo),
          services: names.map((name) => ({ name, config: config.services[name]! })),
          window,
          metrics: config.metrics,
          log: ctx.log,
        })
      : { window, sources: [], signals: [], elapsedMs: 0 };
  const scan = scanHealth({ collection, config, window });
  const existing = await findHealthIssue(octokit, job.repo);
  const previous = readMetadata<HealthMeta>(existing?.body, "health") ?? { keys: [], published: [], scannedAt: 0 };
  // Confirmed problems need a previous scan, so an existing issue: that is where decisions are told.
  const published = existing
    ? await publishWarnings(
        s,
        ctx,
        job,
        existing.number,
        scan.problems.filter((p) => previous.keys.includes(p.key)),
        previous.published,
      )
    : [];
  const meta: HealthMeta = { keys: scan.problems.map((p) => p.key), published, scannedAt: now };
  const body = `${HEALTH_MARKER}\n${writeMetadata("health", meta)}\n${renderHealth(scan, { repo: fullName(job.repo), previousKeys: previous.keys, sources: sourceSummaries(collection.sources), elapsedMs: Date.now() - started, nextScan: s.nextScan?.(job.installationId), published })}`;
  const fresh = scan.problems.filter((p) => !previous.keys.includes(p.key) && p.kind !== "monitoring-gap");
  let issue = existing?.number;
  if (!existing) issue = (await writer.createIssue(job.repo, { title: TITLE, body, labels: [HEALTH_LABEL] }, "health report")).number;
  else {
    await writer.updateIssueBody(job.repo, existing.number, body, "health report");
    if (fresh.length)
      await writer.createComment(
        job.repo,
        existing.number,
        replyBody(`🆕 ${fresh.length} new problem${fresh.length === 1 ? "" : "s"} since the last scan:\n${fresh.map(describe).join("\n")}`),
        "new health problems",
      );
  }
  if (job.issueNumber && job.issueNumber !== issue) {
    const open = scan.problems.filter((p) => p.kind !== "monitoring-gap").length;
    await reply(
      { repo: job.repo, issueNumber: job.issueNumber, actor: job.actor },
      ctx,
      `🩺 Health scan done: ${open} problem${open === 1 ? "" : "s"} (${fresh.length} new)${scan.problems.length - open ? ` and ${scan.problems.length - open} monitoring gap${scan.problems.length - open === 1 ? "" : "s"}` : ""} — the report is in #${issue}.`,
    );
  }
}

const describe = (p: HealthProblem) => `- ${p.severity === "critical" ? "🔴" : "🟡"} ${p.service ? `**${p.service}** — ` : ""}${p.text}`;

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
      signal: p.kind.replace(/-/g, " "),
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

export function createHealthProcessor(s: HealthServices): JobProcessor<"health"> {
  return (job, ctx) => runHealth(s, ctx, job);
}
