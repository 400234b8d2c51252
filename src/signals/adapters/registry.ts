import type { AdapterKind } from "../../config/mcp-servers.js";
import { elasticsearchAdapter } from "./elasticsearch/index.js";
import { kubernetesAdapter } from "./kubernetes/index.js";
import { neo4jAdapter } from "./neo4j/index.js";
import { postgresAdapter } from "./postgres/index.js";
import { prometheusAdapter } from "./prometheus/index.js";
import { redisAdapter } from "./redis/index.js";
import { skywalkingAdapter } from "./skywalking/index.js";
import type { Adapter } from "./types.js";

/** Every adapter by kind; the operator's file names the kind of each server. */
export const ADAPTERS: ReadonlyMap<AdapterKind, Adapter> = new Map<AdapterKind, Adapter>(
  [prometheusAdapter, postgresAdapter, redisAdapter, kubernetesAdapter, elasticsearchAdapter, skywalkingAdapter, neo4jAdapter].map((a) => [a.kind, a]),
);
