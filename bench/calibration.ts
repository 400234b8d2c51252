/** Calibration of predicted probabilities against outcomes: a reliability table and the Brier score. */

export type Prediction = { p: number; hit: boolean };

/** Mean squared error of the probabilities (0 is perfect; always saying 0.5 scores 0.25). */
export const brier = (xs: Prediction[]) => (xs.length ? xs.reduce((s, x) => s + (x.p - (x.hit ? 1 : 0)) ** 2, 0) / xs.length : NaN);

/** Predictions binned by probability: how often each bin was right against what it claimed. */
export function reliabilityTable(xs: Prediction[], bins = 5): string[] {
  const rows = ["| predicted | n | mean predicted | observed |", "| --- | ---: | ---: | ---: |"];
  for (let b = 0; b < bins; b++) {
    const lo = b / bins;
    const hi = (b + 1) / bins;
    const inBin = xs.filter((x) => x.p >= lo && (b === bins - 1 ? x.p <= hi : x.p < hi));
    const mean = inBin.reduce((s, x) => s + x.p, 0) / (inBin.length || 1);
    const observed = inBin.filter((x) => x.hit).length / (inBin.length || 1);
    rows.push(
      `| ${lo.toFixed(1)}–${hi.toFixed(1)} | ${inBin.length} | ${inBin.length ? mean.toFixed(2) : "–"} | ${inBin.length ? observed.toFixed(2) : "–"} |`,
    );
  }
  return rows;
}
