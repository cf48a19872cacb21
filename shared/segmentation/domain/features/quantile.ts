/** Quantile of ascending-sorted values, linear between order statistics (R type 7). */
export const quantileSorted = (sorted: ArrayLike<number>, p: number): number => {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(n - 1, lo + 1)] as number;
  return a + (h - lo) * (b - a);
};

/** The smallest value with at least a share p of the values at or below it (R type 1): always a data value. */
export const lowerQuantileSorted = (sorted: ArrayLike<number>, p: number): number => {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  // The epsilon keeps 0.7 × 10 = 7.000000000000001 from rounding up to rank 8.
  const rank = Math.ceil(Math.min(1, Math.max(0, p)) * n - 1e-9);
  return sorted[Math.max(0, rank - 1)] as number;
};

export const sortedFinite = (values: Iterable<number>): Float64Array =>
  Float64Array.from([...values].filter(Number.isFinite)).sort();
