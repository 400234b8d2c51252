const BARS = "▁▂▃▄▅▆▇█";

/** A unicode sparkline of at most `width` buckets (averaged), scaled between the series' min and max. */
export function sparkline(values: number[] | undefined, width = 12): string {
  if (!values || values.length < 2) return "";
  const size = Math.ceil(values.length / width);
  const buckets: number[] = [];
  for (let i = 0; i < values.length; i += size) {
    const slice = values.slice(i, i + size);
    buckets.push(slice.reduce((a, b) => a + b, 0) / slice.length);
  }
  const min = Math.min(...buckets);
  const max = Math.max(...buckets);
  // Averaging leaves float noise (0.35000000000000003): a flat series must draw flat.
  if (max - min <= 1e-9 * Math.max(1, Math.abs(max))) return BARS[0]!.repeat(buckets.length);
  return buckets.map((v) => BARS[Math.round(((v - min) / (max - min)) * (BARS.length - 1))]).join("");
}
