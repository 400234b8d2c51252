import { jsonOf } from "../../tool-output.js";
import type { Signal } from "../../types.js";
import { num } from "../shared.js";
import { hasTools, type Adapter } from "../types.js";

type Info = Record<string, unknown>;

/**
 * Redis through the official `redis-mcp-server`: `info` (a JSON dict of INFO) gives memory
 * against maxmemory, evictions, hit ratio, clients, ops/s and rejected connections.
 */
export const redisAdapter: Adapter = {
  kind: "redis",
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
    const info = await ctx.attempt("INFO", async () => jsonOf<Info | { result: Info }>(await ctx.client.call("info", { section: "default" }), "info"));
    if (!info) return [];
    const i: Info = "result" in info && typeof info.result === "object" ? (info.result as Info) : (info as Info);
    const users = ctx.services.filter((s) => s.config.redis && (!s.config.redis.server || s.config.redis.server === ctx.source)).map((s) => s.name);
    const service = users.length === 1 ? users[0] : undefined;
    const query = "info section=default";
    const used = num(i.used_memory);
    const max = num(i.maxmemory);
    const hits = num(i.keyspace_hits) ?? 0;
    const misses = num(i.keyspace_misses) ?? 0;
    const metric = (name: string, value: number | undefined, unit: string, data: Record<string, unknown> = {}): Signal[] =>
      value === undefined ? [] : [{ id: `${ctx.source}:redis:${name}`, source: ctx.source, adapter: "redis", kind: "metric", service, name: `redis.${name}`, value, unit, query, data: { usedBy: users, ...data } }];
    return [
      ...metric("memory_used", used, "bytes", { maxmemory: max, usage: used !== undefined && max ? used / max : undefined, policy: i.maxmemory_policy, fragmentation: num(i.mem_fragmentation_ratio) }),
      ...metric("evicted_keys", num(i.evicted_keys), "keys", { expired_keys: num(i.expired_keys) }),
      ...metric("hit_ratio", hits + misses > 0 ? hits / (hits + misses) : undefined, "ratio", { hits, misses }),
      ...metric("connected_clients", num(i.connected_clients), "clients", { blocked_clients: num(i.blocked_clients), maxclients: num(i.maxclients) }),
      ...metric("rejected_connections", num(i.rejected_connections), "connections"),
      ...metric("ops_per_sec", num(i.instantaneous_ops_per_sec), "ops/s"),
      {
        id: `${ctx.source}:redis:server`,
        source: ctx.source,
        adapter: "redis",
        kind: "state",
        service,
        name: "redis.server",
        query,
        data: { version: i.redis_version, role: i.role, uptime_s: num(i.uptime_in_seconds), connected_slaves: num(i.connected_slaves), usedBy: users },
      },
    ];
  },
};
