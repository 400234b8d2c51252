import type { Signal, Window } from "../../src/signals/types.js";
import type { RankEdge } from "../../src/analysis/ranking/rank-services.js";

/** One labelled fault, as every reader gives it: the signals around it, the call edges, the truth. */
export type RealCase = {
  id: string;
  /** Reported apart (a Nezha day, a Sock Shop fault type). */
  group: string;
  /** The faulty service. */
  truth: string;
  faultType?: string;
  window: Window;
  baseline: Window;
  signals: Signal[];
  /** What the BARO baseline scores, when not every signal (Nezha: the pod metrics, as RCAEval does). */
  baroSignals?: Signal[];
  edges: RankEdge[];
};

/** A reader's error names the file (and line) and what is wrong with it. */
export class InputError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "InputError";
  }
}

/** `name-5f6585d649-fnmft` → `name`: a Kubernetes pod without its ReplicaSet and pod hashes. */
export const serviceOfPod = (pod: string) => pod.replace(/-[a-z0-9]{5,10}-[a-z0-9]{5}$/, "");

/**
 * A metric signal the product's ranking reads: one series, labelled with the pod when there is one.
 * The id is stable (no times in it).
 */
export function metricSignal(p: {
  source: string;
  service?: string;
  name: string;
  points: Array<[number, number]>;
  labels?: Record<string, string>;
}): Signal {
  const labels = p.labels ?? {};
  const who = labels.pod ?? p.service ?? "system";
  return {
    id: `${p.source}:${who}:${p.name}${labels.caller ? `:${labels.caller}` : ""}`,
    source: p.source,
    adapter: "prometheus",
    kind: "metric",
    ...(p.service ? { service: p.service } : {}),
    name: p.name,
    series: [{ labels, points: p.points }],
    query: `${p.name}${
      Object.keys(labels).length
        ? `{${Object.entries(labels)
            .map(([k, v]) => `${k}="${v}"`)
            .join(",")}}`
        : ""
    }`,
  };
}

/** Only the points between `from` and `to`: what an incident's collection would have fetched. */
export function slice(signals: Signal[], from: number, to: number): Signal[] {
  return signals.map((s) => ({
    ...s,
    series: s.series?.map((x) => ({ ...x, points: x.points.filter((p) => p[0] >= from && p[0] <= to) })),
  }));
}
