import type { AdapterKind } from "../../config/mcp-servers.js";
import type { RepoConfig } from "../../config/repo-config.js";
import type { Provision } from "../catalog.js";
import type { ServerInfo } from "../mcp-pool.js";
import type { SourceClient } from "../source-client.js";
import type { ServiceTarget, CatalogSignal, Window } from "../types.js";

/** One published server an adapter can speak to, recognised by its tool names. */
export type Flavour = {
  id: string;
  /** True when the server's tools (and name) identify this flavour. */
  detect(tools: string[], server: ServerInfo): boolean;
  /** Read-only tools this adapter may call on this flavour (names matched by suffix). */
  tools: readonly string[];
  /** Tools without which the adapter cannot work on this flavour. */
  required: readonly string[];
};

export type Limits = {
  /** Rows read from one SQL answer, entries from one list. */
  rows: number;
  /** Log lines kept per service. */
  logLines: number;
  /** Largest tool answer accepted. */
  answerBytes: number;
  /** Series and points kept per metric. */
  series: number;
  points: number;
};

export const DEFAULT_LIMITS: Limits = { rows: 200, logLines: 200, answerBytes: 2 * 1024 * 1024, series: 20, points: 240 };

export type AdapterContext = {
  client: SourceClient;
  flavour: Flavour;
  source: string;
  services: ServiceTarget[];
  window: Window;
  limits: Limits;
  /** The repository's PromQL templates of the RED metrics. */
  metrics: RepoConfig["metrics"];
  /** Read the metrics' baseline of normal too (see `metricBaseline`). */
  baseline?: boolean;
  /** Records something that was cut or could not be read; it is shown in the report. */
  note(text: string): void;
  /**
   * Runs one read; a failure is noted and yields undefined, so one missing view (an extension
   * that is not installed, a tool that times out) costs only its own signals.
   */
  attempt<T>(label: string, read: () => Promise<T>): Promise<T | undefined>;
};

/**
 * An adapter: one monitoring system, several server flavours, signals out. It lives in
 * `signals/adapters/<id>/` (index.ts, schema.ts for its servers' replies, its flavours) and is
 * registered by one line in registry.ts.
 */
export interface Adapter {
  /** The value of a server's `insight.adapter` in the MCP servers file. */
  id: AdapterKind;
  /** What its signals are about; analysis asks for a capability, never for an adapter by name. */
  provides: readonly Provision[];
  flavours: readonly Flavour[];
  collect(ctx: AdapterContext): Promise<CatalogSignal[]>;
  /** Why a server whose tools match no flavour cannot be used (shown by doctor). */
  unsupported?(tools: string[]): string;
}

/** Finds the server's tool for a canonical name: exact, or with a configured prefix (`prod_query`). */
export function resolveTool(available: string[], canonical: string): string | undefined {
  if (available.includes(canonical)) return canonical;
  return available.find((name) => name.endsWith(`_${canonical}`) || name.endsWith(`-${canonical}`) || name.endsWith(`.${canonical}`));
}

export const hasTools = (available: string[], ...canonical: string[]) => canonical.every((c) => resolveTool(available, c) !== undefined);
