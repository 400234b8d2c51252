import { assessImpact, type RiskAssessment } from "../analysis/assess-impact.js";
import { classifyChanges, type ClassifiedFile } from "../analysis/classify-change.js";
import { changeKeywords, relatedCapsules, type Lookup } from "../capsule/lookup.js";
import { sourcesForRepo } from "../config/mcp-servers.js";
import type { InferredServices } from "../config/infer-services.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { ChangeSet } from "../core/change-set.js";
import { atLeast } from "../core/risk.js";
import type { ImpactSubmission } from "../llm/grounding.js";
import { modelImpact, type ModelOutcome } from "../llm/service.js";
import type { CollectParams } from "../signals/collect.js";
import { collectAllowed } from "./collect.js";
import type { CollectionResult } from "../signals/types.js";
import type { Services } from "./services.js";

/** How far back "production now" looks for a change's services. */
const PROFILE_WINDOW_MS = 60 * 60_000;

type Log = CollectParams["log"];

/** Reads the touched services' production signals; undefined (with the reason) when there is nothing to read. */
export async function collectForChange(
  s: Services,
  p: { repo: string | undefined; files: ClassifiedFile[]; config: RepoConfig; log: Log; now: number },
): Promise<{ collection?: CollectionResult; noCollection?: string }> {
  const touched = [...new Set(p.files.flatMap((f) => f.services))];
  if (!s.pool) return { noCollection: "no MCP servers are configured" };
  if (p.repo && sourcesForRepo(s.mcpServers, p.repo).length === 0) return { noCollection: "no MCP server is allowed for this repository" };
  if (touched.length === 0) return { noCollection: "the change touches no mapped service" };
  const collection = await collectAllowed(s, {
    repo: p.repo,
    services: touched,
    config: p.config,
    window: { from: p.now - PROFILE_WINDOW_MS, to: p.now },
    log: p.log,
    baseline: true,
  });
  return collection ? { collection } : { noCollection: "no MCP server is allowed for this repository" };
}

export type ImpactInput = {
  changes: ChangeSet;
  config: RepoConfig;
  /** `owner/repo`, which decides the MCP servers it may read; undefined for a local repository (all). */
  repo: string | undefined;
  log: Log;
  now: number;
  /** Services inferred from the repository's layout when it has no config (`config` already includes them). */
  inferred?: InferredServices;
  /** The PR's text, for the model's notes. */
  pr?: { title: string; body: string };
  /** Adds the change history factor of these files (history/), read by the caller from the repository's record. */
  withHistory?: (files: ClassifiedFile[], assessment: RiskAssessment) => Promise<RiskAssessment>;
  /** The digest of the analysis already shown, read only when model notes are possible: notes are written only when the score changed. */
  shownDigest?: () => Promise<string | undefined>;
};

/** What the impact pipeline found: the deterministic assessment, related capsules and the model's notes when configured. */
export type ImpactReport = {
  assessment: RiskAssessment;
  collection?: CollectionResult;
  related?: Lookup;
  model?: ModelOutcome<ImpactSubmission>;
};

/**
 * PR impact, one step after the other: classify the change, read the touched services'
 * production signals, score the blast radius; then, for changes worth a reviewer's attention,
 * related EvoMap capsules and the model's notes. The same for the App, `/insight impact` and the CLI.
 */
export async function impactPipeline(s: Services, input: ImpactInput): Promise<ImpactReport> {
  const { changes, config, log } = input;
  const files = classifyChanges(changes, config);
  const { collection, noCollection } = await collectForChange(s, { repo: input.repo, files, config, log, now: input.now });
  const scored = assessImpact({ changes, config, collection, noCollection, files, inferred: input.inferred });
  const assessment = input.withHistory ? await input.withHistory(files, scored) : scored;
  // Capsule lookups and model notes only for changes worth a reviewer's attention; notes only when the score changed.
  const worthIt = atLeast(assessment.level, "medium");
  const related = s.evomap && worthIt ? await relatedCapsules(s.evomap.client, changeKeywords(assessment)) : undefined;
  const model =
    s.llm && worthIt && (await input.shownDigest?.()) !== assessment.digest
      ? await modelImpact(s.llm, {
          assessment,
          signals: collection?.signals ?? [],
          pr: input.pr ?? { title: changes.title ?? "", body: "" },
          log,
        })
      : undefined;
  return { assessment, collection, related, model };
}
