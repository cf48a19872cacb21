import { kmeans } from 'ml-kmeans';
import { sampleIndices } from '#shared/kernel/random';
import { assignInto } from './assign';
import { type LloydResult, lloyd } from './lloyd';
import { type Matrix, rowOf, takeRows } from './matrix';

export interface KMeansModel {
  /** Sorted lexicographically (first coordinate, then the next…), so the order is canonical. */
  readonly centroids: number[][];
  /** Nearest-centroid index into `centroids` for every point. */
  readonly labels: Int32Array;
  /** Sum of squared distances from each point to its assigned centroid. */
  readonly inertia: number;
  /** Lloyd iterations over all points (the sample fit is not counted unless the sample is all points). */
  readonly iterations: number;
  readonly converged: boolean;
  /** Number of points per centroid. */
  readonly sizes: number[];
}

const flatten = (centroids: readonly (readonly number[])[], cols: number): Float64Array => {
  const flat = new Float64Array(centroids.length * cols);
  centroids.forEach((c, i) => {
    if (c.length !== cols) throw new RangeError(`centroid ${i} has ${c.length} values, expected ${cols}`);
    flat.set(c, i * cols);
  });
  return flat;
};

const unflatten = (flat: Float64Array, cols: number): number[][] =>
  Array.from({ length: flat.length / cols }, (_, c) => Array.from(flat.subarray(c * cols, (c + 1) * cols)));

/** k-means++ cannot pick k distinct seeds from fewer distinct points; stops as soon as k are found. */
const hasDistinctRows = (m: Matrix, k: number): boolean => {
  const found: Float64Array[] = [];
  for (let i = 0; i < m.rows && found.length < k; i++) {
    const row = rowOf(m, i);
    if (!found.some((f) => f.every((v, j) => v === row[j]))) found.push(row);
  }
  return found.length >= k;
};

/**
 * k-means: ml-kmeans' k-means++ seeds a seeded sample, typed-array Lloyd refines them on the sample, then on all
 * points. ml-kmeans' k-means++ dominates its cost and memory on large inputs, and seeding 20k points is as good
 * as seeding all of them; the full-data passes then recover the full-data optimum.
 *
 * k-means++ can still seed a poor local optimum (outliers attract seeds), so `restarts` seeds the sample that
 * many times (seeds `seed`, `seed + 1`, …) and keeps the lowest sample inertia; each restart costs one
 * k-means++ on the sample.
 */
export const trainKMeans = (
  points: Matrix,
  k: number,
  options: {
    seed: number;
    sampleSize?: number;
    maxIterations?: number;
    tolerance?: number;
    restarts?: number;
    /** Start from these centroids instead of k-means++ (e.g. the K search's fit on the sample). */
    initial?: readonly (readonly number[])[];
  },
): KMeansModel => {
  const { seed, sampleSize = 20_000, maxIterations = 100, tolerance = 1e-6, restarts = 1, initial } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (points.rows < k) throw new RangeError(`need at least k = ${k} points, got ${points.rows}`);
  const size = Math.max(sampleSize, k);
  const sample = points.rows <= size ? points : takeRows(points, sampleIndices(points.rows, size, seed));
  // ml-kmeans fails obscurely on NaN; the rest of the points are checked through the inertia below.
  if (!sample.data.every(Number.isFinite)) throw new RangeError('points must be finite numbers');
  if (!hasDistinctRows(sample, k)) throw new RangeError(`fewer than k = ${k} distinct points to seed from`);
  let best: LloydResult | undefined = initial
    ? lloyd(sample, flatten(initial, sample.cols), { maxIterations, tolerance })
    : undefined;
  if (initial && initial.length !== k)
    throw new RangeError(`initial has ${initial.length} centroids, expected ${k}`);
  const rows = initial ? [] : Array.from({ length: sample.rows }, (_, i) => Array.from(rowOf(sample, i)));
  for (let r = 0; !initial && r < Math.max(1, restarts); r++) {
    // One ml-kmeans step is enough: its k-means++ is what we want from it, and our Lloyd iterates faster.
    // Its centroids are used, never its clusters, which lag them by one step.
    const seeded = kmeans(rows, k, { initialization: 'kmeans++', seed: seed + r, maxIterations: 1 });
    const fit = lloyd(sample, flatten(seeded.centroids, sample.cols), { maxIterations, tolerance });
    if (best === undefined || fit.inertia < best.inertia) best = fit;
  }
  const chosen = best as LloydResult;
  const fit = sample === points ? chosen : lloyd(points, chosen.centroids, { maxIterations, tolerance });
  // NaN or Infinity anywhere poisons the inertia, so one check covers the points outside the sample.
  if (!Number.isFinite(fit.inertia)) throw new RangeError('points must be finite numbers');
  const sizes = new Array<number>(k).fill(0);
  for (const label of fit.labels) sizes[label] = (sizes[label] as number) + 1;
  return {
    centroids: unflatten(fit.centroids, points.cols),
    labels: fit.labels,
    inertia: fit.inertia,
    iterations: fit.iterations,
    converged: fit.converged,
    sizes,
  };
};

/** Nearest centroid per point; `distances` are squared Euclidean, so `inertia` is their sum. */
export const assignAll = (
  points: Matrix,
  centroids: readonly (readonly number[])[],
): { labels: Int32Array; distances: Float64Array; inertia: number } => {
  if (centroids.length === 0) throw new RangeError('need at least one centroid');
  const labels = new Int32Array(points.rows);
  const distances = new Float64Array(points.rows);
  const inertia = assignInto(points, flatten(centroids, points.cols), labels, distances);
  return { labels, distances, inertia };
};

/**
 * Nearest and runner-up centroid with Euclidean (not squared) distances, for explaining one shopper's segment.
 * With a single centroid the runner-up is index -1 at distance Infinity. Ties go to the lower index.
 */
export const nearestCentroid = (
  point: ArrayLike<number>,
  centroids: readonly (readonly number[])[],
): { index: number; distance: number; secondIndex: number; secondDistance: number } => {
  if (centroids.length === 0) throw new RangeError('need at least one centroid');
  let index = -1;
  let best = Number.POSITIVE_INFINITY;
  let secondIndex = -1;
  let second = Number.POSITIVE_INFINITY;
  centroids.forEach((centroid, c) => {
    if (centroid.length !== point.length) {
      throw new RangeError(`centroid ${c} has ${centroid.length} values, expected ${point.length}`);
    }
    let sum = 0;
    for (let j = 0; j < point.length; j++) {
      const diff = (point[j] as number) - (centroid[j] as number);
      sum += diff * diff;
    }
    if (sum < best || index < 0) {
      secondIndex = index;
      second = best;
      index = c;
      best = sum;
    } else if (sum < second || secondIndex < 0) {
      secondIndex = c;
      second = sum;
    }
  });
  return { index, distance: Math.sqrt(best), secondIndex, secondDistance: Math.sqrt(second) };
};
