/** Type-7 quantile (linear between order statistics) of ascending values. */
const quantile = (sorted: Float64Array, p: number): number => {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(sorted.length - 1, lo + 1)] as number;
  return a + (h - lo) * (b - a);
};

/**
 * Interior bin edges at the reference distribution's 1/bins, 2/bins… quantiles. Equal edges are merged, so a
 * feature with a big point mass (many zeros) gets fewer, non-empty bins instead of zero-width ones.
 * Non-finite values are ignored; no finite values give no edges (one bin).
 */
export const quantileEdges = (values: ArrayLike<number>, bins = 10): number[] => {
  const sorted = Float64Array.from(Array.prototype.filter.call(values, Number.isFinite) as number[]).sort();
  if (sorted.length === 0) return [];
  const edges: number[] = [];
  for (let j = 1; j < bins; j++) {
    const edge = quantile(sorted, j / bins);
    if (edges.at(-1) !== edge) edges.push(edge);
  }
  return edges;
};

/**
 * Share of values per bin; bin i is (edges[i-1], edges[i]], closed on the right so a point mass sitting on an
 * edge stays in one bin. Non-finite values are ignored; with none left every share is 0.
 */
export const binShares = (values: ArrayLike<number>, edges: readonly number[]): number[] => {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    let lo = 0;
    let hi = edges.length;
    // First edge >= v, by binary search: edges can number in the hundreds for fine-grained monitoring.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((edges[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    counts[lo] = (counts[lo] as number) + 1;
    total++;
  }
  return counts.map((c) => (total === 0 ? 0 : c / total));
};

/**
 * Population stability index Σ (a − e) · ln(a / e). Shares are floored at `epsilon` so an empty bin costs a
 * large but finite amount instead of Infinity. Common reading: < 0.1 stable, 0.1–0.25 drifting, > 0.25 shifted.
 */
export const populationStabilityIndex = (
  expected: readonly number[],
  actual: readonly number[],
  epsilon = 1e-4,
): number => {
  if (expected.length !== actual.length) {
    throw new RangeError(`bin counts differ: ${expected.length} vs ${actual.length}`);
  }
  let psi = 0;
  expected.forEach((e, i) => {
    const eShare = Math.max(e, epsilon);
    const aShare = Math.max(actual[i] as number, epsilon);
    psi += (aShare - eShare) * Math.log(aShare / eShare);
  });
  return psi;
};
