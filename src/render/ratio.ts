import type { ServiceProfile } from "../analysis/profile.js";

/** What an errors cell shows when the error-rate query did not answer a ratio. */
export const WRONG_QUERY = "⚠️ query looks wrong";

/**
 * The errors cell: the rate as `format` writes it, or a warning when the query answered something
 * that is not a ratio (0..1) — a report never prints "4000% errors".
 */
export function errorRateCell(p: ServiceProfile, format: (ratio: number) => string): string {
  if (p.badErrorRate) return WRONG_QUERY;
  const v = p.errorRate?.value;
  if (v === undefined) return "–";
  return v >= 0 && v <= 1 ? format(v) : WRONG_QUERY;
}

/** One line per service whose error-rate query answered something that is not a ratio, naming the query. */
export function wrongRatioNotes(profiles: ServiceProfile[]): string[] {
  return profiles.flatMap((p) =>
    p.badErrorRate
      ? [
          `> ⚠️ **${p.service}**: the error-rate query returned ${Number(p.badErrorRate.value.toPrecision(3))}, not a ratio between 0 and 1; no error rate is shown. Check \`metrics.errorRate\` in \`.github/insight.yml\`: \`${p.badErrorRate.query.replaceAll("`", "'")}\``,
        ]
      : [],
  );
}
