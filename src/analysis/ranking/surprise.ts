/**
 * How surprising a score is against the scores normal operation produced: −log of the share of
 * normal scores at least as high, smoothed by one ((k + 1) / (n + 1)), so it is finite and
 * comparable across series however differently they are scaled. A series whose baseline is flat
 * with rare blips scores "infinitely" on a MAD scale for every blip; here a blip that normal
 * operation shows 1 time in 10 is worth −log 0.1 ≈ 2.3 and one it never shows −log(1/(n+1)).
 * The information-theoretic anomaly score (Budhathoki et al., "Causal structure-based root cause
 * analysis of outliers", ICML 2022; dowhy's ITAnomalyScorer), on the empirical distribution.
 */
export function surpriseScorer(normalScores: number[]): (score: number) => number {
  const sorted = normalScores.filter((s) => !Number.isNaN(s)).sort((a, b) => a - b);
  const n = sorted.length;
  return (score) => {
    // The first normal score ≥ `score` (binary search): everything from there on is at least as high.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < score) lo = mid + 1;
      else hi = mid;
    }
    return -Math.log((n - lo + 1) / (n + 1));
  };
}
