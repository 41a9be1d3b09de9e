// Order statistics over a handful of runs: median with min/max and the interquartile range.

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** { n, median, min, max, q1, q3, iqr, mean } of the finite values. */
export function summarize(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n: 0, median: NaN, min: NaN, max: NaN, q1: NaN, q3: NaN, iqr: NaN, mean: NaN };
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  return {
    n,
    median: quantile(sorted, 0.5),
    min: sorted[0],
    max: sorted[n - 1],
    q1,
    q3,
    iqr: q3 - q1,
    mean: sorted.reduce((a, b) => a + b, 0) / n,
  };
}

/** Ratio of two medians; NaN when either side is missing. */
export function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return NaN;
  return a / b;
}

/** Spread as a percentage of the median: (max - min) / median. */
export function relativeSpread(s) {
  if (!s || !Number.isFinite(s.median) || s.median === 0) return NaN;
  return (s.max - s.min) / s.median;
}
