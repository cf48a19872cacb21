import type { Matrix } from './matrix';

/** Nearest centroid by squared distance; ties go to the lower centroid index. Writes into the given arrays. */
export const assignInto = (
  points: Matrix,
  centroids: Float64Array,
  labels: Int32Array,
  distances: Float64Array,
): number => {
  const { rows, cols, data } = points;
  const k = centroids.length / cols;
  let inertia = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const offset = c * cols;
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        const diff = (data[base + j] as number) - (centroids[offset + j] as number);
        sum += diff * diff;
      }
      if (sum < bestDistance) {
        bestDistance = sum;
        best = c;
      }
    }
    labels[i] = best;
    distances[i] = bestDistance;
    inertia += bestDistance;
  }
  return inertia;
};

/** Euclidean distance between row `ia` of `a` and row `ib` of `b` (flat, row-major). */
export const rowDistance = (
  a: Float64Array,
  ia: number,
  b: Float64Array,
  ib: number,
  cols: number,
): number => {
  let sum = 0;
  for (let j = 0; j < cols; j++) {
    const diff = (a[ia * cols + j] as number) - (b[ib * cols + j] as number);
    sum += diff * diff;
  }
  return Math.sqrt(sum);
};

/** Centroid-to-centroid Euclidean distances, k × k. */
export const separations = (centroids: Float64Array, cols: number): Float64Array => {
  const k = centroids.length / cols;
  const out = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    for (let o = c + 1; o < k; o++) {
      const d = rowDistance(centroids, c, centroids, o, cols);
      out[c * k + o] = d;
      out[o * k + c] = d;
    }
  }
  return out;
};

/** Lloyd state carried between passes; `sums` and `counts` are rebuilt by every pass so means never drift. */
export interface PassState {
  readonly labels: Int32Array;
  /** Exact squared distance to the assigned centroid. */
  readonly distances: Float64Array;
  /** Lower bound on the Euclidean distance to every other centroid. */
  readonly lower: Float64Array;
  readonly sums: Float64Array;
  readonly counts: Float64Array;
}

/**
 * How the previous pass's bounds carry over: `drop[c]` is how far the lower bounds of cluster c fall (the
 * largest move of any other centroid); `half[c]` is half the distance from c to its nearest other centroid.
 */
export interface CarriedBounds {
  readonly drop: Float64Array;
  readonly half: Float64Array;
}

/**
 * One assignment pass that also accumulates the next means, exact up to ties but skipping work two ways:
 * - with carried bounds, a point keeps its label without a search when its own centroid is provably still
 *   nearest (Hamerly 2010), which is nearly every point once centroids barely move;
 * - the search skips centroid c when d(best, c) > 2·d(x, best), because then d(x, c) > d(x, best) (Elkan
 *   2003); that prunes much of the first pass when segments are well apart. A skipped centroid still leaves
 *   a valid lower bound, d(best, c) − d(x, best), for the next pass.
 */
export const assignPass = (
  points: Matrix,
  centroids: Float64Array,
  state: PassState,
  carried: CarriedBounds | undefined,
): number => {
  const { rows, cols, data } = points;
  const { labels, distances, lower, sums, counts } = state;
  const k = centroids.length / cols;
  const between = separations(centroids, cols);
  sums.fill(0);
  counts.fill(0);
  let inertia = 0;
  // Without carried labels, each search starts at the previous point's cluster: a cheap, often right guess.
  let label = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    if (carried !== undefined) label = labels[i] as number;
    let d2 = 0;
    for (let j = 0; j < cols; j++) {
      const diff = (data[base + j] as number) - (centroids[label * cols + j] as number);
      d2 += diff * diff;
    }
    let search = true;
    if (carried !== undefined) {
      const bound = (lower[i] as number) - (carried.drop[label] as number);
      lower[i] = bound;
      const margin = Math.max(carried.half[label] as number, bound);
      search = d2 > margin * margin;
    }
    if (search) {
      const start = label;
      let d = Math.sqrt(d2);
      let second = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        if (c === start) continue;
        const gap = between[label * k + c] as number;
        if (gap > 2 * d) {
          second = Math.min(second, gap - d);
          continue;
        }
        let e2 = 0;
        for (let j = 0; j < cols; j++) {
          const diff = (data[base + j] as number) - (centroids[c * cols + j] as number);
          e2 += diff * diff;
        }
        if (e2 < d2 || (e2 === d2 && c < label)) {
          second = Math.min(second, d);
          label = c;
          d2 = e2;
          d = Math.sqrt(e2);
        } else {
          second = Math.min(second, Math.sqrt(e2));
        }
      }
      labels[i] = label;
      lower[i] = second;
    }
    distances[i] = d2;
    inertia += d2;
    counts[label] = (counts[label] as number) + 1;
    for (let j = 0; j < cols; j++) {
      sums[label * cols + j] = (sums[label * cols + j] as number) + (data[base + j] as number);
    }
  }
  return inertia;
};
