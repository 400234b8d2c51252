import { dirname } from "node:path";
import { classifyChanges, type ClassifiedFile } from "../analysis/classify-change.js";
import type { FileChange } from "../core/change-set.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { ChangeRecord } from "./types.js";

/** The kinds of resource a classified file touches, as keys two changes can share. */
export function resourcesOf(f: ClassifiedFile): string[] {
  const out: string[] = [];
  for (const t of f.migration?.tables ?? []) out.push(`table:${t.toLowerCase()}`);
  if (f.kind === "kubernetes") out.push(`manifest:${f.path}`);
  if (f.kind === "helm") out.push(`chart:${chartDir(f.path)}`);
  for (const d of f.dependencies ?? []) out.push(`dep:${d.name}`);
  if (f.kind === "infrastructure") out.push(`infra:${f.path}`);
  return out;
}

/** `charts/api/templates/deployment.yaml` → `charts/api`; a values file outside charts/ → its folder. */
function chartDir(path: string): string {
  const m = /^(.*?(?:^|\/)(?:charts|helm)\/[^/]+)\//.exec(path);
  return m?.[1] ?? dirname(path);
}

/** Files, services, kinds and resources of a change, from its files (patches optional). */
export function describeChange(files: FileChange[], config: RepoConfig): Pick<ChangeRecord, "files" | "services" | "kinds" | "resources"> {
  const classified = classifyChanges(
    { ref: "", base: { ref: "", sha: "" }, head: { ref: "", sha: "" }, files, changedFiles: files.length, filesNotListed: 0 },
    config,
  );
  return fromClassified(classified);
}

export function fromClassified(classified: ClassifiedFile[]): Pick<ChangeRecord, "files" | "services" | "kinds" | "resources"> {
  return {
    files: classified.map((f) => f.path),
    services: [...new Set(classified.flatMap((f) => f.services))].sort(),
    kinds: [...new Set(classified.map((f) => f.kind))].sort(),
    resources: [...new Set(classified.flatMap(resourcesOf))].sort(),
  };
}

const REVERT_BODY = /This reverts commit ([0-9a-f]{7,40})/i;
const REVERT_TITLE = /^Revert\s+"(.+)"\s*(?:\(#\d+\))?$/i;
const FIX_WORDS =
  /\b(fix(?:e[sd])?|hot-?fix|bug-?fix|bug|regression|broken|crash(?:es|ing)?|repair(?:s|ed)?|patch(?:es|ed)?|resolve[sd]?|restore[sd]?|correct(?:s|ed)?)\b/i;
const NOT_A_FIX = /\b(typo|lint|format(?:ting)?|docs?|readme|changelog|spelling|whitespace)\b/i;

/** `Revert "…"` / "This reverts commit …": what the message says it reverts (a sha or the reverted title). */
export function revertTarget(subject: string, body = ""): { sha?: string; title?: string } | undefined {
  const sha = REVERT_BODY.exec(body)?.[1] ?? REVERT_BODY.exec(subject)?.[1];
  const title = REVERT_TITLE.exec(subject.trim())?.[1];
  if (!sha && !title && !/^revert\b/i.test(subject.trim())) return undefined;
  return { sha, title };
}

/** A fix by its message (not a revert, not a typo or lint fix). */
export const isFixMessage = (subject: string) => FIX_WORDS.test(subject) && !NOT_A_FIX.test(subject) && !/^revert\b/i.test(subject.trim());

/** The PR a commit subject names: GitHub's merge commits and squash merges. */
export function pullOfSubject(subject: string): string | undefined {
  return /^Merge pull request (#\d+)/.exec(subject)?.[1] ?? /\((#\d+)\)\s*$/.exec(subject)?.[1];
}
