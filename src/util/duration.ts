const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `2h`, `1d` → milliseconds; throws naming the bad value. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,6})(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration such as 30m, 2h or 1d`);
  return Number(m[1]) * UNITS[m[2]!]!;
}
