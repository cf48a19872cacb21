import { resourceUsage } from 'node:process';
import { pathToFileURL } from 'node:url';
import { kmeans } from 'ml-kmeans';
import { mulberry32, normal } from '#shared/kernel/random';
import { assignAll, trainKMeans } from '#shared/segmentation/domain/clustering/kmeans';
import { type Matrix, rowOf } from '#shared/segmentation/domain/clustering/matrix';

/**
 * Planted segments of unequal size and spread, plus 2 % uniform background noise, so the data looks more like
 * shoppers than textbook blobs do.
 */
const syntheticShoppers = (rows: number, cols: number, k: number, seed: number): Matrix => {
  const uniform = mulberry32(seed);
  const gauss = normal(uniform);
  const centers = Array.from({ length: k }, () => Array.from({ length: cols }, () => -10 + 20 * uniform()));
  const spreads = Array.from({ length: k }, () => 0.5 + 1.5 * uniform());
  const weights = Array.from({ length: k }, () => 0.2 + uniform() ** 2);
  const cumulative: number[] = [];
  for (const w of weights) cumulative.push((cumulative.at(-1) ?? 0) + w);
  const total = cumulative.at(-1) as number;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const noise = uniform() < 0.02;
    const pick = uniform() * total;
    const found = cumulative.findIndex((c) => pick < c);
    const b = found < 0 ? k - 1 : found;
    const center = centers[b] as number[];
    const spread = spreads[b] as number;
    for (let j = 0; j < cols; j++) {
      data[i * cols + j] = noise ? -12 + 24 * uniform() : (center[j] as number) + spread * gauss();
    }
  }
  return { rows, cols, data };
};

/** One k-means++ seeding, as the baseline does: the same work, done on a sample. */
const BENCH_RESTARTS = 1;

const peakMb = (): number => resourceUsage().maxRSS / 1024;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export const runClusteringBench = async (options: {
  rows?: number;
  cols?: number;
  k?: number;
  seed?: number;
}): Promise<void> => {
  const { rows = 1_000_000, cols = 10, k = 8, seed = 42 } = options;
  const points = syntheticShoppers(rows, cols, k, seed);
  const peakAfterData = peakMb();

  // Ours runs first so the process peak RSS after it is its own, not the baseline's.
  let start = performance.now();
  const ours = trainKMeans(points, k, { seed, restarts: BENCH_RESTARTS });
  const oursMs = performance.now() - start;
  const peakAfterOurs = peakMb();

  const asArrays = Array.from({ length: rows }, (_, i) => Array.from(rowOf(points, i)));
  start = performance.now();
  const baseline = kmeans(asArrays, k, { initialization: 'kmeans++', seed });
  const baselineMs = performance.now() - start;
  const peakAfterBaseline = peakMb();
  // ml-kmeans' clusters can lag its centroids, so both are scored by assigning to their centroids.
  const baselineInertia = assignAll(points, baseline.centroids).inertia;

  const relative = (ours.inertia - baselineInertia) / baselineInertia;
  console.log(`k-means bench: ${rows.toLocaleString('en')} × ${cols}, k = ${k}, seed = ${seed}`);
  console.table({
    'ml-kmeans, all points': {
      time: seconds(baselineMs),
      inertia: baselineInertia.toExponential(9),
      iterations: baseline.iterations,
      converged: baseline.converged,
      'peak RSS': `${peakAfterBaseline.toFixed(0)} MB (process)`,
    },
    trainKMeans: {
      time: seconds(oursMs),
      inertia: ours.inertia.toExponential(9),
      iterations: ours.iterations,
      converged: ours.converged,
      'peak RSS': `${peakAfterOurs.toFixed(0)} MB (data alone ${peakAfterData.toFixed(0)} MB)`,
    },
  });
  console.log(`speed-up (baseline / ours): ${(baselineMs / oursMs).toFixed(1)}× (target ≥ 15×)`);
  // Both runs stop at a relative inertia change below 1e-6, so smaller gaps are convergence noise.
  const verdict = relative < -1e-6 ? 'better' : relative <= 1e-6 ? 'same within tolerance' : 'WORSE';
  console.log(
    `inertia, ours vs baseline: ${relative >= 0 ? '+' : ''}${relative.toExponential(2)} relative (target ≤ 1e-3, not worse): ${verdict}`,
  );
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runClusteringBench({});
