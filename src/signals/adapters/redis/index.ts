import { replyOf } from "../../tool-output.js";
import { infoAnswer, type Info } from "./schema.js";
import type { CatalogSignal } from "../../types.js";
import { isLive, num, pause, SAMPLE_MS } from "../shared.js";
import { hasTools, type Adapter } from "../types.js";
import { SIGNAL, type SignalName } from "../../catalog.js";

/**
 * Redis through the official `redis-mcp-server`: `info` (a JSON dict of INFO) gives memory
 * against maxmemory, evictions, hit ratio, clients, ops/s and rejected connections.
 */
export const redisAdapter: Adapter = {
  id: "redis",
  provides: ["cache"],
  flavours: [
    {
      id: "redis-mcp-server",
      detect: (tools) => hasTools(tools, "info"),
      tools: ["info", "dbsize"],
      required: ["info"],
    },
  ],
  unsupported: (tools) =>
    hasTools(tools, "get", "set")
      ? "this Redis MCP server (the archived @modelcontextprotocol/server-redis) has only key tools, no monitoring tool (info); use the official redis-mcp-server"
      : `no Redis monitoring tool (info) among: ${tools.join(", ")}`,
  async collect(ctx) {
    const info = await ctx.attempt("INFO", async () => replyOf(await ctx.client.call("info", { section: "default" }), "info", infoAnswer));
    if (!info) return [];
    const unwrap = (x: Info | { result: Info }): Info => ("result" in x && typeof x.result === "object" ? (x.result as Info) : (x as Info));
    const i: Info = unwrap(info);
    // A live window: INFO stats a moment later gives evicted_keys' rate now (a counter's total says nothing; another section, so no cached answer).
    const again = isLive(ctx.window)
      ? await pause(SAMPLE_MS).then(() =>
          ctx.attempt("INFO (second reading)", async () =>
            unwrap(replyOf(await ctx.client.call("info", { section: "stats" }), "info", infoAnswer)),
          ),
        )
      : undefined;
    const [e0, e1] = [num(i.evicted_keys), num(again?.evicted_keys)];
    const evictedPerSec = e0 !== undefined && e1 !== undefined && e1 >= e0 ? (e1 - e0) / (SAMPLE_MS / 1000) : undefined;
    const users = ctx.services
      .filter((s) => s.config.redis && (!s.config.redis.server || s.config.redis.server === ctx.source))
      .map((s) => s.name);
    const service = users.length === 1 ? users[0] : undefined;
    const query = "info section=default";
    const used = num(i.used_memory);
    const max = num(i.maxmemory);
    const hits = num(i.keyspace_hits) ?? 0;
    const misses = num(i.keyspace_misses) ?? 0;
    const metric = (name: SignalName, value: number | undefined, unit: string, data: Record<string, unknown> = {}): CatalogSignal[] =>
      value === undefined
        ? []
        : [
            {
              id: `${ctx.source}:redis:${name.slice("redis.".length)}`,
              source: ctx.source,
              adapter: "redis",
              kind: "metric",
              service,
              name,
              value,
              unit,
              query,
              data: { usedBy: users, ...data },
            },
          ];
    return [
      ...metric(SIGNAL.redisMemoryUsed, used, "bytes", {
        maxmemory: max,
        usage: used !== undefined && max ? used / max : undefined,
        policy: i.maxmemory_policy,
        fragmentation: num(i.mem_fragmentation_ratio),
      }),
      ...metric(SIGNAL.redisEvictedKeys, e1 ?? e0, "keys", {
        expired_keys: num(i.expired_keys),
        ...(evictedPerSec !== undefined ? { perSecondNow: evictedPerSec } : {}),
      }),
      ...metric(SIGNAL.redisHitRatio, hits + misses > 0 ? hits / (hits + misses) : undefined, "ratio", { hits, misses }),
      ...metric(SIGNAL.redisConnectedClients, num(i.connected_clients), "clients", {
        blocked_clients: num(i.blocked_clients),
        maxclients: num(i.maxclients),
      }),
      ...metric(SIGNAL.redisRejectedConnections, num(i.rejected_connections), "connections"),
      ...metric(SIGNAL.redisOpsPerSec, num(i.instantaneous_ops_per_sec), "ops/s"),
      {
        id: `${ctx.source}:redis:server`,
        source: ctx.source,
        adapter: "redis",
        kind: "state",
        service,
        name: SIGNAL.redisServer,
        query,
        data: {
          version: i.redis_version,
          role: i.role,
          uptime_s: num(i.uptime_in_seconds),
          connected_slaves: num(i.connected_slaves),
          usedBy: users,
        },
      },
    ];
  },
};
