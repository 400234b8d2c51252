import type { AdapterKind } from "../../config/mcp-servers.js";
import { postgresAdapter } from "./postgres/index.js";
import { prometheusAdapter } from "./prometheus/index.js";
import type { Adapter } from "./types.js";

/** Every adapter by kind; the operator's file names the kind of each server. */
export const ADAPTERS: ReadonlyMap<AdapterKind, Adapter> = new Map<AdapterKind, Adapter>([
  ["prometheus", prometheusAdapter],
  ["postgres", postgresAdapter],
]);
