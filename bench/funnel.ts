/**
 * `npm run bench:funnel [-- --dir <path>]`: for every scenario with stated `facts`, how many reach
 * each stage of the pipeline: what the servers hold (production.json and the change history), the
 * signals the adapters read, the anomalies and findings the analysis makes, and the top (and top-3)
 * hypotheses. A fact lost between two stages says where to work next.
 */
import { INCIDENTS_DIR, loadIncidents, replayEvidence, ScenarioError, type Fact, type Incident, type Replay } from "./incidents.js";

export const STAGES = ["shown", "read", "finding", "top3", "top1"] as const;
export type Stage = (typeof STAGES)[number];

const needles = (f: Fact, stage: Stage) =>
  (typeof f === "string" ? [f] : stage === "shown" && f.raw ? f.raw : f.all).map((n) => n.toLowerCase());
/** A fact is in a stage's text when every one of its substrings is (any case). */
export const factIn = (f: Fact, text: string, stage: Stage = "read") => needles(f, stage).every((n) => text.includes(n));

/** The text of each stage, lower-cased, for substring matching. */
export function stageTexts(incident: Incident, replay: Replay): Record<Stage, string> {
  const j = (v: unknown) => JSON.stringify(v ?? null).toLowerCase();
  const { result } = replay;
  const extra = result as unknown as { findings?: unknown; answer?: unknown };
  const top = (n: number) => j({ summary: result.summary, answer: extra.answer, hypotheses: result.hypotheses.slice(0, n) });
  return {
    shown: j({ production: incident.production, changes: incident.changes }),
    read: j({ signals: replay.signals, before: replay.before, changes: replay.changes, sources: replay.sources }),
    finding: j({ anomalies: result.anomalies, findings: extra.findings }),
    top1: top(1),
    top3: top(3),
  };
}

/**
 * Per stage, how many facts are in it, and for each fact that misses the top hypothesis the first
 * stage it is missing from. Stages are counted apart: a fact about a change reaches the top
 * hypothesis without being an anomaly.
 */
export function funnel(facts: Fact[], texts: Record<Stage, string>): Record<Stage, number> & { lost: Array<{ fact: string; at: Stage }> } {
  const counts = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  const lost: Array<{ fact: string; at: Stage }> = [];
  for (const f of facts) {
    const hit = STAGES.map((s) => factIn(f, texts[s], s));
    STAGES.forEach((s, i) => (counts[s] += hit[i] ? 1 : 0));
    if (!hit.at(-1)) lost.push({ fact: typeof f === "string" ? f : f.fact, at: STAGES[hit.indexOf(false)]! });
  }
  return { ...counts, lost };
}

if (process.argv[1]?.endsWith("funnel.ts")) {
  const i = process.argv.indexOf("--dir");
  let incidents: Incident[];
  try {
    incidents = loadIncidents(i > 0 ? process.argv[i + 1] : INCIDENTS_DIR).filter((x) => x.facts?.length);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    console.error(e.message);
    process.exit(2);
  }
  const total = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  let facts = 0;
  console.log(`Fact funnel (${incidents.length} scenarios with facts): facts → shown → read → finding → top-3 → top-1`);
  for (const incident of incidents) {
    const f = funnel(incident.facts!, stageTexts(incident, await replayEvidence(incident)));
    facts += incident.facts!.length;
    for (const s of STAGES) total[s] += f[s];
    const lost = f.lost.map((l) => `${l.fact} (${l.at})`).join("; ");
    console.log(
      `${incident.name.padEnd(44)} ${String(incident.facts!.length).padStart(2)} → ${STAGES.map((s) => String(f[s]).padStart(2)).join(" → ")}${lost ? `   lost: ${lost.slice(0, 160)}` : ""}`,
    );
  }
  const pct = (n: number) => `${n} (${facts ? Math.round((100 * n) / facts) : 0}%)`;
  console.log(
    `total ${facts} facts: shown ${pct(total.shown)}, read ${pct(total.read)}, finding ${pct(total.finding)}, top-3 ${pct(total.top3)}, top-1 ${pct(total.top1)}`,
  );
}
