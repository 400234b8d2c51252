import { describe, expect, it } from "@jest/globals";
import { stateDrift } from "../../../src/analysis/state-drift.js";
import type { Signal } from "../../../src/signals/types.js";

const sig = (name: string, data: Record<string, unknown>, service?: string): Signal => ({
  id: `src:${name}`,
  source: "src",
  adapter: "redis",
  kind: "state",
  name,
  service,
  data,
  query: "",
});

describe("state drift", () => {
  it("says which setting moved, from what to what", () => {
    const before = [
      sig("redis.memory_used", { policy: "volatile-lru", maxmemory: 4e9, usage: 0.5 }),
      sig("pg.connections", { max_connections: 400, total: 120 }),
    ];
    const now = [
      sig("redis.memory_used", { policy: "allkeys-lru", maxmemory: 4e9, usage: 0.99 }),
      sig("pg.connections", { max_connections: 200, total: 199 }),
    ];
    expect(stateDrift(before, now).map((d) => d.detail)).toEqual([
      "redis maxmemory_policy was volatile-lru before the window and is allkeys-lru now",
      "pg max_connections was 400 before the window and is 200 now",
    ]);
  });

  it("compares a Deployment's replicas, resources, settings and scheduling, not gauges or counters", () => {
    const spec = (replicas: number, cpu: string, pool: string, affinity?: string) =>
      sig(
        "k8s.deployment_spec",
        {
          name: "orders",
          replicas,
          containers: [{ name: "main", image: "o:1", limits: { cpu }, env: { DB_POOL_SIZE: pool } }],
          scheduling: { affinity },
        },
        "orders",
      );
    const drift = stateDrift([spec(6, "2", "50", '{"nodeAffinity":{}}')], [spec(2, "500m", "10")]);
    expect(drift.map((d) => [d.setting, d.before, d.now])).toEqual([
      ["replicas", "6", "2"],
      ["main.limits.cpu", "2", "500m"],
      ["main.env.DB_POOL_SIZE", "50", "10"],
      ["scheduling.affinity", '{"nodeAffinity":{}}', "(none)"],
    ]);
    expect(drift[0]!.service).toBe("orders");
    expect(stateDrift([sig("redis.evicted_keys", { expired_keys: 1 })], [sig("redis.evicted_keys", { expired_keys: 9 })])).toEqual([]);
  });
});
