/**
 * `npm run bench:rca [-- --dir <path>] [--json <file>]`: the RCA engine on every scenario folder
 * of `dir` (default fixtures/incidents): signals from fixture MCP servers, change history, ground
 * truth. Prints the engine's answer and the rank of the right one per scenario, and top-1 / top-3
 * accuracy; `--json` also writes them, for the record beside earlier runs.
 */
import { writeFileSync } from "node:fs";
import { brier, reliabilityTable, type Prediction } from "./calibration.js";
import { answerOf, INCIDENTS_DIR, loadIncidents, rankOf, replayEvidence, ScenarioError } from "./incidents.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (!v || v.startsWith("--")) throw new ScenarioError(`--${name} needs a value`);
  return v;
}

let incidents;
try {
  incidents = loadIncidents(arg("dir") ?? INCIDENTS_DIR);
} catch (e) {
  if (!(e instanceof ScenarioError)) throw e;
  console.error(e.message);
  process.exit(2);
}

const calibration: Prediction[] = [];
const rows: Array<{ name: string; truth: string; answer: string; rank: number; top: string; ms: number; sourceErrors: string[] }> = [];
console.log(`RCA scenarios (${incidents.length})`);
for (const incident of incidents) {
  const started = performance.now();
  const { result, sources } = await replayEvidence(incident);
  const ms = Math.round(performance.now() - started);
  const rank = rankOf(incident, result);
  const top = result.hypotheses[0];
  const truth =
    incident.truth.answer === "cause"
      ? (incident.truth.change ??
        [incident.truth.root, incident.truth.mechanism, incident.truth.service, incident.truth.title, incident.truth.category]
          .filter(Boolean)
          .join("/"))
      : incident.truth.answer;
  const row = {
    name: incident.name,
    truth,
    answer: answerOf(result),
    rank,
    top: top ? `${top.title} (${Math.round(top.confidence * 100)}%)` : "none",
    ms,
    sourceErrors: sources.filter((s) => s.status === "error").map((s) => s.source),
  };
  rows.push(row);
  // Calibration: the top hypothesis's confidence against whether it is the right answer.
  if (top) calibration.push({ p: top.confidence, hit: rank === 1 && incident.truth.answer === "cause" });
  const mark = rank === 1 ? "✅" : rank > 0 && rank <= 3 ? "🟡" : "❌";
  console.log(
    `${mark} ${incident.name.padEnd(44)} rank ${String(rank || "–").padEnd(2)} answer ${row.answer.padEnd(11)} truth ${truth.slice(0, 28).padEnd(28)} top: ${row.top.slice(0, 90)}  ${ms} ms`,
  );
}
const top1 = rows.filter((r) => r.rank === 1).length;
const top3 = rows.filter((r) => r.rank >= 1 && r.rank <= 3).length;
const n = rows.length;
console.log(`top-1 ${top1}/${n} = ${(top1 / n).toFixed(2)} · top-3 ${top3}/${n} = ${(top3 / n).toFixed(2)}`);
if (calibration.length) {
  const rate = calibration.filter((x) => x.hit).length / calibration.length;
  console.log(`\nCalibration of the top hypothesis (${calibration.length} scenarios with one):`);
  console.log(reliabilityTable(calibration).join("\n"));
  console.log(
    `Brier ${brier(calibration).toFixed(3)} (a constant ${rate.toFixed(2)}, the observed rate: ${brier(calibration.map((x) => ({ ...x, p: rate }))).toFixed(3)})`,
  );
}
const out = arg("json");
if (out) writeFileSync(out, `${JSON.stringify({ scenarios: n, top1, top3, rows }, null, 2)}\n`);
