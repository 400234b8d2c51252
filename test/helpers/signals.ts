import type { Signal } from "../../src/signals/types.js";

export const MIN = 60_000;
type Points = Array<[number, number]>;

/** A metric signal with one unlabelled series, as the Prometheus adapter gives a service's metric; its id is `source:service:name`. */
export const metricSignal = (service: string, name: string, points: Points, source = "t"): Signal => ({
  id: `${source}:${service}:${name}`,
  source,
  adapter: "prometheus",
  kind: "metric",
  service,
  name,
  series: [{ labels: {}, points }],
  query: name,
});

/** `count` points a minute apart from `from`, with deterministic noise of ±6% around `level` (no randomness: same input, same test). */
export const noisy = (level: number, count: number, from = 0): Points =>
  Array.from({ length: count }, (_, i): [number, number] => [from + i * MIN, level * (1 + (((i * 7919) % 13) - 6) / 100)]);

/**
 * A metric stepping from `before` to `after` at `stepAt`: 151 points a minute apart from two hours
 * before `onset` to half an hour after it, with ±3% deterministic noise.
 */
export const stepSignal = (p: {
  id: string;
  name: string;
  service: string;
  before: number;
  after: number;
  onset: number;
  stepAt?: number;
}): Signal => ({
  id: p.id,
  name: p.name,
  service: p.service,
  source: "metrics",
  adapter: "prometheus",
  kind: "metric",
  query: "q",
  series: [
    {
      labels: {},
      points: Array.from({ length: 151 }, (_, i) => {
        const t = p.onset - 120 * MIN + i * MIN;
        return [t, (t >= (p.stepAt ?? p.onset) ? p.after : p.before) * (1 + (((i * 37) % 7) - 3) / 100)] as [number, number];
      }),
    },
  ],
});
