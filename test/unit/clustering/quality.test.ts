import { describe, expect, it } from 'vitest';
import { mulberry32, sampleIndices } from '#shared/kernel/random';
import { matrixFromRows, rowOf, takeRows } from '#shared/segmentation/domain/clustering/matrix';
import { chooseK, daviesBouldin, silhouette } from '#shared/segmentation/domain/clustering/quality';
import { blobs } from './blobs';

/** Silhouette straight from the definition, over every point. */
const bruteSilhouette = (points: ReturnType<typeof matrixFromRows>, labels: Int32Array): number => {
  const dist = (i: number, j: number) => {
    const a = rowOf(points, i);
    const b = rowOf(points, j);
    return Math.sqrt(a.reduce((s, x, d) => s + (x - (b[d] as number)) ** 2, 0));
  };
  const clusters = [...new Set(labels)];
  let total = 0;
  for (let i = 0; i < points.rows; i++) {
    const mean = (c: number) => {
      const members = [...labels.keys()].filter((j) => labels[j] === c && j !== i);
      return members.length === 0 ? Number.NaN : members.reduce((s, j) => s + dist(i, j), 0) / members.length;
    };
    const a = mean(labels[i] as number);
    if (Number.isNaN(a)) continue;
    const b = Math.min(...clusters.filter((c) => c !== labels[i]).map(mean));
    total += (b - a) / Math.max(a, b);
  }
  return total / points.rows;
};

describe('silhouette', () => {
  it('matches a hand computation on a line', () => {
    // 0 and 1 vs 4 and 5: a = 1 everywhere; b = 4.5, 3.5, 3.5, 4.5; s = 7/9, 5/7, 5/7, 7/9.
    const points = matrixFromRows([[0], [1], [4], [5]]);
    expect(silhouette(points, Int32Array.from([0, 0, 1, 1]), 2, { seed: 1 })).toBeCloseTo(47 / 63, 14);
  });

  it('scores singleton clusters 0 and a single cluster 0', () => {
    // Point 5 alone scores 0; the others: a = 1, b = 5 and 4, so s = 4/5 and 3/4.
    const points = matrixFromRows([[0], [1], [5]]);
    expect(silhouette(points, Int32Array.from([0, 0, 1]), 2, { seed: 1 })).toBeCloseTo(
      (4 / 5 + 3 / 4) / 3,
      14,
    );
    expect(silhouette(points, Int32Array.from([0, 0, 0]), 1, { seed: 1 })).toBe(0);
  });

  it('is exact on the sampled points', () => {
    const random = mulberry32(2);
    const points = matrixFromRows(Array.from({ length: 300 }, () => [random(), random()]));
    const labels = Int32Array.from({ length: 300 }, (_, i) =>
      (rowOf(points, i)[0] as number) < 0.5 ? 0 : (i % 2) + 1,
    );
    expect(silhouette(points, labels, 3, { seed: 1, sampleSize: 1000 })).toBeCloseTo(
      bruteSilhouette(points, labels),
      12,
    );
    const picked = sampleIndices(300, 80, 9);
    const expected = bruteSilhouette(
      takeRows(points, picked),
      Int32Array.from(picked, (i) => labels[i] as number),
    );
    expect(silhouette(points, labels, 3, { seed: 9, sampleSize: 80 })).toBeCloseTo(expected, 12);
  });
});

describe('daviesBouldin', () => {
  it('matches a hand computation', () => {
    // Spreads 1, 2, 0 around (1, 0), (10, 2), (1, 10); separations √85, 10, √145.
    // Worst ratios: 3/√85, 3/√85, 2/√145.
    const points = matrixFromRows([
      [0, 0],
      [2, 0],
      [10, 0],
      [10, 4],
      [1, 10],
    ]);
    const centroids = [
      [1, 0],
      [10, 2],
      [1, 10],
    ];
    const expected = (6 / Math.sqrt(85) + 2 / Math.sqrt(145)) / 3;
    expect(daviesBouldin(points, Int32Array.from([0, 0, 1, 1, 2]), centroids)).toBeCloseTo(expected, 14);
  });

  it('ignores empty clusters and needs two clusters', () => {
    const points = matrixFromRows([[0], [2], [10]]);
    // Spreads 1 and 0, separation 9.
    expect(daviesBouldin(points, Int32Array.from([0, 0, 2]), [[1], [50], [10]])).toBeCloseTo(1 / 9, 14);
    expect(daviesBouldin(points, Int32Array.from([0, 0, 0]), [[4], [9]])).toBe(0);
  });
});

describe('chooseK', () => {
  const square = [
    [0, 0],
    [15, 0],
    [0, 15],
    [15, 15],
  ];

  it('finds four planted blobs', () => {
    const { points } = blobs(square, [400, 300, 200, 100], 1, 3);
    const result = chooseK(points, { seed: 1 });
    expect(result.k).toBe(4);
    expect(result.candidates.map((c) => c.k)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    const four = result.candidates[1];
    expect(four?.eligible).toBe(true);
    expect(four?.smallestShare).toBeCloseTo(0.1, 2);
    for (const c of result.candidates) expect(c.silhouette).toBeLessThanOrEqual(four?.silhouette as number);
  });

  it('is deterministic and searches only a sample', () => {
    const { points } = blobs(square, [400, 300, 200, 100], 1, 3);
    const a = chooseK(points, { seed: 2, kMax: 5, sampleSize: 300 });
    expect(chooseK(points, { seed: 2, kMax: 5, sampleSize: 300 })).toEqual(a);
    expect(a.k).toBe(4);
    expect(a.candidates[1]?.smallestShare).toBeCloseTo(0.1, 1);
  });

  it('passes over k with a segment smaller than minShare', () => {
    // The blob at (15, 15) holds 15 of 1215 points (1.2 %).
    const { points } = blobs(square, [400, 400, 400, 15], 1, 4);
    const strict = chooseK(points, { seed: 1, kMax: 6 });
    expect(strict.candidates.find((c) => c.k === 4)?.eligible).toBe(false);
    expect(strict.k).toBe(3);
    expect(chooseK(points, { seed: 1, kMax: 6, minShare: 0.01 }).k).toBe(4);
  });

  it('falls back to the most balanced k when none is eligible', () => {
    const { points } = blobs(square, [400, 300, 200, 100], 1, 3);
    const result = chooseK(points, { seed: 1, kMax: 6, minShare: 0.5 });
    expect(result.candidates.every((c) => !c.eligible)).toBe(true);
    const balanced = Math.max(...result.candidates.map((c) => c.smallestShare));
    expect(result.candidates.find((c) => c.k === result.k)?.smallestShare).toBe(balanced);
  });

  it('rejects an empty search range', () => {
    const { points } = blobs(square, [2, 1, 0, 0], 1, 3);
    expect(() => chooseK(points, { seed: 1 })).toThrow(RangeError);
    expect(() => chooseK(points, { seed: 1, kMin: 1 })).toThrow(RangeError);
  });
});
