/**
 * `npm run bench:llm-evidence`: the evidence pack the model starts from, against the raw signals it
 * summarises, on every incident scenario (fixtures/incidents): tokens of the pack (default budget,
 * 20k) beside tokens of every collected signal as JSON, their ratio (goal ≤ 1/10), what was cut,
 * and the time to build it. Tokens are estimated as characters / 4, for both sides alike.
 */
import { buildRcaPack, renderPack } from "../src/llm/evidence-pack.js";
import { loadIncidents, replayEvidence } from "./incidents.js";
import { median } from "./stats.js";

const BUDGET = Number(process.env.PACK_TOKENS ?? 20_000);
const rows: Array<{ name: string; raw: number; pack: number; prompt: number; items: number; cut: number; ms: number }> = [];
for (const incident of loadIncidents()) {
  const { result, signals, changes } = await replayEvidence(incident);
  const times: number[] = [];
  let pack = buildRcaPack({ result, signals, changes, issue: { title: incident.description, body: "" }, budget: BUDGET });
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    pack = buildRcaPack({ result, signals, changes, issue: { title: incident.description, body: "" }, budget: BUDGET });
    times.push(performance.now() - t0);
  }
  rows.push({
    name: incident.name,
    raw: pack.rawTokens,
    pack: pack.tokens,
    prompt: Math.ceil(renderPack(pack).length / 4),
    items: pack.items.length,
    cut: pack.cut.length,
    ms: median(times),
  });
}

console.log(`Evidence pack vs raw signals (budget ${BUDGET.toLocaleString("en")} tokens; tokens ≈ characters / 4)`);
console.log("scenario                            raw tokens   pack tokens   ratio    items   cut   build ms");
for (const r of rows) {
  console.log(
    `${r.name.padEnd(34)} ${r.raw.toLocaleString("en").padStart(12)} ${r.pack.toLocaleString("en").padStart(13)}   1/${(r.raw / r.pack).toFixed(1).padEnd(6)} ${String(r.items).padStart(5)} ${String(r.cut).padStart(5)}   ${r.ms.toFixed(2)}`,
  );
}
const raw = rows.reduce((n, r) => n + r.raw, 0);
const pack = rows.reduce((n, r) => n + r.pack, 0);
const ratios = rows.map((r) => r.raw / r.pack);
console.log(
  `all ${rows.length} scenarios: ${raw.toLocaleString("en")} raw → ${pack.toLocaleString("en")} in packs = 1/${(raw / pack).toFixed(1)}; median ratio 1/${median(ratios).toFixed(1)}, worst 1/${Math.min(...ratios).toFixed(1)} (goal ≤ 1/10)`,
);
