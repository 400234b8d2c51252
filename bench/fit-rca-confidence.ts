/**
 * `npm run bench:rca-fit [-- --write] [--dir <held-out scenarios>] [--nezha <dir>] [--petshop <dir>]`:
 * fits the RCA engine's confidence model (a conditional logit: each chain's evidence features
 * against its rivals' and against "none of them", L2-regularised, plain gradient descent from zero:
 * deterministic) on the development split and prints the coefficients, a reliability table and the
 * Brier score (beside a constant predictor's), in-sample and on the held-out split the fit never saw.
 * Splits: scenarios 01–12 are development, the others (`--dir`, default fixtures/incidents) held out;
 * Nezha's first day is development, its other days held out; PetShop's `train` issues are
 * development, its `test` issues held out. `--write` stores the fit in src/analysis/rca/model.ts.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FEATURE_NAMES, probabilities, type Model } from "../src/analysis/rca/confidence.js";
import type { Features } from "../src/analysis/rca/types.js";
import { brier, reliabilityTable, type Prediction } from "./calibration.js";
import { INCIDENTS_DIR, loadIncidents, matches, replayEvidence, type Incident } from "./incidents.js";
import { analyseIncident } from "../src/analysis/rca.js";
import type { RealCase } from "./real/case.js";
import { readNezhaDay } from "./real/nezha.js";
import { readPetshopDir } from "./real/petshop.js";
import { existsSync, readdirSync, statSync } from "node:fs";

const DEV = /^(0[1-9]|1[0-2])-/;
const LAMBDA = 1;
const STEPS = 20_000;
const RATE = 0.5;

type Case = { incident: string; xs: number[][]; hits: boolean[] };

async function casesOf(incidents: Incident[]): Promise<Case[]> {
  const out: Case[] = [];
  for (const incident of incidents) {
    const { result, changes } = await replayEvidence(incident);
    out.push({
      incident: incident.name,
      xs: result.hypotheses.map((h) => FEATURE_NAMES.map((k) => h.features[k])),
      hits: result.hypotheses.map((h) => incident.truth.answer === "cause" && matches(h, incident.truth, changes)),
    });
  }
  return out;
}

/** Real faults (no changes, one faulty service): a hypothesis is right when it names that service. */
function realCases(cases: RealCase[]): Case[] {
  return cases.map((c) => {
    const result = analyseIncident({ signals: c.signals, window: c.window, changes: [], edges: c.edges });
    return {
      incident: c.id,
      xs: result.hypotheses.map((h) => FEATURE_NAMES.map((k) => h.features[k])),
      hits: result.hypotheses.map((h) => h.service === c.truth),
    };
  });
}

function nezhaDays(dir: string): string[] {
  return existsSync(join(dir, "fault_list.json"))
    ? [dir]
    : readdirSync(dir)
        .map((d) => join(dir, d))
        .filter((d) => statSync(d).isDirectory() && existsSync(join(d, "fault_list.json")))
        .sort();
}

type Fit = { bias: number; w: number[] };
const scoresOf = (c: Case, m: Fit) => c.xs.map((x) => m.bias + x.reduce((s, xi, i) => s + xi * m.w[i]!, 0));
/**
 * Maximises the likelihood of the right chain among each scenario's candidates (or of "none" when
 * no candidate is right) — a conditional logit — minus λ/2·(|w|² + bias²). The bias is penalised too:
 * every development scenario has a cause, so how often "none of them" is right cannot be learnt from it.
 */
export function fit(cases: Case[]): Fit {
  const d = FEATURE_NAMES.length;
  const m: Fit = { bias: 0, w: new Array<number>(d).fill(0) };
  const n = cases.length;
  for (let step = 0; step < STEPS; step++) {
    const gw = m.w.map((wi) => (LAMBDA * wi) / n);
    let gb = (LAMBDA * m.bias) / n;
    for (const c of cases) {
      const p = probabilities(scoresOf(c, m));
      const hitMass = p.reduce((s, pi, i) => s + (c.hits[i] ? pi : 0), 0);
      c.xs.forEach((x, i) => {
        const q = c.hits[i] && hitMass > 0 ? p[i]! / hitMass : 0;
        const g = (p[i]! - q) / n;
        gb += g;
        x.forEach((xi, k) => (gw[k]! += g * xi));
      });
    }
    m.bias -= RATE * gb;
    m.w.forEach((_, i) => (m.w[i]! -= RATE * gw[i]!));
  }
  return m;
}

