import type { Signal, Window } from "../../signals/types.js";
import { findAnomalies, type Anomaly } from "../find-anomalies.js";
import { buildCandidates, linkDeployments } from "./chains.js";
import { probabilities, score } from "./confidence.js";
import { externalMechanisms, findMechanisms } from "./mechanisms.js";
import { rankServices } from "../ranking/rank-services.js";
import { stateDrift } from "../state-drift.js";
import { rankAnomalousServices, type CallEdge } from "./service-ranking.js";
import type { ChangeEvent, Coverage, Hypothesis, RcaResult, TimelineEntry, Verdict } from "./types.js";

/** Below this probability the top chain is not called the cause. */
export const CAUSE_THRESHOLD = 0.35;
const METRIC_KINDS: Anomaly["kind"][] = ["error-rate", "latency", "sla", "traffic-drop"];

/** What the analysis could not see, for "anomalous but unexplained" (and to qualify every answer). */
function missingOf(signals: Signal[], edges: CallEdge[], changes: ChangeEvent[], coverage: Coverage): string[] {
  const out: string[] = [];
  for (const s of coverage.sources ?? [])
    if (s.status !== "ok")
      out.push(
        `source \`${s.source}\` ${s.status === "no_data" ? "returned no data" : `did not answer (${s.status}${s.error ? `: ${s.error}` : ""})`}`,
      );
  const measured = new Set(signals.filter((s) => s.series?.length && s.service).map((s) => s.service!));
  const unseen = (coverage.services ?? []).filter((s) => !measured.has(s));
  if (unseen.length) out.push(`no metrics for ${unseen.join(", ")}`);
  if (coverage.history === false) out.push("no change history");
  else if (coverage.history !== undefined && !changes.length) out.push("no change in the history before the onset");
  if (!edges.length) out.push("no call graph: cause and symptom cannot be told apart by topology");
  return out;
}

/**
 * Root-cause analysis from the window's signals, the changes before it and the topology: ranked
 * causal chains (root → mechanism → symptoms), each with a fitted confidence, the evidence ids
 * behind every link, the mitigation and how to confirm it. Pure and deterministic.
 */
export function analyseIncident(params: {
  signals: Signal[];
  window: Window;
  changes: ChangeEvent[];
  edges: CallEdge[];
  coverage?: Coverage;
  before?: Signal[];
}): RcaResult {
  const { signals, window, changes, edges } = params;
  const anomalies = findAnomalies(signals, window, params.before).sort(
    (a, b) => (a.at ?? Infinity) - (b.at ?? Infinity) || b.severity - a.severity,
  );
  const strong = anomalies.filter((a) => a.kind !== "alert" && a.severity >= 0.3);
  const timed = strong.filter((a) => a.at !== undefined);
  // The first sign of impact is the first metric that moved; logs and events only when no metric did.
  const first = timed.find((a) => METRIC_KINDS.includes(a.kind)) ?? timed[0];
  const onsetAt = first?.at ?? window.from;
  const core = rankServices({ signals, window, edges });
  const ranked = rankAnomalousServices({ signals, window, edges, anomalies, core });
  const mechanisms = [...findMechanisms(strong, signals), ...externalMechanisms(signals, window)];
  // With nothing anomalous there is nothing to explain: no change is a candidate, however recent.
  // Anomalous: a rule found something, or the ranking core found a series (a resource, say) far off its baseline.
  const anomalous = strong.length > 0 || ranked.length > 0;
  // Settings in force now that were different before the window (a state read as of its start).
  const drifts = params.before?.length ? stateDrift(params.before, signals) : [];
  const candidates = anomalous ? buildCandidates({ strong, mechanisms, ranked, changes, edges, signals, onsetAt, drifts }) : [];
  // Ties are broken by evidence (more cited ids, a longer chain), never by name; the sort is stable otherwise.
  const kept = candidates
    .map((c) => ({ c, z: score(c.features) }))
    .sort((a, b) => b.z - a.z || b.c.evidence.length - a.c.evidence.length || b.c.chain.length - a.c.chain.length)
    .filter((h, i, all) => all.findIndex((x) => x.c.title === h.c.title) === i);
  const p = probabilities(kept.map((k) => k.z));
  const hypotheses: Hypothesis[] = kept.map(({ c }, i) => ({ id: `h${i + 1}`, ...c, confidence: Math.round(p[i]! * 1000) / 1000 }));
  const symptoms = ranked.filter((r) => r.symptomOf).map((r) => r.service);
  const timeline: TimelineEntry[] = [
    ...linkDeployments(changes)
      .filter((c) => c.at <= window.to)
      .flatMap(({ change: c, deployments }) => [c, ...deployments])
      .map((c) => ({ at: c.at, what: `${c.id} ${c.title}`, kind: "change" as const })),
    ...timed.map((a) => ({ at: a.at!, what: `${a.service ?? ""} ${a.detail}`.trim(), kind: "anomaly" as const })),
  ].sort((a, b) => a.at - b.at);
  const top = hypotheses[0];
  const missing = missingOf(signals, edges, changes, params.coverage ?? {});
  // A lone service's "own fault" says where, not why: that is anomalous but unexplained.
  const explained =
    !!top &&
    top.confidence >= CAUSE_THRESHOLD &&
    (top.suspect !== undefined ||
      top.chain.some((l) => l.role === "mechanism") ||
      !top.chain[0]!.text.endsWith("own fault") ||
      top.chain.filter((l) => l.role === "symptom").length > 1);
  // "Nothing anomalous" needs something to have been seen: with every source silent it is unexplained, and says what is missing.
  const blind = !!params.coverage?.sources?.length && params.coverage.sources.every((s) => s.status !== "ok");
  const verdict: Verdict = explained ? "cause" : anomalous || blind ? "unexplained" : "nothing";
  const chainText = top ? top.chain.map((l) => l.text).join(" → ") : "";
  const summary =
    verdict === "cause"
      ? `Most likely: ${top!.title} (${Math.round(top!.confidence * 100)}%): ${chainText}${first ? `; first sign ${first.service ? `on ${first.service} ` : ""}at ${new Date(first.at!).toISOString()}` : ""}.`
      : verdict === "unexplained"
        ? anomalous
          ? `Anomalous, but not explained by what we can see: ${(strong.length ? strong.slice(0, 3).map((a) => `${a.service ? `${a.service} ` : ""}${a.detail}`) : ranked.slice(0, 3).map((r) => `${r.service} (${r.evidence.slice(0, 2).join(", ")})`)).join("; ")}${missing.length ? `. Missing: ${missing.join("; ")}` : ""}.`
          : `No data: no source answered, so "nothing anomalous" cannot be said. Missing: ${missing.join("; ")}.`
        : `Nothing anomalous in the signals of this window${missing.length ? ` (missing: ${missing.join("; ")})` : ""}.`;
  const suspects = core.map((r) => ({ service: r.service, z: Math.round(r.score * 100) / 100, ...(r.role ? { role: r.role } : {}) }));
  return {
    window,
    onset: first ? { at: first.at!, service: first.service, detail: first.detail } : undefined,
    anomalies,
    symptoms,
    hypotheses,
    timeline,
    summary,
    verdict,
    missing,
    suspects,
  };
}
