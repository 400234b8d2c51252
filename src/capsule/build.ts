import { arch, platform } from "node:os";
import { redact } from "../security/redact.js";
import { isPathShape, isKeywordShape, maskTokenLike } from "../security/shapes.js";
import { sha256Hex } from "../util/canonical-json.js";
import { withAssetId } from "./hashing.js";
import { SCHEMA_VERSION, type Bundle, type Capsule, type EvolutionEvent, type Gene } from "./schemas.js";

const DIFF_LIMIT = 8000;

/**
 * What makes text fit to leave the organisation: PR numbers, then the private names (whole words,
 * longest first), then secrets and IPs (redacted on the raw text, before any cut), then the shape
 * check: token-like words, URLs and masks become `…`, so a secret no detector knows still stays home.
 */
function scrubber(privateNames: string[] = []): (text: string) => string {
  const names = [...new Set(privateNames)].filter((n) => n.length >= 2).sort((a, b) => b.length - a.length);
  const patterns = names.map((n) => new RegExp(`(?<![\\w-])${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`, "g"));
  return (text) =>
    maskTokenLike(
      redact(
        patterns.reduce((t, p) => t.replace(p, "a-service"), text.replace(/#\d+/g, "the suspect change")),
        { ips: true },
      ),
    );
}

/**
 * The capsule is an allowlist of fields and value shapes, not a denylist: enums from their list,
 * numbers clamped, paths and globs by their shape, keywords only when they look like a template, an
 * alert or a reason, free text redacted and then shape-checked (`scrubber`). Anything else is
 * dropped or replaced by a neutral word.
 */
const CATEGORIES = new Set(["code", "config", "infrastructure", "dependency"]);
const FIX_KINDS = new Set(["revert", "config-rollback", "rollback"]);
const category = (c: string) => (CATEGORIES.has(c) ? c : "unknown");
const clamp01 = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);
const count = (n: number) => (Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0);
const isGlobShape = (g: string) => /^[A-Za-z0-9_.*?/{},@+-]{1,200}$/.test(g) && !g.split("/").includes("..");
/** A diff keeps only diff lines (context, additions, deletions, hunk headers, "no newline" notes). */
const diffLines = (patch: string) =>
  patch
    .split("\n")
    .filter((l) => /^(?:[ +\-\\]|@@ |$)/.test(l))
    .join("\n");

export type BundleInput = {
  /** The incident's keywords (already free of names and values: `incidentKeywords`); the Gene's `signals_match` and the Capsule's `trigger`. */
  keywords: string[];
  hypothesis: { title: string; category: string; confidence: number; confirm?: string };
  summary?: string;
  fix: {
    kind: "revert" | "config-rollback" | "rollback";
    files: Array<{ path: string; additions: number; deletions: number; patch?: string }>;
    approved: boolean;
  };
  /** Paths the fix must never touch (migrations it left alone). */
  forbiddenPaths?: string[];
  /** Names that stay in the organisation (services, repository, owner): replaced wherever they appear. */
  privateNames?: string[];
};

const KIND_STEP = {
  revert: "Revert the suspect change on a fix branch, as a draft pull request that needs a human approval",
  "config-rollback": "Roll the configuration change back on a fix branch, as a draft pull request that needs a human approval",
  rollback: "Roll the earlier fix back on a branch, as a draft pull request that needs a human approval",
} as const;

/** The fix's diff as one unified diff, redacted and cut (at a line) under the hub's 8,000 characters. */
function fixDiff(files: BundleInput["fix"]["files"], scrub: (t: string) => string): string {
  const text = scrub(files.map((f) => `--- a/${f.path}\n+++ b/${f.path}\n${f.patch ?? "(no textual diff)"}`).join("\n"));
  if (text.length <= DIFF_LIMIT) return text;
  const note = "\n… (diff cut to 8,000 characters)";
  const cut = text.slice(0, DIFF_LIMIT - note.length);
  return cut.slice(0, Math.max(cut.lastIndexOf("\n"), 0)) + note;
}

/**
 * What a merged fix taught, as a Gene (the strategy: how this kind of incident was found and
 * fixed), a Capsule (this fix: its trigger keywords, confidence from the RCA, blast radius and diff)
 * and an EvolutionEvent. Pure: the same fix gives the same asset ids. Everything is redacted, and
 * PR titles and numbers, repository and service names are left out; the hub is outside the
 * organisation. The diff keeps its file paths (with private names replaced): they are the fix.
 */
export function buildBundle(input: BundleInput): Bundle {
  const scrub = scrubber(input.privateNames);
  if (!FIX_KINDS.has(input.fix.kind)) throw new Error(`unknown fix kind ${JSON.stringify(String(input.fix.kind).slice(0, 40))}`);
  const files = input.fix.files.map((f) => {
    const path = scrub(f.path);
    return {
      path: isPathShape(path) ? path : "a-file",
      additions: count(f.additions),
      deletions: count(f.deletions),
      patch: f.patch === undefined ? undefined : diffLines(f.patch),
    };
  });
  input = {
    ...input,
    hypothesis: { ...input.hypothesis, category: category(input.hypothesis.category), confidence: clamp01(input.hypothesis.confidence) },
    fix: { ...input.fix, files },
    forbiddenPaths: input.forbiddenPaths?.filter(isGlobShape),
  };
  const shaped = input.keywords.map((x) => scrub(x).slice(0, 200)).filter((x) => x.length >= 3 && isKeywordShape(x));
  const keywords = [...new Set(shaped.length ? shaped : [`${input.hypothesis.category} regression`])];
  const key = sha256Hex(JSON.stringify([keywords, input.fix.kind, input.fix.files.map((f) => f.path)])).slice(0, 12);
  const lines = input.fix.files.reduce((n, f) => n + f.additions + f.deletions, 0);
  const gene = withAssetId<Gene>({
    type: "Gene",
    schema_version: SCHEMA_VERSION,
    id: `gene_insight_${input.fix.kind}_${key}`,
    category: "repair",
    signals_match: keywords,
    summary: scrub(`Find the change merged shortly before the onset of ${keywords[0]} and undo it behind an approval gate`).slice(0, 500),
    strategy: [
      "Date the onset of the incident from metric change points and new error log templates",
      "Rank changes merged or deployed before the onset by time, overlap with the failing services and files named in stack traces",
      ...(input.hypothesis.confirm ? [scrub(`Confirm the top hypothesis before acting: ${input.hypothesis.confirm}`).slice(0, 500)] : []),
      KIND_STEP[input.fix.kind],
      "After the deploy, watch the incident's signals return to their baseline, and roll the fix back if they do not",
    ],
    constraints: { max_files: Math.max(1, input.fix.files.length), forbidden_paths: input.forbiddenPaths ?? ["**/migrations/**"] },
    validation: [],
  });
  const what = input.fix.kind === "config-rollback" ? "Configuration rollback" : input.fix.kind === "rollback" ? "Rollback" : "Revert";
  const summary = scrub(
    `${what} of the ${input.hypothesis.category} change merged shortly before ${keywords[0]}, found by root-cause analysis and merged ${input.fix.approved ? "after an independent approval" : "without a recorded approval"}`,
  );
  const capsule = withAssetId<Capsule>({
    type: "Capsule",
    schema_version: SCHEMA_VERSION,
    id: `capsule_insight_${key}`,
    trigger: keywords,
    gene: gene.asset_id,
    summary: summary.slice(0, 1000),
    confidence: Math.round(input.hypothesis.confidence * 100) / 100,
    blast_radius: { files: Math.max(1, input.fix.files.length), lines: Math.max(1, lines) },
    outcome: { status: "success", score: Math.round(input.hypothesis.confidence * 100) / 100 },
    env_fingerprint: { platform: platform(), arch: arch() },
    diff: fixDiff(input.fix.files, scrub),
  });
  const event = withAssetId<EvolutionEvent>({
    type: "EvolutionEvent",
    schema_version: SCHEMA_VERSION,
    id: `event_insight_${key}`,
    intent: "repair",
    capsule_id: capsule.id,
    genes_used: [gene.asset_id],
    outcome: capsule.outcome,
    mutations_tried: 1,
    total_cycles: 1,
  });
  return { gene, capsule, event };
}

/**
 * A warning capsule: a potential problem the health scan confirmed (seen in two scans in a row)
 * and the alert rule that would catch it, as a Gene (how to spot the trend) and a Capsule whose
 * content is the rule. Same redaction and name scrubbing as fixes; its outcome score is the
 * scan's confidence, and its summary says it is a warning, not a resolved incident.
 */
export function buildWarningBundle(input: {
  keyword: string;
  kind: string;
  text: string;
  rule: string;
  confidence: number;
  privateNames?: string[];
}): Bundle {
  const fix = { kind: "revert" as const, approved: true, files: [] };
  input = { ...input, kind: /^[a-z][a-z0-9-]{1,40}$/.test(input.kind) ? input.kind : "trend" };
  const base = buildBundle({
    keywords: [input.keyword],
    hypothesis: { title: input.kind, category: "infrastructure", confidence: input.confidence },
    fix,
    privateNames: input.privateNames,
  });
  const scrub = scrubber(input.privateNames);
  const keywords = base.gene.signals_match;
  const key = sha256Hex(JSON.stringify([keywords, input.kind, input.rule])).slice(0, 12);
  const gene = withAssetId<Gene>({
    ...base.gene,
    id: `gene_insight_warning_${key}`,
    category: "optimize",
    summary: scrub(`Catch ${input.kind} before it becomes an incident: alert on the trend of ${keywords[0]}`).slice(0, 500),
    strategy: [
      "Fit a least-squares trend to the series over the scan window and keep only steady ones (high R squared)",
      "Confirm the trend in two consecutive scans before calling it a problem",
      "Add an alert rule on the trend so the on-call hears of it before the limit is reached",
    ],
    constraints: { max_files: 1, forbidden_paths: [] },
  });
  const { asset_id: _a, diff: _d, ...rest } = base.capsule;
  const rule = scrub(input.rule).slice(0, 8000);
  const capsule = withAssetId<Capsule>({
    ...rest,
    id: `capsule_insight_warning_${key}`,
    gene: gene.asset_id,
    summary: scrub(`Warning, not an incident yet: ${input.text}. The alert rule that would catch it is attached.`).slice(0, 1000),
    blast_radius: { files: 1, lines: Math.max(1, rule.split("\n").length) },
    content: rule,
  });
  const event = withAssetId<EvolutionEvent>({
    ...base.event!,
    asset_id: undefined,
    id: `event_insight_warning_${key}`,
    intent: "optimize",
    capsule_id: capsule.id,
    genes_used: [gene.asset_id],
  } as EvolutionEvent);
  return { gene, capsule, event };
}
