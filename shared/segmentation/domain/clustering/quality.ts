import { sampleIndices } from '#shared/kernel/random';
import { trainKMeans } from './kmeans';
import { type Matrix, takeRows } from './matrix';

const euclidean = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let sum = 0;
  for (let j = 0; j < a.length; j++) {
    const diff = (a[j] as number) - (b[j] as number);
    sum += diff * diff;
  }
  return Math.sqrt(sum);
};

/**
 * Mean silhouette of a seeded sample, computed exactly among the sampled points (the full O(n²) version is out
 * of reach at millions of shoppers). A point alone in its cluster within the sample scores 0, as in
 * scikit-learn; with fewer than two clusters in the sample there is no separation to measure and the result is 0.
 */
export const silhouette = (
  points: Matrix,
  labels: Int32Array,
  k: number,
  options: { sampleSize?: number; seed: number },
): number => {
  if (labels.length !== points.rows) {
    throw new RangeError(`${labels.length} labels for ${points.rows} points`);
  }
  const picked = sampleIndices(points.rows, options.sampleSize ?? 2000, options.seed);
  const m = picked.length;
  const label = Int32Array.from(picked, (i) => labels[i] as number);
  if (label.some((c) => c < 0 || c >= k)) throw new RangeError(`labels must lie in [0, ${k})`);
  const counts = new Float64Array(k);
  for (const c of label) counts[c] = (counts[c] as number) + 1;
  if (counts.filter((c) => c > 0).length < 2) return 0;
  // One contiguous copy of the sample keeps the O(m²) loop free of per-pair allocations.
  const { cols, data } = takeRows(points, picked);
  // sums[p * k + c]: total distance from sampled point p to the sampled points of cluster c.
  const sums = new Float64Array(m * k);
  for (let p = 0; p < m; p++) {
    const lp = label[p] as number;
    for (let q = p + 1; q < m; q++) {
      let squared = 0;
      for (let j = 0; j < cols; j++) {
        const diff = (data[p * cols + j] as number) - (data[q * cols + j] as number);
        squared += diff * diff;
      }
      const d = Math.sqrt(squared);
      const lq = label[q] as number;
      sums[p * k + lq] = (sums[p * k + lq] as number) + d;
      sums[q * k + lp] = (sums[q * k + lp] as number) + d;
    }
  }
  let total = 0;
  for (let p = 0; p < m; p++) {
    const own = label[p] as number;
    const ownCount = counts[own] as number;
    if (ownCount < 2) continue;
    const a = (sums[p * k + own] as number) / (ownCount - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const count = counts[c] as number;
      if (c !== own && count > 0) b = Math.min(b, (sums[p * k + c] as number) / count);
    }
    const spread = Math.max(a, b);
    if (spread > 0) total += (b - a) / spread;
  }
  return total / m;
};

/**
 * Davies–Bouldin index (lower is better) against the given centroids. Empty clusters are left out; coincident
 * centroids contribute 0 rather than Infinity, as in scikit-learn; fewer than two non-empty clusters give 0.
 */
export const daviesBouldin = (
  points: Matrix,
  labels: Int32Array,
  centroids: readonly (readonly number[])[],
): number => {
  const k = centroids.length;
  const scatter = new Float64Array(k);
  const counts = new Float64Array(k);
  if (labels.length !== points.rows) {
    throw new RangeError(`${labels.length} labels for ${points.rows} points`);
  }
  const { cols, data } = points;
  for (let i = 0; i < points.rows; i++) {
    const c = labels[i] as number;
    const centroid = centroids[c];
    if (centroid === undefined) throw new RangeError(`label ${c} at row ${i} has no centroid`);
    let squared = 0;
    for (let j = 0; j < cols; j++) squared += ((data[i * cols + j] as number) - (centroid[j] as number)) ** 2;
    counts[c] = (counts[c] as number) + 1;
    scatter[c] = (scatter[c] as number) + Math.sqrt(squared);
  }
  const present = [...counts.keys()].filter((c) => (counts[c] as number) > 0);
  if (present.length < 2) return 0;
  const spread = (c: number): number => (scatter[c] as number) / (counts[c] as number);
  let total = 0;
  for (const i of present) {
    let worst = 0;
    for (const j of present) {
      const separation = i === j ? 0 : euclidean(centroids[i] as number[], centroids[j] as number[]);
      if (separation > 0) worst = Math.max(worst, (spread(i) + spread(j)) / separation);
    }
    total += worst;
  }
  return total / present.length;
};

export interface KCandidate {
  k: number;
  silhouette: number;
  daviesBouldin: number;
  /** Share of the search sample in the smallest cluster. */
  smallestShare: number;
  /** On the search sample, so only comparable between candidates of one search. */
  inertia: number;
  /** Share of the search sample in the largest cluster. */
  largestShare: number;
  /** Whether every segment holds between `minShare` and `maxShare` of shoppers: tiny segments are not actionable, a giant one says nothing. */
  eligible: boolean;
}

/**
 * Scores each k on one seeded sample and picks the eligible k with the highest silhouette (ties → smaller k);
 * if none is eligible, the k whose smallest cluster is largest. Fitting all points is left to trainKMeans.
 */
export const chooseK = (
  points: Matrix,
  options: {
    kMin?: number;
    kMax?: number;
    seed: number;
    minShare?: number;
    maxShare?: number;
    sampleSize?: number;
    silhouetteSample?: number;
    /** Passed to trainKMeans for every k. */
    restarts?: number;
  },
): { k: number; candidates: KCandidate[]; centroids: number[][] } => {
  const {
    kMin = 3,
    seed,
    minShare = 0.02,
    maxShare = 1,
    sampleSize = 20_000,
    silhouetteSample,
    restarts,
  } = options;
  const search =
    points.rows <= sampleSize ? points : takeRows(points, sampleIndices(points.rows, sampleSize, seed));
  // The silhouette needs at least two clusters and one cluster with two points.
  const kMax = Math.min(options.kMax ?? 10, search.rows - 1);
  if (!Number.isInteger(kMin) || kMin < 2 || kMin > kMax) {
    throw new RangeError(`no k to try in [${kMin}, ${kMax}] with ${search.rows} points`);
  }
  const candidates: KCandidate[] = [];
  const fitted = new Map<number, number[][]>();
  for (let k = kMin; k <= kMax; k++) {
    const model = trainKMeans(search, k, { seed, sampleSize: search.rows, restarts });
    fitted.set(k, model.centroids);
    const smallestShare = Math.min(...model.sizes) / search.rows;
    const largestShare = Math.max(...model.sizes) / search.rows;
    candidates.push({
      k,
      silhouette: silhouette(search, model.labels, k, { sampleSize: silhouetteSample, seed }),
      daviesBouldin: daviesBouldin(search, model.labels, model.centroids),
      smallestShare,
      largestShare,
      inertia: model.inertia,
      eligible: smallestShare >= minShare && largestShare <= maxShare,
    });
  }
  const eligible = candidates.filter((c) => c.eligible);
  const pool = eligible.length > 0 ? eligible : candidates;
  const score = (c: KCandidate): number => (eligible.length > 0 ? c.silhouette : c.smallestShare);
  // Ascending k and a strict comparison make ties go to the smaller k.
  const best = pool.reduce((a, b) => (score(b) > score(a) ? b : a));
  // The chosen k's sample fit is returned so the full fit can start from it (no second seeding).
  return { k: best.k, candidates, centroids: fitted.get(best.k) ?? [] };
};
