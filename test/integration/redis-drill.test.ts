import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { analyseIncident } from "../../src/analysis/rca.js";
import { collector, services } from "../helpers/collect.js";

const run = promisify(execFile);
const cli = (...args: string[]) => run("redis-cli", ["-h", "127.0.0.1", "-p", "6379", ...args]).then((r) => r.stdout.trim());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `count` keys of ~1 KB through redis-cli's pipe mode. */
function writeKeys(prefix: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("redis-cli", ["-h", "127.0.0.1", "-p", "6379", "--pipe"], { stdio: ["pipe", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`redis-cli --pipe exited ${code}`))));
    const value = "x".repeat(1000);
    for (let i = 0; i < count; i++) child.stdin.write(`SET ${prefix}${i} ${value}\r\n`);
    child.stdin.end();
  });
}

/**
 * Cache eviction storm on the local Redis, seen the way production sees it: through
 * prometheus-redis-exporter, scraped by a real Prometheus, read by the real prometheus-mcp.
 */
describe("incident drill: Redis eviction storm through the exporter and Prometheus", () => {
  let saved: { maxmemory: string; policy: string };
  let c: ReturnType<typeof collector>;

  beforeAll(async () => {
    const [maxmemory, policy] = await Promise.all([cli("CONFIG", "GET", "maxmemory"), cli("CONFIG", "GET", "maxmemory-policy")]);
    saved = { maxmemory: maxmemory.split("\n")[1]!, policy: policy.split("\n")[1]! };
    c = collector({
      metrics: {
        command: join(process.cwd(), "node_modules/.bin/prometheus-mcp"),
        args: ["stdio"],
        env: { PROMETHEUS_URL: "http://127.0.0.1:19090" },
        insight: { adapter: "prometheus" },
      },
    });
  });

  afterAll(async () => {
    await cli("CONFIG", "SET", "maxmemory", saved.maxmemory);
    await cli("CONFIG", "SET", "maxmemory-policy", saved.policy);
    const keys = (await cli("--scan", "--pattern", "insight:drill:*")).split("\n").filter(Boolean);
    for (let i = 0; i < keys.length; i += 500) await cli("UNLINK", ...keys.slice(i, i + 500));
    await c?.pool.close();
  });

  it("names the eviction storm", async () => {
    // A normal baseline first: 90 s of scrapes with no eviction (a storm of an earlier run must have passed).
    const promql = async (q: string) => {
      const res = await fetch(`http://127.0.0.1:19090/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
      return Number(body.data.result[0]?.value[1] ?? NaN);
    };
    for (let i = 0; i < 150 && (await promql("sum(rate(redis_evicted_keys_total[1m]))")) !== 0; i++) await sleep(2000);
    await sleep(60_000); // a minute of quiet scrapes: the baseline the onset is measured against
    const stormStart = Date.now();
    await cli("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    await cli("CONFIG", "SET", "maxmemory", "4mb");
    // Keep evicting for ~20 s, then let Prometheus scrape a few rates of it.
    for (let round = 0; round < 5; round++) {
      await writeKeys(`insight:drill:${round}:`, 8000);
      await sleep(4000);
    }
    await sleep(30_000);
    const evicted = Number((await cli("INFO", "stats")).match(/evicted_keys:(\d+)/)![1]);
    expect(evicted).toBeGreaterThan(1000);
    const minutes = (Date.now() - stormStart + 55_000) / 60_000;
    const result = await c.collect(services({ cache: { redis: {} } }), minutes);
    const rate = result.signals.find((s) => s.name === "redis.evictions_rate")!;
    expect(rate.value).toBeGreaterThan(0);
    const rca = analyseIncident({ signals: result.signals, window: { from: stormStart - 45_000, to: Date.now() }, changes: [], edges: [] });
    const storm = rca.hypotheses.find((h) => h.title.startsWith("Redis eviction storm"));
    expect(storm).toMatchObject({ category: "dependency", evidence: ["metrics:exporter:redis.evictions_rate"] });
    expect(rca.hypotheses.indexOf(storm!)).toBe(0);
  }, 420_000);
});
