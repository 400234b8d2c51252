import picomatch from "picomatch";
import type { ChangeSet, FileChange } from "../core/change-set.js";
import type { RepoConfig } from "../config/repo-config.js";
import { hasDownStep } from "./migration-risk.js";
import { isMigrationPath, readMigration, type Migration } from "./migrations.js";

export type ChangeKind =
  | "migration"
  | "kubernetes"
  | "helm"
  | "infrastructure"
  | "ci"
  | "dependency"
  | "lockfile"
  | "config"
  | "code"
  | "test"
  | "docs"
  | "other";

export type DependencyBump = { name: string; from?: string; to?: string; major: boolean };

/** A changed file, understood: what kind of change, which services, and what in it is risky. */
export type ClassifiedFile = FileChange & {
  kind: ChangeKind;
  services: string[];
  migration?: Migration;
  /** Kubernetes / Helm changes that matter in production: replicas, resources, probes, image. */
  manifest?: string[];
  dependencies?: DependencyBump[];
  /** Authentication, payment or security code paths. */
  sensitive?: Array<"auth" | "payment" | "security">;
  /** Routes or endpoints the change adds. */
  newRoutes?: string[];
  /** First line of the new file the change touches (for annotations). */
  firstLine: number;
};

const TEST =
  /(^|\/)(tests?|__tests__|spec|specs|e2e)\/|\.(test|spec)\.[cm]?[jt]sx?$|_test\.(go|py|rb)$|(^|\/)test_[^/]+\.py$|Tests?\.(java|kt|cs)$/i;
const DOCS = /\.(md|mdx|rst|adoc|txt)$|(^|\/)docs?\//i;
const LOCK =
  /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|Gemfile\.lock|poetry\.lock|Pipfile\.lock|go\.sum|Cargo\.lock|composer\.lock|uv\.lock)$/;
const MANIFEST =
  /(^|\/)(package\.json|requirements[^/]*\.txt|pyproject\.toml|Pipfile|Gemfile|go\.mod|Cargo\.toml|pom\.xml|build\.gradle(\.kts)?|composer\.json|setup\.py)$/;
const CI = /(^|\/)(\.github\/workflows\/|\.gitlab-ci\.yml$|Jenkinsfile$|\.circleci\/|azure-pipelines\.yml$|\.buildkite\/)/;
const INFRA =
  /\.(tf|tfvars|hcl)$|(^|\/)(terraform|pulumi|cloudformation|ansible)\/|(^|\/)Dockerfile[^/]*$|(^|\/)docker-compose[^/]*\.ya?ml$/i;
const HELM = /(^|\/)(Chart\.yaml|values[^/]*\.ya?ml)$|(^|\/)(charts|helm)\/.+\.(ya?ml|tpl)$/;
const K8S_PATH = /(^|\/)(k8s|kubernetes|manifests|deploy|deployment|kustomize|overlays)\/.+\.ya?ml$|(^|\/)kustomization\.ya?ml$/;
const CONFIG =
  /(^|\/)(\.env[^/]*|config\/.+|settings[^/]*\.py|application[^/]*\.(ya?ml|properties)|[^/]+\.(conf|ini|properties|cfg))$|\.(ya?ml|json|toml)$/i;
const CODE = /\.(ts|tsx|js|jsx|mjs|cjs|py|rb|go|java|kt|scala|cs|php|rs|swift|c|cc|cpp|h|hpp|ex|exs|erl|clj|sql|sh|vue|svelte)$/i;

const SENSITIVE: Array<[NonNullable<ClassifiedFile["sensitive"]>[number], RegExp]> = [
  ["auth", /(^|[/_.-])(auth|authn|authz|login|logout|session|oauth|oidc|saml|sso|jwt|permission|rbac|acl|password)s?([/_.-]|$)/i],
  ["payment", /(^|[/_.-])(payment|billing|checkout|invoice|charge|refund|stripe|paypal|ledger|wallet)s?([/_.-]|$)/i],
  ["security", /(^|[/_.-])(crypto|secrets?|tls|certs?|csrf|cors|sanitiz\w*|encrypt\w*)([/_.-]|$)/i],
];

