import { mulberry32, normal } from '#shared/kernel/random';
import { type Matrix, matrixFromRows } from '#shared/segmentation/domain/clustering/matrix';

/** Seeded Gaussian blobs: `counts[b]` points around `centers[b]` with standard deviation `sd`; truth = blob index. */
export const blobs = (
  centers: readonly (readonly number[])[],
  counts: readonly number[],
  sd: number,
  seed: number,
): { points: Matrix; truth: Int32Array } => {
  const gauss = normal(mulberry32(seed));
  const rows: number[][] = [];
  const truth: number[] = [];
  centers.forEach((center, b) => {
    for (let i = 0; i < (counts[b] ?? 0); i++) {
      rows.push(center.map((x) => x + sd * gauss()));
      truth.push(b);
    }
  });
  return { points: matrixFromRows(rows), truth: Int32Array.from(truth) };
};

/** Sum of squared distances to the labelled centroid, straight from the definition. */
export const bruteInertia = (points: Matrix, labels: Int32Array, centroids: number[][]): number => {
  let total = 0;
  for (let i = 0; i < points.rows; i++) {
    const centroid = centroids[labels[i] as number] as number[];
    for (let j = 0; j < points.cols; j++)
      total += ((points.data[i * points.cols + j] as number) - (centroid[j] as number)) ** 2;
  }
  return total;
};
