import { metricSignal, type RealCase } from "./case.js";

/**
 * A Sock Shop-shaped case at 1 Hz for timing only (no real 1 Hz data ships here): `services` ×
 * 6 series (cpu, mem, lat_50/90/99, lod), one hour of baseline and ten minutes of window, a CPU
 * fault on the first service. Deterministic.
 */
export function synthetic1Hz(services = 12): RealCase {
  const t0 = Date.UTC(2026, 0, 1);
  const baselineS = 3600;
  const windowS = 600;
  const names = Array.from({ length: services }, (_, i) => `svc${i}`);
  const signals = names.flatMap((svc, si) =>
    ["cpu", "mem", "lat_50", "lat_90", "lat_99", "lod"].map((metric, mi) => {
      const points = Array.from({ length: baselineS + windowS }, (_, s): [number, number] => {
        const noise = (((s * 7919 + si * 31 + mi * 17) % 101) - 50) / 500;
        const fault = si === 0 && metric === "cpu" && s >= baselineS + 60 ? 3 : 1;
        return [t0 + s * 1000, (1 + noise) * fault * (mi + 1)];
      });
      return metricSignal({ source: "synthetic", service: svc, name: `sockshop.${metric}`, points, labels: { pod: svc, service: svc } });
    }),
  );
  const window = { from: t0 + baselineS * 1000, to: t0 + (baselineS + windowS - 1) * 1000 };
  const edges = names.slice(1).map((to, i) => ({ from: names[i]!, to }));
  return { id: "synthetic-1hz", group: "synthetic", truth: "svc0", window, baseline: { from: t0, to: window.from - 1 }, signals, edges };
}
