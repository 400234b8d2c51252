import { sourceSummaries, type SourceSummary } from "../analysis/assess-impact.js";
import { assessIncidentImpact, type IncidentImpact } from "../analysis/incident-severity.js";
import { incidentKeywords } from "../analysis/incident-keywords.js";
import type { IncidentWindow } from "../analysis/incident-window.js";
import { topology } from "../analysis/profile.js";
import { analyseIncident, type ChangeEvent, type RcaResult } from "../analysis/rca.js";
import { relatedCapsules, type Lookup } from "../capsule/lookup.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { RcaSubmission } from "../llm/grounding.js";
import { mcpAgentTools, sourceLinkHosts } from "../llm/mcp-tools.js";
import { modelRca, type ModelOutcome } from "../llm/service.js";
import { incidentScope } from "../llm/tool-scope.js";
import type { CollectParams } from "../signals/collect.js";
import type { McpPool } from "../signals/mcp-pool.js";
import type { CollectionResult, Signal } from "../signals/types.js";
import { allowedSources, collectAllowed } from "./collect.js";
import type { Services } from "./services.js";

type Log = CollectParams["log"];

/** The changes before an incident, from wherever the caller reads them (GitHub, a local clone), with what could not be read. */
export type HistoryReader = (window: IncidentWindow["window"]) => Promise<{ changes: ChangeEvent[]; notes: string[] }>;

/** What a history lookup gives the RCA: hypotheses with past fixes cited, and a note when it could not be read. */
type Memory = { hypotheses: RcaResult["hypotheses"]; note?: string };

export type RcaInput<M extends Memory = Memory> = {
  config: RepoConfig;
  /** `owner/repo`; undefined for the operator's CLI (every configured server). */
  repo: string | undefined;
  /** The services to read (already checked against the config). */
  services: string[];
  span: IncidentWindow;
  /** Undefined when there is no history to read: the report says so. */
  history: HistoryReader | undefined;
  /** The incident's own text, for the model. */
  issue?: { title: string; body: string };
  /** Past incidents like this one (history/), read by the caller from the repository's record. */
  seenBefore?: (p: { keywords: string[]; services: string[]; result: RcaResult }) => Promise<M>;
  /** Why there is no source when none is allowed. */
  noSourceNote: string;
  log: Log;
};

/** What the RCA pipeline found: the deterministic result, its severity, capsules and the model's reading when configured. */
export type RcaReport<M extends Memory = Memory> = {
  result: RcaResult;
  impact: IncidentImpact;
  collection?: CollectionResult;
  sources: SourceSummary[];
  /** The incident's keywords: what an EvoMap lookup and past incidents are matched by (stored in the metadata as `signals`). */
  keywords: string[];
  related?: Lookup;
  model?: ModelOutcome<RcaSubmission>;
  /** Past incidents like this one, when there is a history. */
  memory?: M;
  /** What made the analysis thinner (dead sources, missing history, a failed model), one line each. */
  notes: string[];
};

/**
 * The RCA, one step after the other: read the services' signals over the window and its
 * baseline, the changes before it, rank the hypotheses deterministically, grade the severity,
 * then related capsules and the model's reading when configured. The same for the App,
 * `/insight rca` and the CLI.
 */
export async function rcaPipeline<M extends Memory>(s: Services, input: RcaInput<M>): Promise<RcaReport<M>> {
  const { config, span, services: names, log } = input;
  const allowed = allowedSources(s, input.repo);
  const collection = await collectAllowed(s, {
    repo: input.repo,
    services: names,
    config,
    window: { from: span.baseline.from, to: span.window.to },
    log,
  });
  const history = input.history ? await input.history(span.window) : undefined;
  const changes = history?.changes ?? [];
  const edges = topology(collection, config).edges;
  const signals = collection?.signals ?? [];
  const analysed = analyseIncident({
    signals,
    window: span.window,
    changes,
    edges,
    coverage: { sources: collection?.sources ?? [], services: names, history: !!history },
  });
  const impact = assessIncidentImpact(analysed, signals, config, edges);
  const keywords = incidentKeywords(analysed.anomalies);
  // Past incidents like this one; a matching past fix becomes evidence for a hypothesis, never one of its own.
  const memory = input.seenBefore ? await input.seenBefore({ keywords, services: impact.affected, result: analysed }) : undefined;
  const result = memory ? { ...analysed, hypotheses: memory.hypotheses } : analysed;
  const related = s.evomap ? await relatedCapsules(s.evomap.client, keywords) : undefined;
  const model = s.llm
    ? await runModel(s, {
        config,
        repo: input.repo,
        log,
        result,
        signals,
        changes,
        issue: input.issue ?? { title: "", body: "" },
        toolsFrom: allowed.length ? s.pool : undefined,
        services: names,
      })
    : undefined;
  const notes = [
    ...(model?.status === "failed" ? [`model analysis: ${model.reason}`] : []),
    ...(related?.status === "error" ? [`EvoMap: related capsules could not be looked up (${related.message})`] : []),
    ...(history?.notes ?? []),
    ...(memory?.note ? [memory.note] : []),
    ...(collection ? collection.sources.flatMap((x) => x.notes.map((n) => `${x.source}: ${n}`)) : [input.noSourceNote]),
  ];
  return { result, impact, collection, sources: sourceSummaries(collection?.sources), keywords, related, model, memory, notes };
}

/** The model's reading over the same evidence, with the repository's read-only MCP tools. */
async function runModel(
  s: Services,
  p: {
    config: RepoConfig;
    repo: string | undefined;
    log: Log;
    result: RcaResult;
    signals: Signal[];
    changes: ChangeEvent[];
    issue: { title: string; body: string };
    toolsFrom?: McpPool;
    services: string[];
  },
) {
  const llm = s.llm!;
  // The model's tools read only this incident's namespaces and services (tool-scope.ts).
  const scope = incidentScope(p.config, p.services);
  const tools =
    p.toolsFrom && p.repo
      ? await mcpAgentTools({
          pool: p.toolsFrom,
          mcpServers: s.mcpServers,
          adapters: s.adapters,
          repo: p.repo,
          scope,
          signal: AbortSignal.timeout(llm.budgets.timeoutMs),
        })
      : [];
  const outcome = await modelRca(llm, {
    result: p.result,
    signals: p.signals,
    changes: p.changes,
    issue: p.issue,
    tools,
    linkHosts: p.repo ? sourceLinkHosts(s.mcpServers, p.repo) : [],
    log: p.log,
  });
  p.log.info(
    { status: outcome.status, steps: outcome.run.steps, tokens: outcome.run.usage, dropped: outcome.run.droppedClaims },
    "Model analysis",
  );
  return outcome;
}
