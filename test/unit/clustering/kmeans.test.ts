import { kmeans } from 'ml-kmeans';
import { describe, expect, it } from 'vitest';
import { mulberry32, sampleIndices } from '#shared/kernel/random';
import { adjustedRandIndex } from '#shared/segmentation/domain/clustering/agreement';
import { assignAll, nearestCentroid, trainKMeans } from '#shared/segmentation/domain/clustering/kmeans';
import { matrixFromRows, rowOf } from '#shared/segmentation/domain/clustering/matrix';
import { blobs, bruteInertia } from './blobs';

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

describe('trainKMeans', () => {
  it('recovers well-separated planted blobs', () => {
    const model = trainKMeans(three.points, 3, { seed: 1 });
    expect(adjustedRandIndex(model.labels, three.truth)).toBe(1);
    expect([...model.sizes].sort((a, b) => a - b)).toEqual([100, 200, 300]);
    expect(model.converged).toBe(true);
    // Canonical order: lexicographic on the coordinates.
    const [a, b, c] = model.centroids as [number[], number[], number[]];
    expect(a[0]).toBeLessThan(c[0] as number);
    expect(a[1]).toBeLessThan(b[1] as number);
    expect(c[0]).toBeCloseTo(20, 0);
  });

  it('recovers them from a small sample too', () => {
    const model = trainKMeans(three.points, 3, { seed: 5, sampleSize: 60 });
    expect(adjustedRandIndex(model.labels, three.truth)).toBe(1);
  });

  it('is deterministic for a seed', () => {
    const a = trainKMeans(three.points, 4, { seed: 3, sampleSize: 200 });
    const b = trainKMeans(three.points, 4, { seed: 3, sampleSize: 200 });
    expect(b.centroids).toEqual(a.centroids);
    expect(b.labels).toEqual(a.labels);
    expect(b.inertia).toBe(a.inertia);
  });

  it('reports the inertia and labels of its own centroids', () => {
    const model = trainKMeans(three.points, 4, { seed: 2, sampleSize: 150 });
    expect(model.inertia).toBeCloseTo(bruteInertia(three.points, model.labels, model.centroids), 8);
    expect(assignAll(three.points, model.centroids).labels).toEqual(model.labels);
    expect(model.sizes.reduce((s, x) => s + x, 0)).toBe(three.points.rows);
  });

  it('matches ml-kmeans on all points within 0.1 %', () => {
    const centers = Array.from({ length: 5 }, (_, b) =>
      Array.from({ length: 5 }, (_, j) => ((b * 7 + j * 3) % 5) * 6),
    );
    const data = blobs(centers, [8000, 5000, 4000, 2000, 1000], 1.2, 21);
    const ours = trainKMeans(data.points, 5, { seed: 4, sampleSize: 2000 });
    const rows = Array.from({ length: data.points.rows }, (_, i) => Array.from(rowOf(data.points, i)));
    const full = kmeans(rows, 5, { initialization: 'kmeans++', seed: 4 });
    // Its `clusters` can lag its centroids by a step, so score its centroids the same way as ours.
    const baseline = assignAll(data.points, full.centroids).inertia;
    expect(Math.abs(ours.inertia - baseline) / baseline).toBeLessThan(1e-3);
    // Both stop once the inertia changes by less than 1e-6 relative; beyond that, ours must not be worse.
    expect(ours.inertia).toBeLessThanOrEqual(baseline * (1 + 1e-6));
  });

  it('keeps the best of several seedings', () => {
    // With every point in the sample, restart r is exactly the single run seeded with seed + r.
    const single = [7, 8, 9].map((seed) => trainKMeans(three.points, 5, { seed }).inertia);
    expect(trainKMeans(three.points, 5, { seed: 7, restarts: 3 }).inertia).toBe(Math.min(...single));
  });

  it('rejects impossible requests', () => {
    expect(() => trainKMeans(three.points, 0, { seed: 1 })).toThrow(RangeError);
    expect(() => trainKMeans(matrixFromRows([[1], [2]]), 3, { seed: 1 })).toThrow(RangeError);
    expect(() => trainKMeans(matrixFromRows([[1], [1], [2], [2]]), 3, { seed: 1 })).toThrow(/distinct/);
    const withNaN = matrixFromRows([[1], [2], [Number.NaN], [4], [5]]);
    expect(() => trainKMeans(withNaN, 2, { seed: 1 })).toThrow(/finite/);
    // Also when the bad value is outside the sample.
    const outside = [0, 1, 3, 4].find((s) => !sampleIndices(5, 4, s).includes(2)) as number;
    expect(sampleIndices(5, 4, outside)).not.toContain(2);
    expect(() => trainKMeans(withNaN, 2, { seed: outside, sampleSize: 4 })).toThrow(/finite/);
  });
});

describe('assignAll', () => {
  it('agrees with brute force', () => {
    const random = mulberry32(17);
    const points = matrixFromRows(Array.from({ length: 500 }, () => [random(), random(), random()]));
    const centroids = Array.from({ length: 6 }, () => [random(), random(), random()]);
    const { labels, distances, inertia } = assignAll(points, centroids);
    let total = 0;
    for (let i = 0; i < points.rows; i++) {
      const p = rowOf(points, i);
      const squared = centroids.map((c) => c.reduce((s, x, j) => s + (x - (p[j] as number)) ** 2, 0));
      const best = squared.indexOf(Math.min(...squared));
      expect(labels[i]).toBe(best);
      expect(distances[i]).toBeCloseTo(squared[best] as number, 12);
      total += squared[best] as number;
    }
    expect(inertia).toBeCloseTo(total, 10);
  });

  it('computes a hand example exactly', () => {
    const points = matrixFromRows([
      [0, 0],
      [3, 4],
      [10, 0],
    ]);
    const result = assignAll(points, [
      [0, 0],
      [10, 1],
    ]);
    expect([...result.labels]).toEqual([0, 0, 1]);
    expect([...result.distances]).toEqual([0, 25, 1]);
    expect(result.inertia).toBe(26);
  });
});

describe('nearestCentroid', () => {
  const centroids = [
    [0, 0],
    [6, 8],
    [3, 0],
  ];

  it('returns the nearest and runner-up with Euclidean distances', () => {
    expect(nearestCentroid([0, 4], centroids)).toEqual({
      index: 0,
      distance: 4,
      secondIndex: 2,
      secondDistance: 5,
    });
    expect(nearestCentroid([6, 4], centroids)).toEqual({
      index: 1,
      distance: 4,
      secondIndex: 2,
      secondDistance: 5,
    });
  });

  it('agrees with brute force', () => {
    const random = mulberry32(5);
    for (let t = 0; t < 200; t++) {
      const point = [random() * 10, random() * 10];
      const d = centroids.map((c) =>
        Math.hypot((c[0] as number) - (point[0] as number), (c[1] as number) - (point[1] as number)),
      );
      const order = [0, 1, 2].sort((a, b) => (d[a] as number) - (d[b] as number));
      const result = nearestCentroid(point, centroids);
      expect(result.index).toBe(order[0]);
      expect(result.secondIndex).toBe(order[1]);
      expect(result.distance).toBeCloseTo(d[order[0] as number] as number, 12);
      expect(result.secondDistance).toBeCloseTo(d[order[1] as number] as number, 12);
    }
  });

  it('has no runner-up with one centroid', () => {
    expect(nearestCentroid([1, 1], [[1, 1]])).toEqual({
      index: 0,
      distance: 0,
      secondIndex: -1,
      secondDistance: Number.POSITIVE_INFINITY,
    });
  });
});
