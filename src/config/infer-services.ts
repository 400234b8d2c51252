import { parseAllDocuments } from "yaml";
import { repoConfigSchema, SAFE_VALUE, type RepoConfig, type ServiceConfig } from "./repo-config.js";

/**
 * Services of a repository without `.github/insight.yml`, read from its layout: service
 * directories (`src/<svc>/`, `services/<svc>/`, `apps/<svc>/`, `cmd/<svc>/`), Kubernetes manifests
 * and Helm charts (names, labels, images), Dockerfiles, docker-compose services and CODEOWNERS.
 * Pure: paths and the text of the few files it asks for in, services out.
 */

export type InferredServices = {
  services: Record<string, ServiceConfig>;
  /** Per service, where it was seen (`src/<svc>/`, `Kubernetes Deployment`, …). */
  seenIn: Record<string, string[]>;
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const ROOTS = /^(src|services|apps|cmd)\/([^/]+)\/./;
/** Files that make a `src/<x>/` directory a deployable unit rather than a code folder. */
const UNIT =
  /^(Dockerfile[^/]*|package\.json|go\.mod|main\.go|pom\.xml|build\.gradle(\.kts)?|requirements[^/]*\.txt|pyproject\.toml|setup\.py|Cargo\.toml|Gemfile|[^/]+\.csproj|composer\.json)$/;
const NOT_SERVICES = new Set([
  "test",
  "tests",
  "docs",
  "doc",
  "lib",
  "libs",
  "common",
  "shared",
  "utils",
  "util",
  "internal",
  "pkg",
  "scripts",
  "types",
  "config",
  "vendor",
  "node_modules",
  ".github",
  "protos",
  "proto",
]);
const MANIFEST_DIR = /(^|\/)(k8s|kubernetes[^/]*|manifests?|deploy(ment)?s?|kustomize|overlays|base|release)\/[^/]*\.ya?ml$/i;
const COMPOSE = /(^|\/)(docker-)?compose[^/]*\.ya?ml$/;
const CODEOWNERS = /^(\.github\/|docs\/)?CODEOWNERS$/;

/** The files whose text the inference reads (the rest is read from paths alone). */
export function filesToRead(paths: string[]): string[] {
  return paths.filter(
    (p) =>
      (MANIFEST_DIR.test(p) && !/(^|\/)(charts?|helm[^/]*)\//.test(p)) ||
      COMPOSE.test(p) ||
      CODEOWNERS.test(p) ||
      /(^|\/)Chart\.ya?ml$/.test(p),
  );
}

const safe = (v: unknown): v is string => typeof v === "string" && SAFE_VALUE.test(v);
const clean = (n: string) =>
  n
    .replace(/[^A-Za-z0-9_.-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 63);
const dirOf = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");

type Draft = {
  paths: Set<string>;
  kubernetes?: { namespace: string; labels: Record<string, string>; deployment?: string };
  seen: Set<string>;
};

export function inferServices(p: { paths: string[]; read: (path: string) => string | undefined; repoName?: string }): InferredServices {
  const drafts = new Map<string, Draft>();
  const draft = (name: string) => {
    const n = clean(name);
    if (!NAME.test(n) || NOT_SERVICES.has(n.toLowerCase())) return undefined;
    if (!drafts.has(n)) drafts.set(n, { paths: new Set(), seen: new Set() });
    return drafts.get(n)!;
  };
  const dirs = new Map<string, { root: string; unit: boolean }>();
  for (const path of p.paths) {
    const m = ROOTS.exec(path);
    if (!m) continue;
    const key = `${m[1]}/${m[2]}`;
    const rest = path.slice(key.length + 1);
    const entry = dirs.get(key) ?? { root: m[1]!, unit: false };
    entry.unit ||= UNIT.test(rest) || UNIT.test(rest.split("/").slice(1).join("/")) || (!rest.includes("/") && m[1] === "cmd");
    dirs.set(key, entry);
  }
  for (const [dir, { root, unit }] of dirs) {
    // src/<x>/ is often a code folder: only a deployable unit (a Dockerfile, a package manifest) counts.
    if (root === "src" && !unit) continue;
    const d = draft(dir.split("/")[1]!);
    d?.paths.add(`${dir}/**`);
    d?.seen.add(root === "src" ? "src/<svc>/ with a Dockerfile or package manifest" : `${root}/<svc>/`);
  }
  let rootDockerfile = false;
  for (const path of p.paths.filter((x) => /(^|\/)Dockerfile[^/]*$/.test(x) && !ROOTS.test(x))) {
    const dir = dirOf(path);
    if (!dir) {
      rootDockerfile = true;
      continue;
    }
    const d = draft(
      dir
        .split("/")
        .filter((s) => !["docker", "build", "app"].includes(s))
        .pop() ?? "",
    );
    d?.paths.add(`${dir}/**`);
    d?.seen.add("Dockerfile");
  }
  for (const path of filesToRead(p.paths)) {
    const text = p.read(path);
    if (!text) continue;
    if (CODEOWNERS.test(path)) codeowners(text, p.paths, draft);
    else if (/Chart\.ya?ml$/.test(path)) helmChart(path, text, p.paths, drafts, draft);
    else if (COMPOSE.test(path)) compose(path, text, draft);
    else manifests(path, text, drafts, draft);
  }
  // A Dockerfile at the root is the repository as one service, when nothing finer was found.
  if (rootDockerfile && ![...drafts.values()].some((d) => d.paths.size) && p.repoName) {
    const d = draft(p.repoName);
    d?.paths.add("**");
    d?.seen.add("Dockerfile");
  }
  const services: Record<string, ServiceConfig> = {};
  const seenIn: Record<string, string[]> = {};
  for (const [name, d] of [...drafts].sort(([a], [b]) => a.localeCompare(b))) {
    if (d.paths.size === 0 && !d.kubernetes) continue;
    const parsed = repoConfigSchema.shape.services.safeParse({
      [name]: { paths: [...d.paths].sort(), ...(d.kubernetes ? { kubernetes: d.kubernetes } : {}) },
    });
    if (!parsed.success) continue;
    services[name] = parsed.data[name]!;
    seenIn[name] = [...d.seen];
  }
  return { services, seenIn };
}

function yamlDocs(text: string): Array<Record<string, unknown>> {
  try {
    return parseAllDocuments(text.slice(0, 512 * 1024))
      .map((d) => d.toJS({ maxAliasCount: 50 }) as unknown)
      .filter((d): d is Record<string, unknown> => !!d && typeof d === "object" && !Array.isArray(d));
  } catch {
    return [];
  }
}

type At = (o: unknown, ...keys: string[]) => unknown;
const at: At = (o, ...keys) =>
  keys.reduce<unknown>((x, k) => (x && typeof x === "object" ? (x as Record<string, unknown>)[k] : undefined), o);

function manifests(path: string, text: string, drafts: Map<string, Draft>, draft: (n: string) => Draft | undefined) {
  for (const doc of yamlDocs(text)) {
    if (!["Deployment", "StatefulSet", "DaemonSet", "Rollout"].includes(String(doc.kind))) continue;
    const name = at(doc, "metadata", "name");
    if (typeof name !== "string") continue;
    const labels = (at(doc, "spec", "selector", "matchLabels") ?? at(doc, "spec", "template", "metadata", "labels") ?? {}) as Record<
      string,
      unknown
    >;
    const images = ((at(doc, "spec", "template", "spec", "containers") as Array<{ image?: string }> | undefined) ?? [])
      .map((c) => c.image)
      .filter((x): x is string => typeof x === "string");
    // The image names a directory of the repository more often than the Deployment does (`…/paymentservice:v1`).
    const imageName = images.map((i) => i.split("@")[0]!.split(":")[0]!.split("/").pop()!).find((i) => drafts.has(i));
    const d = draft(drafts.has(name) ? name : (imageName ?? name));
    if (!d) continue;
    const safeLabels = Object.fromEntries(Object.entries(labels).filter(([k, v]) => /^[A-Za-z0-9_./-]{1,253}$/.test(k) && safe(v)));
    const namespace = at(doc, "metadata", "namespace");
    d.kubernetes = {
      namespace: typeof namespace === "string" && /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace) ? namespace : "default",
      labels: safeLabels as Record<string, string>,
      ...(safe(name) ? { deployment: name } : {}),
    };
    d.paths.add(path);
    d.seen.add(`Kubernetes ${doc.kind}`);
  }
}

function helmChart(path: string, text: string, paths: string[], drafts: Map<string, Draft>, draft: (n: string) => Draft | undefined) {
  const dir = dirOf(path);
  const templates = paths.filter((x) => x.startsWith(`${dir}/templates/`) && /\.ya?ml$/.test(x));
  // One chart for many services (templates named after them), or a chart that is one service.
  const named = templates.filter((t) =>
    drafts.has(
      t
        .split("/")
        .pop()!
        .replace(/\.ya?ml$/, ""),
    ),
  );
  for (const t of named) {
    const d = drafts.get(
      t
        .split("/")
        .pop()!
        .replace(/\.ya?ml$/, ""),
    )!;
    d.paths.add(t);
    d.seen.add("Helm chart template");
  }
  if (named.length) return;
  const name = yamlDocs(text)[0]?.name;
  const d = typeof name === "string" ? draft(name) : undefined;
  d?.paths.add(`${dir}/**`);
  d?.seen.add("Helm chart");
}

function compose(path: string, text: string, draft: (n: string) => Draft | undefined) {
  const services = yamlDocs(text)[0]?.services;
  if (!services || typeof services !== "object") return;
  const base = dirOf(path);
  for (const [name, svc] of Object.entries(services as Record<string, unknown>)) {
    const build = at(svc, "build");
    const context = typeof build === "string" ? build : at(build, "context");
    if (typeof context !== "string") continue; // an image from elsewhere (a database) is not this repository's service
    const dir = [base, context.replace(/^\.\/?/, "").replace(/\/$/, "")].filter(Boolean).join("/");
    const d = draft(name);
    if (!d || dir.startsWith("..")) continue;
    d.paths.add(dir ? `${dir}/**` : "**");
    d.seen.add("docker-compose");
  }
}

function codeowners(text: string, paths: string[], draft: (n: string) => Draft | undefined) {
  for (const line of text.split("\n")) {
    const pattern = line.trim().split(/\s+/)[0];
    if (!pattern || pattern.startsWith("#") || /[*?[]/.test(pattern)) continue;
    const dir = pattern.replace(/^\//, "").replace(/\/$/, "");
    if (!dir || !paths.some((p) => p.startsWith(`${dir}/`))) continue;
    const d = draft(dir.split("/").pop()!);
    d?.paths.add(`${dir}/**`);
    d?.seen.add("CODEOWNERS");
  }
}

/** The config with inferred services when the repository has none of its own. */
export function withInferredServices(config: RepoConfig, inferred: InferredServices): RepoConfig {
  return Object.keys(config.services).length ? config : { ...config, services: inferred.services };
}
