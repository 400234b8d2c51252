import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pino from "pino";
import { z } from "zod";
import { createFixtureServer, FIXTURE_FLAVOURS } from "../fixtures/mcp/fixture-server.js";
import { nowOf, type Scenario } from "../fixtures/mcp/scenario.js";
import { scenarioSchema } from "../fixtures/mcp/scenario-schema.js";
import { topology } from "../src/analysis/profile.js";
import { analyseIncident, type ChangeEvent, type RcaResult } from "../src/analysis/rca.js";
import { touchesFromDiff } from "../src/analysis/rca/touches.js";
import { parseMcpServers } from "../src/config/mcp-servers.js";
import { repoConfigSchema } from "../src/config/repo-config.js";
import { ADAPTERS } from "../src/signals/adapters/registry.js";
import { collectSignals } from "../src/signals/collect.js";
import { McpPool } from "../src/signals/mcp-pool.js";
import type { Signal } from "../src/signals/types.js";

/**
 * The ground truth of a scenario. `answer` says which of the three answers is right: a cause
 * (named by the guilty change, or by root / mechanism / service / title / category), "anomalous
 * but unexplained" (something is wrong, nothing we can see explains it) or "nothing anomalous".
 */
const truthSchema = z
  .object({
    answer: z.enum(["cause", "unexplained", "nothing"]).default("cause"),
    change: z.string().optional().describe("the guilty change's id; a deployment that ships it (its `pr`) counts too"),
    title: z.string().optional().describe("a substring of the hypothesis title (case-sensitive, as before)"),
    category: z.enum(["code", "config", "infrastructure", "dependency"]).optional(),
    service: z.string().optional(),
    root: z.enum(["change", "resource", "external", "service"]).optional().describe("the kind of the chain's root"),
    mechanism: z
      .string()
      .optional()
      .describe(
        "a word (or a word's start) of the chain's mechanism or title (lock, eviction, oom, pool, certificate, throttl…), any case",
      ),
  })
  .strict()
  .refine((t) => t.answer !== "cause" || t.change || t.title || t.category || t.service || t.root || t.mechanism, {
    message: "a cause truth names a change or a root, mechanism, service, title or category",
  });

/** A fact a good answer states: a string, or substrings that must all appear (any case) where it is looked for. */
const factSchema = z.union([
  z.string().min(1),
  z
    .object({
      fact: z.string().min(1),
      all: z.array(z.string().min(1)).min(1),
      raw: z
        .array(z.string().min(1))
        .min(1)
        .optional()
        .describe("how the servers' raw answers show it, when that differs (e.g. `5..` for an error rate)"),
    })
    .strict(),
]);

const changeSchema = z
  .object({
    id: z.string().min(1),
    kind: z.enum(["pr", "deployment", "commit"]),
    title: z.string(),
    at: z.number().finite(),
    services: z.array(z.string()),
    files: z.array(z.string()),
    changeKinds: z.array(
      z.enum([
        "migration",
        "kubernetes",
        "helm",
        "infrastructure",
        "ci",
        "dependency",
        "lockfile",
        "config",
        "code",
        "test",
        "docs",
        "other",
      ]),
    ),
    url: z.string().optional(),
    ships: z.string().optional().describe("for a deployment: the PR (or commit) it ships"),
    pr: z.string().optional().describe("the same as ships (older name)"),
    diff: z.string().max(20_000).optional().describe("what the change did, as a unified diff excerpt (schedules, policies, affinity, DDL)"),
  })
  .strict();

export const incidentSchema = z
  .object({
    description: z.string().min(1),
    window: z
      .object({ from: z.number().finite(), to: z.number().finite() })
      .strict()
      .refine((w) => w.from < w.to, { message: "window.from must be before window.to" }),
    baseline: z.number().positive().optional(),
    sources: z.record(
      z.string(),
      z.string().refine((f) => f in FIXTURE_FLAVOURS, { message: `a fixture flavour: ${Object.keys(FIXTURE_FLAVOURS).join(", ")}` }),
    ),
    adapters: z.record(z.string(), z.string()),
    services: z.record(z.string(), z.unknown()),
    changes: z.array(changeSchema),
    truth: truthSchema,
    facts: z.array(factSchema).optional(),
    notes: z.string().optional(),
  })
  .strict()
  .refine((i) => Object.keys(i.adapters).every((n) => n in i.sources), {
    message: "every adapters entry needs a sources entry of the same name",
  });

