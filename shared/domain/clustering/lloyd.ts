import type { Matrix } from './matrix';

/**
 * Typed-array Lloyd iterations over all points. Centroids are flat (k × cols, row-major) so the hot loops
 * index one Float64Array instead of chasing number[] objects.
 */

export interface Assignment {
  readonly labels: Int32Array;
  /** Squared Euclidean distance of each point to its assigned centroid. */
  readonly distances: Float64Array;
  readonly inertia: number;
}

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
      // Partial distances stop early once a centroid cannot win, which skips most of the work for large k.
      for (let j = 0; j < cols && sum < bestDistance; j++) {
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

/** Lexicographic order of centroid rows, so results do not depend on the initialiser's internal order. */
export const sortCentroids = (centroids: Float64Array, cols: number): Float64Array => {
  const k = centroids.length / cols;
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => {
    for (let j = 0; j < cols; j++) {
      const diff = (centroids[a * cols + j] as number) - (centroids[b * cols + j] as number);
      if (diff !== 0) return diff;
    }
    return a - b;
  });
  const sorted = new Float64Array(centroids.length);
  order.forEach((c, r) => {
    sorted.set(centroids.subarray(c * cols, (c + 1) * cols), r * cols);
  });
  return sorted;
};

/**
 * Means of the assigned points. An empty cluster is re-seeded with the point farthest from its centroid
 * (lowest index on ties, never the same point twice): that is deterministic and it cannot raise the inertia.
 */
export const updateCentroids = (
  points: Matrix,
  previous: Float64Array,
  { labels, distances }: Assignment,
): Float64Array => {
  const { rows, cols, data } = points;
  const k = previous.length / cols;
  const sums = new Float64Array(k * cols);
  const counts = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    const c = labels[i] as number;
    counts[c] = (counts[c] as number) + 1;
    const base = i * cols;
    const offset = c * cols;
    for (let j = 0; j < cols; j++)
      sums[offset + j] = (sums[offset + j] as number) + (data[base + j] as number);
  }
  const taken = new Set<number>();
  for (let c = 0; c < k; c++) {
    const count = counts[c] as number;
    if (count > 0) {
      for (let j = 0; j < cols; j++) sums[c * cols + j] = (sums[c * cols + j] as number) / count;
      continue;
    }
    let far = -1;
    for (let i = 0; i < rows; i++) {
      if (!taken.has(i) && (far < 0 || (distances[i] as number) > (distances[far] as number))) far = i;
    }
    if (far < 0) {
      sums.set(previous.subarray(c * cols, (c + 1) * cols), c * cols);
    } else {
      taken.add(far);
      sums.set(data.subarray(far * cols, (far + 1) * cols), c * cols);
    }
  }
  return sums;
};

export interface LloydResult extends Assignment {
  /** Sorted lexicographically; labels refer to this order. */
  readonly centroids: Float64Array;
  /** Centroid updates performed over all points. */
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Alternates update and assignment until the relative inertia drop is below `tolerance`.
 * As in scikit-learn, the final labels are the nearest-centroid assignment for the returned centroids, so the
 * centroids are the means of the previous assignment (identical to the current one once converged).
 */
export const lloyd = (
  points: Matrix,
  initial: Float64Array,
  options: { maxIterations: number; tolerance: number },
): LloydResult => {
  const labels = new Int32Array(points.rows);
  const distances = new Float64Array(points.rows);
  let centroids = sortCentroids(initial, points.cols);
  let inertia = assignInto(points, centroids, labels, distances);
  let iterations = 0;
  let converged = false;
  while (!converged && iterations < options.maxIterations) {
    const next = sortCentroids(
      updateCentroids(points, centroids, { labels, distances, inertia }),
      points.cols,
    );
    const nextInertia = assignInto(points, next, labels, distances);
    iterations++;
    converged = inertia === 0 || (inertia - nextInertia) / inertia < options.tolerance;
    centroids = next;
    inertia = nextInertia;
  }
  return { centroids, labels, distances, inertia, iterations, converged };
};
