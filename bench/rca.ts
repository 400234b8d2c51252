/**
 * `npm run bench:rca`: the RCA engine on every incident scenario of fixtures/incidents (signals
 * from fixture MCP servers, change history, ground truth); prints the rank of the right answer
 * per scenario and top-1 / top-3 accuracy.
 */
import { loadIncidents, matches, replay } from "./incidents.js";

const incidents = loadIncidents();
let top1 = 0;
let top3 = 0;
console.log(`RCA scenarios (${incidents.length})`);
for (const incident of incidents) {
  const started = performance.now();
  const result = await replay(incident);
  const rank = result.hypotheses.findIndex((h) => matches(h, incident.truth)) + 1;
  if (rank === 1) top1++;
  if (rank >= 1 && rank <= 3) top3++;
  const top = result.hypotheses[0];
  console.log(`${rank === 1 ? "✅" : rank > 0 && rank <= 3 ? "🟡" : "❌"} ${incident.name.padEnd(34)} rank ${rank || "–"}  top: ${top ? `${top.title} (${Math.round(top.confidence * 100)}%)` : "none"}  ${(performance.now() - started).toFixed(0)} ms`);
}
console.log(`top-1 ${top1}/${incidents.length} = ${(top1 / incidents.length).toFixed(2)} · top-3 ${top3}/${incidents.length} = ${(top3 / incidents.length).toFixed(2)}`);
