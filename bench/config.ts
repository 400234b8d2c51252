/**
 * `npm run bench:config`: what a hostile `.github/insight.yml` costs the event loop, old path
 * (yaml.parse with the config plugin's defaults, on the event loop) against the bounded path
 * (size cap, pre-scan, worker thread), in the same run. Medians of 5 (the old path on the 289 KB
 * file once: it takes tens of seconds). "blocked" is the longest event-loop stall seen meanwhile.
 */
import { parse } from "yaml";
import { parseBoundedYaml } from "../src/config/bounded-yaml.js";

const keys = (n: number, key: (i: number) => string) =>
  `services:\n  api:\n    tier: low\n${Array.from({ length: n }, (_, i) => key(i)).join("\n")}\n`;
const cases = [
  { name: "30k keys", text: keys(30_000, (i) => `k${i}: ${i}`), oldRuns: process.argv.includes("--old-big") ? 1 : 0 },
  { name: "7k keys", text: keys(7_000, (i) => `k${i.toString(36)}: 1`), oldRuns: 3 },
  {
    name: "realistic, 20 services",
    text: `services:\n${Array.from({ length: 20 }, (_, i) => `  s${i}:\n    tier: high\n    kubernetes: { namespace: prod, labels: { app: s${i} } }\n`).join("")}`,
    oldRuns: 5,
  },
].map((c) => ({ ...c, name: `${c.name} (${Math.ceil(Buffer.byteLength(c.text) / 1024)} KB)` }));

/** Runs `fn` while sampling the event loop every 5 ms; returns its time and the longest stall. */
async function measure(fn: () => unknown): Promise<{ ms: number; blocked: number }> {
  let last = performance.now();
  let blocked = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    blocked = Math.max(blocked, now - last - 5);
    last = now;
  }, 5);
  const start = performance.now();
  try {
    await fn();
  } catch {
    /* a refusal is an outcome */
  }
  const ms = performance.now() - start;
  blocked = Math.max(blocked, performance.now() - last - 5);
  clearInterval(timer);
  return { ms, blocked: Math.max(0, blocked) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
console.log("| file | old: parse ms (blocked) | bounded: ms (blocked) | bounded outcome |");
console.log("| --- | ---: | ---: | --- |");
for (const c of cases) {
  const old = [];
  for (let i = 0; i < c.oldRuns; i++) old.push(await measure(() => parse(c.text, { logLevel: "error" })));
  const now = [];
  let outcome = "";
  for (let i = 0; i < 5; i++)
    now.push(
      await measure(async () => {
        const r = await parseBoundedYaml(c.text);
        outcome = r.ok ? "parsed" : r.problem;
      }),
    );
  const fmt = (rs: Array<{ ms: number; blocked: number }>) =>
    rs.length ? `${median(rs.map((r) => r.ms)).toFixed(0)} (${median(rs.map((r) => r.blocked)).toFixed(0)})` : "not run (--old-big)";
  console.log(`| ${c.name} | ${fmt(old)} | ${fmt(now)} | ${outcome} |`);
}
