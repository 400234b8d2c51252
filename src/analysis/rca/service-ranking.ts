import type { Signal, Window } from "../../signals/types.js";
import type { Anomaly } from "../find-anomalies.js";
import { anomalousServices, type AnomalousService } from "../ranking/anomalous-services.js";
import { rankRootCauses } from "../root-cause-rank.js";
import type { ServiceRank } from "../ranking/types.js";

export type CallEdge = { from: string; to: string };

/** An anomalous service, scored, with the anomalies behind the score and its place in the failing graph (the ranking core's shape). */
export type RankedService = AnomalousService;

export type ServiceRankingInput = { signals: Signal[]; window: Window; edges: CallEdge[]; anomalies: Anomaly[]; core?: ServiceRank[] };

const METRIC_KINDS: Anomaly["kind"][] = ["error-rate", "latency", "sla", "traffic-drop"];

/**
 * The one seam for service ranking (the ranking core, analysis/ranking, plugs in here): every anomalous
 * service, best cause first, each with its evidence. Works with no topology: edges only refine it
 * (a service is a symptom of a callee that went bad no later, or — in the other direction — its
 * traffic drop is a symptom of a caller that failed first). Pure and deterministic.
 */
export function rankAnomalousServices(input: ServiceRankingInput): RankedService[] {
  // The ranking core scores every metric series (RED and resource) against its baseline; the
  // anomaly rules below add the services that only states show (OOM kills, lock chains, pods).
  return anomalousServices({
    signals: input.signals,
    window: input.window,
    edges: input.edges,
    fromAnomalies: rankFromAnomalies(input),
    ...(input.core ? { core: input.core } : {}),
  });
}

/** The services the anomaly rules (findAnomalies) name, with cause versus symptom read from their onsets. */
function rankFromAnomalies(input: ServiceRankingInput): RankedService[] {
  const { edges } = input;
  const strong = input.anomalies.filter((a) => a.kind !== "alert" && a.severity >= 0.3 && a.service);
  const services = [...new Set(strong.map((a) => a.service!))];
  const own = (s: string) => strong.filter((a) => a.service === s);
  const onsetOf = (s: string) =>
    Math.min(
      ...own(s)
        .filter((a) => a.at !== undefined)
        .map((a) => a.at!),
      Infinity,
    );
  const severity = new Map(services.map((s) => [s, Math.max(...own(s).map((a) => a.severity))]));
  // A service whose only anomaly is less traffic, called by a service that failed first: the drop is the caller's doing.
  const onlyTraffic = (s: string) => own(s).every((a) => a.kind === "traffic-drop");
  // A callee went bad no later than its caller: the caller is a symptom (a callee that only gets less traffic breaks nobody).
  const badCallees = (s: string) =>
    edges
      .filter((e) => e.from === s && e.to !== s && services.includes(e.to) && !onlyTraffic(e.to) && onsetOf(e.to) <= onsetOf(s) + 60_000)
      .map((e) => e.to);
  const failingCallers = (s: string) =>
    onlyTraffic(s)
      ? edges
          .filter(
            (e) =>
              e.to === s && e.from !== s && services.includes(e.from) && !onlyTraffic(e.from) && onsetOf(e.from) <= onsetOf(s) + 60_000,
          )
          .map((e) => e.from)
      : [];
  const symptomOf = new Map(services.map((s) => [s, [...new Set([...badCallees(s), ...failingCallers(s)])]]));
  const entryPoints = services.filter((x) => !edges.some((e) => e.to === x && e.from !== x && services.includes(e.from)));
  const chains = entryPoints.flatMap((target) => rankRootCauses({ edges, scores: severity, target, threshold: Number.MIN_VALUE }));
  const ranked = services.map((s): RankedService => {
    const path = chains.filter((c) => c.node === s).sort((a, b) => b.path.length - a.path.length)[0]?.path;
    const causes = symptomOf.get(s)!;
    // A metric anomaly is a measured shift; a state alone (a pod event, a log line) says less.
    const measured = own(s).some((a) => METRIC_KINDS.includes(a.kind)) ? 1 : 0.8;
    const depth = Math.min(Math.max((path?.length ?? 1) - 1, 0), 3) / 3;
    const score = Math.min(1, severity.get(s)! * measured * (causes.length ? 0.5 : 1) * (0.85 + 0.15 * depth));
    return {
      service: s,
      score: Math.round(score * 1000) / 1000,
      ...(Number.isFinite(onsetOf(s)) ? { onset: onsetOf(s) } : {}),
      evidence: [...new Set(own(s).flatMap((a) => a.evidence))],
      ...(causes.length ? { symptomOf: causes } : {}),
      ...(path && path.length > 1 ? { path } : {}),
    };
  });
  // Best cause first; ties by the earlier onset, then by more evidence — never by name.
  return ranked.sort((a, b) => b.score - a.score || (a.onset ?? Infinity) - (b.onset ?? Infinity) || b.evidence.length - a.evidence.length);
}
