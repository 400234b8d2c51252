import { incidentWindow } from "../analysis/incident-window.js";
import { changeHistory } from "../changes/github-history.js";
import { fullName, type RepoRef } from "../core/github.js";
import { replyBody } from "../core/identifiers.js";
import { getPermission } from "../github/permissions.js";
import { readMetadata } from "../github/metadata.js";
import { findStickyComment } from "../github/sticky-comment.js";
import { allowedSources } from "../pipeline/collect.js";
import { rcaPipeline } from "../pipeline/rca.js";
import type { Services } from "../pipeline/services.js";
import { chainLine, renderRca, renderRcaStatus } from "../render/rca.js";
import { renderSeenBefore } from "../render/history.js";
import { seenBefore } from "../history/service.js";
import { untrustedInline } from "../render/untrusted.js";
import { canonicalJson, sha256Hex } from "../util/canonical-json.js";
import type { JobContext } from "./run-job.js";

export type RcaRequest = { repo: RepoRef; issueNumber: number; actor: string; args: Record<string, string>; rerun: boolean };

const LABELS = { investigating: "incident:investigating", analysed: "incident:analysed" };

/**
 * Turns an incident issue into an RCA thread: acknowledge, say what is being read, read signals
 * over the window and its baseline and the changes before it, run the deterministic engine, and
 * replace the status comment with the result (a re-run also adds the new result as a comment).
 * Read → `rcaPipeline` → render → write, shared by the incident-label processor and `/insight rca`.
 */