/** The development split's rates (every hypothesis, top hypotheses): the constant predictor a held-out split is compared with. */
let devRates: { all: number; top: number } | undefined;
function report(label: string, cases: Case[], m: Fit) {
  const all: Prediction[] = cases.flatMap((c) => probabilities(scoresOf(c, m)).map((p, i) => ({ p, hit: c.hits[i]! })));
  const tops: Prediction[] = cases
    .filter((c) => c.xs.length)
    .map((c) => ({
      p: Math.max(...probabilities(scoresOf(c, m))),
      hit: c.hits[probabilities(scoresOf(c, m)).indexOf(Math.max(...probabilities(scoresOf(c, m))))]!,
    }));
  const rate = (xs: Prediction[]) => xs.filter((x) => x.hit).length / (xs.length || 1);
  console.log(`\n${label}: ${cases.length} scenarios, ${all.length} hypotheses (${all.filter((x) => x.hit).length} right)`);
  console.log("Every hypothesis:");
  console.log(reliabilityTable(all).join("\n"));
  const vsDev = (xs: Prediction[], r?: number) =>
    r === undefined
      ? ""
      : `; constant fitted on the development split ${r.toFixed(2)}: ${brier(xs.map((x) => ({ p: r, hit: x.hit }))).toFixed(3)}`;
  console.log(
    `Brier ${brier(all).toFixed(3)} (constant at this split's own rate ${rate(all).toFixed(2)}: ${brier(all.map((x) => ({ p: rate(all), hit: x.hit }))).toFixed(3)}${vsDev(all, devRates?.all)})`,
  );
  console.log("Top hypothesis of each scenario:");
  console.log(reliabilityTable(tops).join("\n"));
  console.log(
    `Brier ${brier(tops).toFixed(3)} (constant at this split's own rate ${rate(tops).toFixed(2)}: ${brier(tops.map((x) => ({ p: rate(tops), hit: x.hit }))).toFixed(3)}${vsDev(tops, devRates?.top)})`,
  );
  if (!devRates) devRates = { all: rate(all), top: rate(tops) };
}

const argOf = (name: string) => (process.argv.indexOf(name) > 0 ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const dev = loadIncidents(INCIDENTS_DIR).filter((i) => DEV.test(i.name));
const devParts: Array<[string, Case[]]> = [["scenarios 01–12", await casesOf(dev)]];
const heldParts: Array<[string, Case[]]> = [];
const heldDir = argOf("--dir");
if (heldDir) heldParts.push([`scenarios ${heldDir}`, await casesOf(loadIncidents(heldDir).filter((i) => !DEV.test(i.name)))]);
const nezha = argOf("--nezha");
if (nezha) {
  const [first, ...rest] = nezhaDays(nezha);
  if (first) devParts.push([`Nezha ${first.split("/").pop()}`, realCases(readNezhaDay(first))]);
  if (rest.length)
    heldParts.push([`Nezha ${rest.map((d) => d.split("/").pop()).join(", ")}`, realCases(rest.flatMap((d) => readNezhaDay(d)))]);
}
const petshop = argOf("--petshop");
if (petshop) {
  const all = readPetshopDir(petshop);
  devParts.push(["PetShop train", realCases(all.filter((c) => c.id.includes("/train/")))]);
  heldParts.push(["PetShop test", realCases(all.filter((c) => c.id.includes("/test/")))]);
}
const devCases = devParts.flatMap(([, cs]) => cs);
const model = fit(devCases);
const devRows = devCases.flatMap((c) => c.xs);
const devLabel = devParts.map(([l, cs]) => `${l} (${cs.length})`).join(", ");
console.log(`Confidence model fitted on ${devLabel}: ${devRows.length} hypotheses, λ=${LAMBDA}`);
console.log(`bias ${model.bias.toFixed(3)}; ${FEATURE_NAMES.map((k, i) => `${k} ${model.w[i]!.toFixed(3)}`).join(", ")}`);
report("In-sample (development split)", devCases, model);
for (const [label, cs] of heldParts) report(`Held out: ${label}`, cs, model);
if (heldParts.length > 1)
  report(
    "Held out: all",
    heldParts.flatMap(([, cs]) => cs),
    model,
  );
if (process.argv.includes("--write")) {
  const weights = Object.fromEntries(FEATURE_NAMES.map((k, i) => [k, Math.round(model.w[i]! * 1000) / 1000])) as Record<
    keyof Features,
    number
  >;
  const fitted: Model = {
    bias: Math.round(model.bias * 1000) / 1000,
    weights,
    fittedOn: `${devLabel}: ${devRows.length} hypotheses, λ=${LAMBDA}`,
  };
  writeFileSync(
    join(process.cwd(), "src/analysis/rca/model.ts"),
    `import type { Model } from "./confidence.js";\n\n/** Written by \`npm run bench:rca-fit -- --write\` (bench/fit-rca-confidence.ts): do not edit by hand. */\nexport const MODEL: Model = ${JSON.stringify(fitted, null, 2).replace(/"(\w+)":/g, "$1:")};\n`,
  );
  console.log("\nwrote src/analysis/rca/model.ts");
}
