import { describe, expect, it } from 'vitest';
import { assignInto } from '#shared/segmentation/domain/clustering/assign';
import { lloyd } from '#shared/segmentation/domain/clustering/lloyd';
import { type Matrix, matrixFromRows } from '#shared/segmentation/domain/clustering/matrix';
import { blobs } from './blobs';

const three = blobs(
  [
    [0, 0],
    [20, 0],
    [0, 20],
  ],
  [300, 200, 100],
  1,
  11,
);

/** Textbook Lloyd: full assignment, then plain means (an empty cluster keeps its centroid). */
const plainLloyd = (points: Matrix, initial: Float64Array, iterations: number) => {
  const { rows, cols, data } = points;
  const k = initial.length / cols;
  let centroids = Float64Array.from(initial);
  const labels = new Int32Array(rows);
  let inertia = assignInto(points, centroids, labels, new Float64Array(rows));
  for (let t = 0; t < iterations; t++) {
    const sums = new Float64Array(k * cols);
    const counts = new Float64Array(k);
    labels.forEach((c, i) => {
      counts[c] = (counts[c] as number) + 1;
      for (let j = 0; j < cols; j++)
        sums[c * cols + j] = (sums[c * cols + j] as number) + (data[i * cols + j] as number);
    });
    centroids = sums.map((s, x) => {
      const count = counts[Math.floor(x / cols)] as number;
      return count > 0 ? s / count : (centroids[x] as number);
    });
    inertia = assignInto(points, centroids, labels, new Float64Array(rows));
  }
  return { inertia, labels, centroids };
};

describe('lloyd', () => {
  it('follows textbook Lloyd exactly while skipping work', () => {
    // Overlapping blobs and a poor start (the first five points) keep labels moving for many iterations.
    const { points } = blobs(
      [
        [0, 0, 0],
        [3, 0, 1],
        [0, 3, 2],
        [3, 3, 0],
        [6, 1, 1],
      ],
      [900, 700, 600, 500, 300],
      1.5,
      8,
    );
    const initial = points.data.slice(0, 15);
    for (const iterations of [1, 4, 25]) {
      const fit = lloyd(points, initial, { maxIterations: iterations, tolerance: 0 });
      const reference = plainLloyd(points, initial, iterations);
      expect(fit.iterations).toBe(iterations);
      expect(fit.inertia).toBe(reference.inertia);
      // Ours come back in canonical order: map them to the reference's order through the labels.
      const check = new Int32Array(points.rows);
      expect(assignInto(points, fit.centroids, check, new Float64Array(points.rows))).toBe(fit.inertia);
      expect(check).toEqual(fit.labels);
      const toReference = new Map<number, number>();
      fit.labels.forEach((c, i) => {
        toReference.set(c, reference.labels[i] as number);
      });
      expect(toReference.size).toBe(5);
      expect(Array.from(fit.labels, (c) => toReference.get(c))).toEqual(Array.from(reference.labels));
    }
  });

  it('re-seeds empty clusters with the farthest points', () => {
    const points = matrixFromRows([[0], [1], [10], [11]]);
    const fit = lloyd(points, Float64Array.from([0.5, 100, 200]), { maxIterations: 10, tolerance: 1e-9 });
    // Step 1: all points sit with 0.5, so 100 and 200 are re-seeded at 11 then 10; mean 5.5 is kept.
    // Step 2: means of {0, 1}, {10}, {11}; step 3 changes nothing.
    expect([...fit.centroids]).toEqual([0.5, 10, 11]);
    expect([...fit.labels]).toEqual([0, 0, 1, 2]);
    expect(fit.inertia).toBe(0.5);
    expect(fit.iterations).toBe(3);
    expect(fit.converged).toBe(true);
  });

  it('stops at the iteration cap', () => {
    const fit = lloyd(three.points, Float64Array.from([0, 0, 1, 1, 2, 2]), {
      maxIterations: 1,
      tolerance: 0,
    });
    expect(fit.iterations).toBe(1);
    expect(fit.converged).toBe(false);
  });
});
