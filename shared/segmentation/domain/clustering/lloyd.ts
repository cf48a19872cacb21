import { assignPass, type CarriedBounds, type PassState, rowDistance, separations } from './assign';
import type { Matrix } from './matrix';

/** Order of centroid rows, lexicographic on the coordinates, so results do not depend on the seeding order. */
const canonicalOrder = (centroids: Float64Array, cols: number): number[] =>
  Array.from({ length: centroids.length / cols }, (_, c) => c).sort((a, b) => {
    for (let j = 0; j < cols; j++) {
      const diff = (centroids[a * cols + j] as number) - (centroids[b * cols + j] as number);
      if (diff !== 0) return diff;
    }
    return a - b;
  });

const permuteRows = (centroids: Float64Array, cols: number, order: readonly number[]): Float64Array => {
  const out = new Float64Array(centroids.length);
  order.forEach((c, r) => {
    out.set(centroids.subarray(c * cols, (c + 1) * cols), r * cols);
  });
  return out;
};

/**
 * Means of the last pass. An empty cluster is re-seeded with the point farthest from its centroid (lowest
 * index on ties, never the same point twice): deterministic, and it cannot raise the inertia.
 */
const means = (points: Matrix, previous: Float64Array, state: PassState): Float64Array => {
  const { rows, cols, data } = points;
  const { counts, sums, distances } = state;
  const next = new Float64Array(previous.length);
  const taken = new Set<number>();
  for (let c = 0; c < previous.length / cols; c++) {
    const count = counts[c] as number;
    if (count > 0) {
      for (let j = 0; j < cols; j++) next[c * cols + j] = (sums[c * cols + j] as number) / count;
      continue;
    }
    let far = -1;
    for (let i = 0; i < rows; i++) {
      if (!taken.has(i) && (far < 0 || (distances[i] as number) > (distances[far] as number))) far = i;
    }
    const source = far < 0 ? previous : data;
    const row = far < 0 ? c : far;
    next.set(source.subarray(row * cols, (row + 1) * cols), c * cols);
    taken.add(far);
  }
  return next;
};

const carryBounds = (before: Float64Array, after: Float64Array, cols: number): CarriedBounds => {
  const k = after.length / cols;
  const moved = Float64Array.from({ length: k }, (_, c) => rowDistance(before, c, after, c, cols));
  const between = separations(after, cols);
  const drop = new Float64Array(k);
  const half = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
  for (let c = 0; c < k; c++) {
    for (let o = 0; o < k; o++) {
      if (o === c) continue;
      drop[c] = Math.max(drop[c] as number, moved[o] as number);
      half[c] = Math.min(half[c] as number, (between[c * k + o] as number) / 2);
    }
  }
  return { drop, half };
};

export interface LloydResult {
  /** Sorted lexicographically; labels refer to this order. */
  readonly centroids: Float64Array;
  readonly labels: Int32Array;
  /** Squared Euclidean distance of each point to its assigned centroid. */
  readonly distances: Float64Array;
  readonly inertia: number;
  /** Centroid updates performed. */
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Lloyd's k-means on typed arrays: alternates update and assignment until the relative inertia drop is below
 * `tolerance`. As in scikit-learn, the final labels are the nearest-centroid assignment for the returned
 * centroids, so the centroids are the means of the previous assignment (the same once converged).
 */
export const lloyd = (
  points: Matrix,
  initial: Float64Array,
  options: { maxIterations: number; tolerance: number },
): LloydResult => {
  const { rows, cols } = points;
  const k = initial.length / cols;
  const state: PassState = {
    labels: new Int32Array(rows),
    distances: new Float64Array(rows),
    lower: new Float64Array(rows),
    sums: new Float64Array(k * cols),
    counts: new Float64Array(k),
  };
  // Sorting the seeds too makes exact-tie breaking independent of the order they came in.
  let centroids = permuteRows(initial, cols, canonicalOrder(initial, cols));
  let inertia = assignPass(points, centroids, state, undefined);
  let iterations = 0;
  let converged = false;
  while (!converged && iterations < options.maxIterations) {
    const next = means(points, centroids, state);
    const nextInertia = assignPass(points, next, state, carryBounds(centroids, next, cols));
    iterations++;
    converged = inertia === 0 || (inertia - nextInertia) / inertia < options.tolerance;
    centroids = next;
    inertia = nextInertia;
  }
  const order = canonicalOrder(centroids, cols);
  const rank = new Int32Array(k);
  order.forEach((c, r) => {
    rank[c] = r;
  });
  return {
    centroids: permuteRows(centroids, cols, order),
    labels: state.labels.map((c) => rank[c] as number),
    distances: state.distances,
    inertia,
    iterations,
    converged,
  };
};
