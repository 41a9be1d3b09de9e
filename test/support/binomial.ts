/**
 * The central `confidence` interval of Binomial(n, p), from the exact distribution: the returned
 * [lo, hi] has P(X < lo) ≤ (1 − confidence)/2 and P(X > hi) ≤ (1 − confidence)/2. Statistical tests
 * take their bounds from here rather than from hand-picked tolerances.
 */
export function binomialInterval(n: number, p: number, confidence = 0.999): [number, number] {
  if (p <= 0) return [0, 0];
  if (p >= 1) return [n, n];
  const tail = (1 - confidence) / 2;
  // Log-space pmf, stepped k → k+1, so large n does not underflow (0.9^20000 is below 1e-900).
  const logRatio = Math.log(p) - Math.log1p(-p);
  let logPmf = n * Math.log1p(-p);
  let cdf = 0;
  let lo = -1;
  for (let k = 0; k <= n; k++) {
    cdf += Math.exp(logPmf);
    if (lo < 0 && cdf > tail) lo = k;
    if (cdf >= 1 - tail) return [lo, k];
    logPmf += Math.log(n - k) - Math.log(k + 1) + logRatio;
  }
  return [lo, n];
}
