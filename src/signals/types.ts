import type { AdapterKind } from "../config/mcp-servers.js";
import type { ServiceConfig } from "../config/repo-config.js";
import type { Provision, SignalName } from "./catalog.js";

export type SignalKind = "metric" | "log" | "event" | "trace" | "state" | "topology";

/** A time window, both ends inclusive, in epoch milliseconds. */
export type Window = { from: number; to: number };

export type Series = { labels: Record<string, string>; points: Array<[number, number]> };

/**
 * One normalised observation. `id` is stable across runs (no timestamps in it) so findings can
 * cite it; `query` says how to reproduce it against the same source.
 */
export type Signal = {
  id: string;
  source: string;
  adapter: AdapterKind;
  kind: SignalKind;
  /** The service it belongs to; undefined for shared infrastructure (a database, a cluster). */
  service?: string;
  /** What it measures, e.g. `http.error_rate`, `pg.connections`, `k8s.pod.crashloop` (names from `SIGNAL` in `catalog.ts`). */
  name: string;
  window?: Window;
  /** A single current value, where the signal has one. */
  value?: number;
  unit?: string;
  series?: Series[];
  /** Structured facts (pod states, alert labels, lock chains, log lines, edges). */
  data?: Record<string, unknown>;
  query: string;
};

/**
 * A signal as an adapter emits it: named from the catalog (`SIGNAL` in `catalog.ts`), so a misspelt
 * or unlisted name does not compile. Analysis takes any `Signal` (the benchmarks' datasets name
 * their own metrics) and reads names through the same catalog.
 */
export type CatalogSignal = Signal & { name: SignalName };

export type SourceStatus = "ok" | "no_data" | "error" | "disabled";

export type SourceResult = {
  source: string;
  adapter: AdapterKind;
  /** Detected server flavour, e.g. `dbhub`, `prometheus-mcp`. */
  flavour?: string;
  /** What its adapter declares it provides (metrics, logs, apm, …). */
  provides: readonly Provision[];
  status: SourceStatus;
  signals: Signal[];
  error?: string;
  /** What was cut to stay within bounds, or could not be read, said in the report. */
  notes: string[];
  elapsedMs: number;
};

/** A service as the adapters see it: its name and the selectors from the repo config. */
export type ServiceTarget = { name: string; config: ServiceConfig };

export type CollectionResult = {
  window: Window;
  sources: SourceResult[];
  signals: Signal[];
  elapsedMs: number;
};