export type Truth = z.infer<typeof truthSchema>;
export type Fact = z.infer<typeof factSchema>;
export type Incident = z.infer<typeof incidentSchema> & { name: string; dir: string; production: Scenario };

export const INCIDENTS_DIR = join(process.cwd(), "fixtures", "incidents");

/** A scenario that does not parse: the file and the field at fault. */
export class ScenarioError extends Error {}

function parseFile<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ScenarioError(`${file}: ${existsSync(file) ? `not JSON (${(e as Error).message})` : "missing"}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 8).map((i) => `  ${i.path.join(".") || "(top)"}: ${i.message}`);
    throw new ScenarioError(`${file}: not a valid scenario\n${problems.join("\n")}`);
  }
  return parsed.data;
}

/** Every scenario folder under `dir` (a folder holding incident.json and production.json), sorted by name. */
export function loadIncidents(dir = INCIDENTS_DIR): Incident[] {
  const root = resolve(dir);
  if (!existsSync(root)) throw new ScenarioError(`${root}: no such folder`);
  const folders = readdirSync(root, { withFileTypes: true }).filter(
    (d) => d.isDirectory() && existsSync(join(root, d.name, "incident.json")),
  );
  if (!folders.length) throw new ScenarioError(`${root}: no scenario folders (each needs incident.json and production.json)`);
  return folders
    .map((d) => {
      const folder = join(root, d.name);
      const incident = parseFile(join(folder, "incident.json"), incidentSchema);
      const production = parseFile(join(folder, "production.json"), scenarioSchema) as Scenario;
      for (const name of Object.keys(incident.sources)) {
        if (!(name in incident.adapters))
          throw new ScenarioError(`${join(folder, "incident.json")}: sources.${name} has no adapters.${name}`);
      }
      return { ...incident, name: d.name, dir: folder, production };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The result's answer: the engine's own (`verdict`), or, for an engine that has none, read from its confidence and anomalies. */
export function answerOf(result: RcaResult): Truth["answer"] {
  const own = (result as { verdict?: string; answer?: string }).verdict ?? (result as { answer?: string }).answer;
  if (own === "cause" || own === "unexplained" || own === "nothing") return own;
  const top = result.hypotheses[0];
  if (top && top.confidence >= 0.35) return "cause";
  return result.anomalies.some((a) => a.kind !== "alert" && a.severity >= 0.3) ? "unexplained" : "nothing";
}

const lc = (v: unknown) => String(v ?? "").toLowerCase();
type Link = {
  role?: string;
  kind?: string;
  text?: string;
  title?: string;
  service?: string;
  category?: string;
  change?: { id?: string; ships?: string; pr?: string };
};
/** What a hypothesis says, read loosely: today's flat fields, or a chain root → mechanism → symptoms (a list of links or an object). */
type Loose = {
  title?: string;
  category?: string;
  service?: string;
  suspect?: { id?: string; ships?: string; pr?: string; kind?: string };
  chain?: Link[] | { root?: Link; mechanism?: Link };
};

const linkOf = (h: Loose, role: "root" | "mechanism"): Link | undefined =>
  Array.isArray(h.chain) ? h.chain.find((l) => l.role === role) : h.chain?.[role];

function rootOf(h: Loose) {
  const r = linkOf(h, "root");
  const change = r?.change ?? h.suspect;
  const text = lc(`${r?.text ?? ""} ${r?.title ?? ""}`);
  // A chain's root kind, when the engine does not name it: a change, an outside dependency, a resource, or a service's own fault.
  const kind =
    lc(r?.kind) ||
    (change
      ? "change"
      : /external|third[- ]party|outside|certificate|dns|\b429\b|rate.limit/.test(text)
        ? "external"
        : h.category === "infrastructure"
          ? "resource"
          : "service");
  return { kind, service: r?.service ?? h.service, changeId: change?.id, ships: change?.ships ?? change?.pr };
}

/**
 * A hypothesis matches the truth when its root is the guilty change (or a deployment shipping it),
 * or when every truth field it is given (root kind, mechanism, service, title, category) matches.
 */
export function matches(h: Loose, t: Truth, changes: Array<{ id: string; pr?: string; ships?: string }> = []): boolean {
  const root = rootOf(h);
  if (t.change) {
    const shipped = (id?: string) => !!id && changes.some((c) => c.id === id && (c.ships ?? c.pr) === t.change);
    return root.changeId === t.change || root.ships === t.change || shipped(root.changeId);
  }
  const m = linkOf(h, "mechanism");
  const mechanism = [m?.kind, m?.text, m?.title, h.title].map(lc).join(" ");
  return (
    (!t.title || String(h.title ?? "").includes(t.title)) &&
    (!t.category || h.category === t.category || linkOf(h, "root")?.category === t.category) &&
    (!t.service || h.service === t.service || root.service === t.service) &&
    (!t.root || root.kind === t.root) &&
    // A word of the mechanism, from its start: "io" is not in "connections", "throttl" is in "throttling".
    (!t.mechanism || new RegExp(`(^|[^a-z0-9])${lc(t.mechanism).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`).test(mechanism))
  );
}

/** The rank of the right answer (1 = first); 0 when it is not there. A non-cause truth is right only as the answer. */
export function rankOf(incident: Incident, result: RcaResult): number {
  const answer = answerOf(result);
  if (incident.truth.answer !== "cause") return answer === incident.truth.answer ? 1 : 0;
  if (answer === "nothing") return 0;
  return result.hypotheses.findIndex((h) => matches(h as Loose, incident.truth, incident.changes)) + 1;
}

/** Replays one incident: fixture servers in memory, collection over baseline + window, the engine. */
export async function replay(incident: Incident): Promise<RcaResult> {
  return (await replayEvidence(incident)).result;
}

async function collect(incident: Incident, production: Scenario, from: number, to: number) {
  const config = repoConfigSchema.parse({ services: incident.services });
  const mcp = parseMcpServers({
    mcpServers: Object.fromEntries(
      Object.entries(incident.adapters).map(([n, a]) => [n, { command: "fixture", insight: { adapter: a, repositories: ["*/*"] } }]),
    ),
  });
  const log = pino({ level: "silent" });
  const pool = new McpPool(mcp, {
    log,
    transport: (name) => {
      const [client, server] = InMemoryTransport.createLinkedPair();
      void createFixtureServer(FIXTURE_FLAVOURS[incident.sources[name]!]!, production).connect(server);
      return client;
    },
  });
  try {
    const collection = await collectSignals({
      pool,
      servers: mcp,
      adapters: ADAPTERS,
      repo: undefined,
      log,
      metrics: config.metrics,
      services: Object.entries(config.services).map(([name, c]) => ({ name, config: c })),
      window: { from, to },
    });
    return { collection, config };
  } finally {
    await pool.close();
  }
}

export type Replay = {
  result: RcaResult;
  signals: Signal[];
  before: Signal[];
  changes: ChangeEvent[];
  sources: Array<{ source: string; status: string; error?: string; notes: string[] }>;
};

/**
 * The same replay, with the signals and changes the engine read. State sources are also read as of
 * the window's start (`before`: the servers' clock moved back), so a setting that changed during
 * the window can be compared; the engine gets them as `before` (an engine that ignores them is unchanged).
 */
export async function replayEvidence(incident: Incident): Promise<Replay> {
  const now = nowOf(incident.production);
  const window = { from: now + incident.window.from * 1000, to: now + incident.window.to * 1000 };
  const baselineFrom = window.from - (incident.baseline ?? 7200) * 1000;
  const { collection, config } = await collect(incident, incident.production, baselineFrom, window.to);
  const earlier = await collect(incident, { ...incident.production, asOf: incident.window.from }, baselineFrom, window.from);
  const before = earlier.collection.signals.filter((s) => s.kind === "state" || s.adapter === "redis" || s.adapter === "postgres");
  // A change's `diff` is read as a PR's patch is (touchesFromDiff): what settings it moves.
  const changes = incident.changes.map(({ pr, diff, ...c }) => {
    const touched = diff ? touchesFromDiff([{ path: c.files[0] ?? "", patch: diff }]) : [];
    return {
      ...c,
      ...((c.ships ?? pr) ? { ships: c.ships ?? pr } : {}),
      at: now + c.at * 1000,
      ...(touched.length ? { touches: touched } : {}),
    };
  });
  const sources = collection.sources.map((s) => ({
    source: s.source,
    status: s.status,
    ...(s.error ? { error: s.error } : {}),
    notes: s.notes,
  }));
  // Engines that read coverage (what could not be seen) and the state before the window get them; others ignore them.
  const coverage = { sources, services: Object.keys(config.services), history: true };
  const params = { signals: collection.signals, before, window, changes, edges: topology(collection, config).edges, coverage };
  const result = analyseIncident(params);
  return { result, signals: collection.signals, before, changes, sources };
}
