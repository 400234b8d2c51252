import { afterAll, describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURE_FLAVOURS } from "../../../fixtures/mcp/fixture-server.js";
import { ADAPTERS } from "../../../src/signals/adapters/registry.js";
import { K8S_POD_PREFIX, SIGNAL } from "../../../src/signals/catalog.js";
import { collector, services } from "../../helpers/collect.js";
import { fixtureTransport } from "../../helpers/fixture-pool.js";
import { production, productionServices } from "../../helpers/scenario.js";

/**
 * The catalog and the adapters cannot drift apart: every adapter names what it emits through
 * `SIGNAL` (never a spelt-out name), every catalog entry is emitted by some adapter, and what the
 * adapters actually emit against the fixture servers is in the catalog.
 */

const ADAPTERS_DIR = join(process.cwd(), "src", "signals", "adapters");
const CATALOG_NAMES = new Set<string>(Object.values(SIGNAL));

/** Every adapter source file, by path under src/signals/adapters/. */
function adapterSources(): Array<{ path: string; text: string }> {
  return readdirSync(ADAPTERS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(ADAPTERS_DIR, d.name))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => ({ path: `${d.name}/${f}`, text: readFileSync(join(ADAPTERS_DIR, d.name, f), "utf8") })),
    );
}

/** The catalog keys a source references as `SIGNAL.<key>`. */
const referencedKeys = (text: string) => [...text.matchAll(/\bSIGNAL\.(\w+)/g)].map((m) => m[1]!);

/** Quoted strings in code that spell a catalog name (comments name signals in backticks, which are left alone). */
const spelledNames = (text: string) =>
  [...text.matchAll(/(["'])([a-z0-9]+(?:\.[a-z0-9_]+)+)\1/g)].map((m) => m[2]!).filter((name) => CATALOG_NAMES.has(name));

describe("the signal catalog", () => {
  const sources = adapterSources();

  it("reads the adapters' sources (a test that finds no files would pass on nothing)", () => {
    expect(sources.map((s) => s.path)).toEqual(expect.arrayContaining(["prometheus/index.ts", "kubernetes/index.ts", "postgres/index.ts"]));
  });

  it("has no entry that no adapter emits", () => {
    const used = new Set(sources.flatMap((s) => referencedKeys(s.text)));
    const unused = Object.keys(SIGNAL).filter((key) => !used.has(key));
    expect(unused).toEqual([]);
  });

  it("is what adapters reference: no `SIGNAL.<key>` outside it, no name spelt out in an adapter", () => {
    const unknown = sources.flatMap((s) =>
      referencedKeys(s.text)
        .filter((key) => !(key in SIGNAL))
        .map((key) => `${s.path}: SIGNAL.${key}`),
    );
    expect(unknown).toEqual([]);
    const spelt = sources.flatMap((s) => spelledNames(s.text).map((name) => `${s.path}: "${name}"`));
    expect(spelt).toEqual([]);
  });

  it("has unique names", () => {
    expect(CATALOG_NAMES.size).toBe(Object.keys(SIGNAL).length);
  });
});

describe("what adapters emit against every fixture flavour", () => {
  const pools: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  /** The adapter each fixture server is configured as (some are servers the adapter refuses: the archived Redis one, a read-write cluster). */
  const KIND: Array<[RegExp, string]> = [
    [/prometheus/, "prometheus"],
    [/^(dbhub|server-postgres|crystaldba)$/, "postgres"],
    [/redis/, "redis"],
    [/kubernetes/, "kubernetes"],
    [/elasticsearch|kibana/, "elasticsearch"],
    [/skywalking/, "skywalking"],
    [/neo4j/, "neo4j"],
  ];

  it("is always a catalog name or a per-state pod signal", async () => {
    const now = Date.parse(production.now!);
    const emitted = new Map<string, string>();
    const read: string[] = [];
    for (const fixture of Object.keys(FIXTURE_FLAVOURS)) {
      const adapter = KIND.find(([re]) => re.test(fixture))?.[1];
      expect([fixture, adapter && ADAPTERS.has(adapter)]).toEqual([fixture, true]);
      const c = collector(
        { src: { command: "fixture", insight: { adapter } } },
        { transport: fixtureTransport({ src: fixture }, production) },
      );
      pools.push(c.pool);
      const result = await c.collect(services(productionServices), 30, { window: { from: now - 30 * 60_000, to: now } });
      if (result.sources[0]!.status === "ok") read.push(fixture);
      for (const s of result.signals) emitted.set(s.name, fixture);
    }
    expect(read.length).toBeGreaterThanOrEqual(Object.keys(FIXTURE_FLAVOURS).length - 2);
    const outside = [...emitted].filter(([name]) => !CATALOG_NAMES.has(name) && !name.startsWith(K8S_POD_PREFIX));
    expect(outside).toEqual([]);
    // The fixtures exercise most of the catalog; a drop here means an adapter stopped emitting what it used to.
    expect([...emitted.keys()].filter((n) => CATALOG_NAMES.has(n)).length).toBeGreaterThanOrEqual(30);
  });
});