export async function runRca(s: Services, ctx: JobContext, req: RcaRequest): Promise<void> {
  const started = Date.now();
  const { octokit, writer, config } = ctx;
  const { data: issue } = await octokit.rest.issues.get({ ...req.repo, issue_number: req.issueNumber });
  if (config.incident.triggeredBy === "collaborators" && (await getPermission(octokit, req.repo, req.actor)) === "none") {
    await writer.recordDecision({
      action: "rca.start",
      target: `${fullName(req.repo)}#${req.issueNumber}`,
      reason: "not a collaborator",
      outcome: "refused",
    });
    await writer.createComment(
      req.repo,
      req.issueNumber,
      replyBody(
        `Sorry @${req.actor}, only collaborators of this repository can start a root-cause analysis here (\`incident.triggeredBy\`).`,
      ),
      "RCA refused",
    );
    return;
  }
  const requested = req.args.service
    ?.split(",")
    .map((x) => x.trim())
    .filter(Boolean);
  const unknown = (requested ?? []).filter((x) => !config.services[x]);
  if (unknown.length) {
    await writer.createComment(
      req.repo,
      req.issueNumber,
      replyBody(
        `service=${untrustedInline(unknown.join(","))} is not a service of \`.github/insight.yml\` (known: ${Object.keys(config.services).join(", ") || "none"}).`,
      ),
      "RCA arguments",
    );
    return;
  }
  let span;
  try {
    span = incidentWindow({
      args: req.args,
      text: `${issue.title}\n${issue.body ?? ""}`,
      createdAt: Date.parse(issue.created_at),
      now: Date.now(),
      zone: config.incident.timezone,
      window: config.incident.window,
      baseline: config.incident.baseline,
    });
  } catch (err) {
    await writer.createComment(
      req.repo,
      req.issueNumber,
      replyBody(`I could not read the window: ${untrustedInline((err as Error).message)}.`),
      "RCA arguments",
    );
    return;
  }
  const allowed = allowedSources(s, fullName(req.repo));
  const existing = await findStickyComment(octokit, req.repo, req.issueNumber, "rca");
  if (!req.rerun) await writer.addReaction(req.repo, { issueNumber: req.issueNumber }, "eyes", "acknowledge incident");
  // A re-run over a result already on the thread edits that result once, at the end: no interim status write.
  const previous =
    req.rerun && existing
      ? readMetadata<{ digest?: string; analysedAt?: number; severity?: string; summary?: string }>(existing.body, "rca")
      : undefined;
  const status = previous
    ? existing!
    : await writer.upsertSticky({
        repo: req.repo,
        issueNumber: req.issueNumber,
        key: "rca",
        body: renderRcaStatus({ window: span.window, windowNote: span.note, sources: allowed }),
        reason: "RCA started",
        existing: existing ?? null,
      });
  const labels = issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? "")));
  if (!previous && !labels.includes(LABELS.investigating))
    await writer.addLabels(req.repo, req.issueNumber, [LABELS.investigating], "RCA started");

  const names = requested ?? Object.keys(config.services);
  const report = await rcaPipeline(s, {
    config,
    repo: fullName(req.repo),
    services: names,
    span,
    history: (window) => changeHistory(octokit, req.repo, window, config),
    issue: { title: issue.title, body: issue.body ?? "" },
    seenBefore: s.history
      ? (p) => seenBefore(s.history!, ctx, { repo: req.repo, issueNumber: req.issueNumber, at: Date.parse(issue.created_at), ...p })
      : undefined,
    noSourceNote: "no MCP source is allowed for this repository: the analysis rests on the change history alone",
    log: ctx.log,
  });
  const { result, impact, memory } = report;
  const fresh = renderRca(result, {
    impact,
    windowNote: span.note,
    sources: report.sources,
    notes: report.notes,
    elapsedMs: Date.now() - started,
    related: report.related,
    model: report.model,
    seenBefore: memory && renderSeenBefore(memory.similar, memory.indexed),
  });
  const metadata = {
    // GEP's and the stored threads' name for the keywords: existing RCA threads carry it.
    signals: report.keywords,
    window: span.window,
    issueOpened: Date.parse(issue.created_at),
    analysedAt: Date.now(),
    onset: result.onset,
    summary: result.summary,
    severity: impact.severity,
    severityRule: impact.rule,
    affected: impact.affected,
    timeline: result.timeline.slice(0, 20),
    hypotheses: result.hypotheses.slice(0, 5).map((h) => ({
      id: h.id,
      title: h.title,
      category: h.category,
      confidence: h.confidence,
      suspect: h.suspect?.id,
      service: h.service,
      confirm: h.confirm,
      chain: chainLine(h),
      mitigation: h.mitigation.slice(0, 4),
      root: h.chain[0]?.text,
    })),
    seenBefore: memory?.similar.map((m) => m.incident.number),
  };
  // What the conclusion rests on: equal digests mean a re-run found nothing new.
  const digest = sha256Hex(
    canonicalJson({
      verdict: result.verdict,
      summary: result.summary,
      severity: impact.severity,
      hypotheses: result.hypotheses.slice(0, 5).map((h) => [h.id, h.title, Math.round(h.confidence * 100), h.evidence]),
    }),
  ).slice(0, 16);
  const body = previous ? `${rerunNote(previous, { digest, severity: impact.severity, summary: result.summary })}\n\n${fresh}` : fresh;
  const unchanged = previous?.digest === digest;
  await writer.upsertSticky({
    repo: req.repo,
    issueNumber: req.issueNumber,
    key: "rca",
    body,
    metadata: { ...metadata, digest, ...(unchanged ? { analysedAt: previous!.analysedAt } : {}) },
    reason: unchanged ? "RCA re-run: no change" : `RCA ${impact.severity}`,
    existing: { id: status.id },
  });
  // The status labels in one write: whatever the issue has now, without investigating, with analysed.
  const { data: now } = await octokit.rest.issues.get({ ...req.repo, issue_number: req.issueNumber });
  const current = now.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean);
  const next = [...current.filter((l) => l !== LABELS.investigating), ...(current.includes(LABELS.analysed) ? [] : [LABELS.analysed])];
  if (next.length !== current.length || current.includes(LABELS.investigating))
    await writer.setLabels(req.repo, req.issueNumber, next, "RCA done");
}

const at = (ms?: number) => (ms ? new Date(ms).toISOString().slice(0, 16).replace("T", " ") + "Z" : "the last run");

/** The first line of a re-run's result: "no change since <time>", or what changed. */
export function rerunNote(
  previous: { digest?: string; analysedAt?: number; severity?: string; summary?: string },
  now: { digest: string; severity: string; summary: string },
): string {
  if (previous.digest === now.digest)
    return `> 🔁 **No change since ${at(previous.analysedAt)}**: a re-run read the same evidence and reached the same conclusion.`;
  const changes = [
    ...(previous.severity && previous.severity !== now.severity ? [`severity ${previous.severity} → ${now.severity}`] : []),
    ...(previous.summary && previous.summary !== now.summary ? [`was: "${previous.summary.slice(0, 160)}"`] : []),
  ];
  return `> 🔁 **Updated since ${at(previous.analysedAt)}**: ${changes.length ? changes.join("; ") : "the evidence behind the hypotheses changed"}.`;
}