const ROUTES: RegExp[] = [
  /\.(?:get|post|put|patch|delete)\(\s*['"`](\/[^'"`]*)/,
  /@(?:app|router|bp|api|blueprint)\.(?:route|get|post|put|patch|delete)\(\s*['"]([^'"]+)/,
  /@(?:Get|Post|Put|Delete|Patch|Request)Mapping\(\s*(?:value\s*=\s*|path\s*=\s*)?["']([^"']+)/,
  /HandleFunc\(\s*"([^"]+)"/,
  /\bre_path\(\s*r?['"]([^'"]+)|\bpath\(\s*['"]([^'"]+)/,
];

export const addedLines = (patch?: string) =>
  (patch ?? "")
    .split("\n")
    .filter((l) => l.startsWith("+") && !l.startsWith("+++"))
    .map((l) => l.slice(1));
const removedLines = (patch?: string) =>
  (patch ?? "")
    .split("\n")
    .filter((l) => l.startsWith("-") && !l.startsWith("---"))
    .map((l) => l.slice(1));

/** The first line of the new file that the patch adds or changes. */
export function firstChangedLine(patch?: string): number {
  if (!patch) return 1;
  let line = 0;
  for (const raw of patch.split("\n")) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(raw);
    if (hunk) {
      line = Number(hunk[1]);
      continue;
    }
    if (raw.startsWith("+")) return Math.max(1, line);
    if (!raw.startsWith("-")) line++;
  }
  return Math.max(1, line || 1);
}

function kindOf(file: FileChange): ChangeKind {
  const p = file.path;
  if (isMigrationPath(p)) return "migration";
  if (TEST.test(p)) return "test";
  if (DOCS.test(p)) return "docs";
  if (LOCK.test(p)) return "lockfile";
  if (MANIFEST.test(p)) return "dependency";
  if (CI.test(p)) return "ci";
  if (HELM.test(p)) return "helm";
  if (
    K8S_PATH.test(p) ||
    (/\.ya?ml$/.test(p) &&
      /^\s*apiVersion:[\s\S]*^\s*kind:\s*(Deployment|StatefulSet|DaemonSet|Service|Ingress|ConfigMap|CronJob|Job|HorizontalPodAutoscaler)/m.test(
        (file.patch ?? "").replace(/^[+ -]/gm, ""),
      ))
  )
    return "kubernetes";
  if (INFRA.test(p)) return "infrastructure";
  if (CODE.test(p)) return "code";
  if (CONFIG.test(p)) return "config";
  return "other";
}

/** `replicas 3 → 1`, `memory 512Mi → 128Mi`, `image api:1.4 → api:1.5`, `readinessProbe changed`. */
export function manifestChanges(patch?: string): string[] {
  const before = removedLines(patch);
  const after = addedLines(patch);
  const out: string[] = [];
  for (const key of ["replicas", "image", "memory", "cpu", "maxReplicas", "minReplicas", "timeoutSeconds", "failureThreshold"]) {
    const re = new RegExp(String.raw`^\s*-?\s*${key}:\s*["']?([^"'\s#]+)`);
    const from = before.map((l) => re.exec(l)?.[1]).find(Boolean);
    const to = after.map((l) => re.exec(l)?.[1]).find(Boolean);
    if (to && to !== from) out.push(from ? `${key} ${from} → ${to}` : `${key} ${to}`);
    else if (from && !to) out.push(`${key} ${from} removed`);
  }
  // A probe changed when a changed line sits under (is indented below) a probe key, which may
  // itself be an unchanged context line.
  const probes = new Set<string>();
  let open: { name: string; indent: number } | undefined;
  for (const raw of (patch ?? "").split("\n")) {
    if (raw.startsWith("@@") || raw.startsWith("+++") || raw.startsWith("---")) continue;
    const line = raw.slice(1);
    const indent = line.length - line.trimStart().length;
    const key = /^\s*(livenessProbe|readinessProbe|startupProbe):/.exec(line)?.[1];
    if (key) open = { name: key, indent };
    else if (open && line.trim() && indent <= open.indent) open = undefined;
    const changed = raw.startsWith("+") || raw.startsWith("-");
    if (changed && (key ?? open?.name)) probes.add((key ?? open?.name)!);
  }
  return [...out, ...[...probes].map((p) => `${p} changed`)];
}

const VERSION = /(\d+)(?:\.\d+)*/;

/** Dependency bumps from a manifest's removed and added lines (npm, pip, Go, Ruby, Cargo). */
export function dependencyBumps(patch?: string): DependencyBump[] {
  const parse = (line: string): [string, string] | undefined => {
    const m =
      /^\s*"(@?[\w./-]+)"\s*:\s*"([^"]+)"/.exec(line) ?? // package.json, composer.json
      /^\s*([A-Za-z0-9_.-]+)\s*(?:==|>=|~=|===)\s*([\w.*-]+)/.exec(line) ?? // requirements.txt
      /^\s*([\w./-]+\.[\w./-]+)\s+(v[\w.+-]+)/.exec(line) ?? // go.mod
      /^\s*gem\s+["']([\w-]+)["']\s*,\s*["'][~>=<\s]*([\w.]+)/.exec(line) ?? // Gemfile
      /^\s*([\w-]+)\s*=\s*"([\w.^~*-]+)"/.exec(line); // Cargo.toml, pyproject
    return m ? [m[1]!, m[2]!] : undefined;
  };
  const before = new Map(
    removedLines(patch)
      .map(parse)
      .filter((x): x is [string, string] => !!x),
  );
  const bumps: DependencyBump[] = [];
  for (const [name, to] of addedLines(patch)
    .map(parse)
    .filter((x): x is [string, string] => !!x)) {
    const from = before.get(name);
    if (from === to || ["version", "name", "main", "description"].includes(name)) continue;
    const major = !!from && VERSION.exec(from)?.[1] !== VERSION.exec(to)?.[1];
    bumps.push({ name, from, to, major });
  }
  return bumps;
}

export type ServiceMatcher = (path: string) => string[];

/** Maps a file to the services whose `paths` globs match it (dotfiles included). */
export function serviceMatcher(config: RepoConfig): ServiceMatcher {
  const matchers = Object.entries(config.services).map(
    ([name, s]) => [name, s.paths.length ? picomatch(s.paths, { dot: true }) : () => false] as const,
  );
  return (path) => matchers.filter(([, m]) => m(path)).map(([name]) => name);
}

/** Classifies every file of a change set. */
export function classifyChanges(changes: ChangeSet, config: RepoConfig): ClassifiedFile[] {
  const services = serviceMatcher(config);
  const paths = changes.files.map((f) => f.path);
  return changes.files.map((file) => {
    const kind = kindOf(file);
    const added = addedLines(file.patch);
    const out: ClassifiedFile = { ...file, kind, services: services(file.path), firstLine: firstChangedLine(file.patch) };
    if (kind === "migration") {
      const migration = readMigration(file.path, added);
      const down = file.status === "removed" ? undefined : hasDownStep(file, migration.framework, paths);
      out.migration = down === undefined ? migration : { ...migration, down };
    }
    if (kind === "kubernetes" || kind === "helm") out.manifest = manifestChanges(file.patch);
    if (kind === "dependency") out.dependencies = dependencyBumps(file.patch);
    if (kind !== "test" && kind !== "docs") {
      const sensitive = SENSITIVE.filter(([, re]) => re.test(file.path)).map(([k]) => k);
      if (sensitive.length) out.sensitive = sensitive;
    }
    if (kind === "code") {
      const routes = added
        .flatMap((l) =>
          ROUTES.map((re) => re.exec(l))
            .filter((m): m is RegExpExecArray => !!m)
            .map((m) => m[1] ?? m[2]!),
        )
        .filter(Boolean);
      if (routes.length) out.newRoutes = [...new Set(routes)];
    }
    return out;
  });
}
