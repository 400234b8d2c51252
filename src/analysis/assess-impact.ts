import type { ChangeSet } from "../core/change-set.js";
import type { InferredServices } from "../config/infer-services.js";
import type { RepoConfig, RiskLevel } from "../config/repo-config.js";
import type { CollectionResult } from "../signals/types.js";
import { canonicalJson, sha256Hex } from "../util/canonical-json.js";
import { classifyChanges, type ClassifiedFile } from "./classify-change.js";
import { monitoringGaps, type MonitoringGap } from "./monitoring-gaps.js";
import { profileServices, profileTables, topology, type ServiceProfile, type TableProfile } from "./profile.js";
import { scoreBlastRadius, type Factor, type Score } from "./score-blast-radius.js";
import { watchList, type WatchItem } from "./watch-list.js";
import { SIGNAL } from "../signals/catalog.js";

export type SourceSummary = {
  source: string;
  adapter: string;
  flavour?: string;
  status: string;
  error?: string;
  notes: string[];
  elapsedMs: number;
};

/** What reports say about each source: the collection's results without their signals. */
export const sourceSummaries = (sources: CollectionResult["sources"] = []): SourceSummary[] =>
  sources.map((s) => ({
    source: s.source,
    adapter: s.adapter,
    flavour: s.flavour,
    status: s.status,
    error: s.error,
    notes: s.notes,
    elapsedMs: s.elapsedMs,
  }));

export type RiskAssessment = {
  ref: string;
  head: string;
  base: string;
  score: number;
  level: RiskLevel;
  factors: Factor[];
  /** The factors' sum before the cap at 100. */
  raw: number;
  /** The level a factor's floor imposed, when it is above what the points give. */
  floor?: Score["floor"];
  services: ServiceProfile[];
  tables: TableProfile[];
  /** Touched services and their neighbours, for the graph. */
  edges: Array<{ from: string; to: string }>;
  watch: WatchItem[];
  gaps: MonitoringGap[];
  files: ClassifiedFile[];
  unmapped: string[];
  notAnalysed: string[];
  productionData: boolean;
  sources: SourceSummary[];
  /** Set when the repository has no config and its services were inferred from its layout. */
  inferred?: { services: string[]; seenIn: Record<string, string[]> };
  /**
   * Hash of everything above but timings and the raw points behind the sparklines: equal digests
   * mean nothing worth re-posting changed. (A series gains or loses a point as its window slides;
   * its value and trend are hashed, its point count is not.)
   */
  digest: string;
};

/**
 * The blast radius of a change from the change itself and what its services do in production.
 * Pure and deterministic: the same change and signals give the same assessment.
 */
export function assessImpact(params: {
  changes: ChangeSet;
  config: RepoConfig;
  collection?: CollectionResult;
  noCollection?: string;
  files?: ClassifiedFile[];
  inferred?: InferredServices;
}): RiskAssessment {
  const { changes, config, collection } = params;
  const files = params.files ?? classifyChanges(changes, config);
  const touched = [...new Set(files.flatMap((f) => f.services))].sort();
  const productionData = !!collection && collection.sources.some((s) => s.status === "ok");
  const services = profileServices(touched, collection, config);
  const tables = profileTables([...new Set(files.flatMap((f) => f.migration?.tables ?? []))], collection);
  const { score, level, factors, raw, floor } = scoreBlastRadius(
    { files, profiles: services, tables, productionData },
    config.impact.thresholds,
  );
  const signals = collection?.signals ?? [];
  const sourcesSeen = {
    rules: signals.some((s) => s.name === SIGNAL.alertRules),
    apm: collection?.sources.some((s) => s.provides.includes("apm") && s.status === "ok") ?? false,
    metrics: collection?.sources.some((s) => s.provides.includes("metrics") && s.status === "ok") ?? false,
  };
  const edges = topology(collection, config).edges.filter((e) => touched.includes(e.from) || touched.includes(e.to));
  const notAnalysed = [
    ...(changes.filesNotListed > 0
      ? [`${changes.filesNotListed} files beyond GitHub's 3,000-file listing limit were not listed, so not classified`]
      : []),
    ...files
      .filter((f) => !f.patch && f.status !== "removed" && f.additions + f.deletions > 0)
      .map((f) => `${f.path}: no diff (binary or too large), classified by its path only`),
    ...(collection
      ? []
      : [
          `production signals: ${params.noCollection ?? "no MCP source is configured for this repository"}, so the score comes from the change alone`,
        ]),
    ...(collection && !productionData && collection.sources.length
      ? ["production signals: no source answered, so the score comes from the change alone"]
      : []),
  ];
  const sources = sourceSummaries(collection?.sources);
  const body = {
    ref: changes.ref,
    head: changes.head.sha,
    base: changes.base.sha,
    score,
    level,
    factors,
    raw,
    ...(floor ? { floor } : {}),
    services,
    tables,
    edges,
    watch: watchList(services, files, tables, config, productionData),
    gaps: monitoringGaps(services, files, config, sourcesSeen),
    files,
    unmapped: files.filter((f) => f.services.length === 0).map((f) => f.path),
    notAnalysed,
    productionData,
    sources,
    ...(params.inferred ? { inferred: { services: Object.keys(params.inferred.services), seenIn: params.inferred.seenIn } } : {}),
  };
  const { sources: _timed, ...stable } = body;
  const hashed = stable.services.map((p) => ({
    ...p,
    errorRate: p.errorRate && { ...p.errorRate, series: undefined },
    latencyP95: p.latencyP95 && { ...p.latencyP95, series: undefined },
  }));
  return {
    ...body,
    digest: sha256Hex(canonicalJson({ ...stable, services: hashed, sources: sources.map((s) => [s.source, s.status]) })).slice(0, 16),
  };
}
