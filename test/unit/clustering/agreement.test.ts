import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, migrationMatrix } from '#shared/segmentation/domain/clustering/agreement';

describe('adjustedRandIndex', () => {
  it('is 1 for the same partition under any labels', () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2], [0, 0, 1, 1, 2])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 1, 2], [7, 7, 3, 3, 5])).toBe(1);
    expect(adjustedRandIndex(Int32Array.from([2, 2, 0]), [0, 0, 1])).toBe(1);
  });

  it('matches known values', () => {
    // index 1, row pairs 2, column pairs 1, expected 2·1/6: (1 − 1/3) / (3/2 − 1/3) = 4/7 (scikit-learn's example).
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 14);
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(4 / 7, 14);
    // No agreeing pair, expected 2·2/6: (0 − 2/3) / (2 − 2/3) = −1/2.
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 14);
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
  });

  it('treats identical degenerate partitions as perfect', () => {
    expect(adjustedRandIndex([1, 1, 1], [4, 4, 4])).toBe(1);
    expect(adjustedRandIndex([0, 1, 2], [2, 1, 0])).toBe(1);
    expect(adjustedRandIndex([], [])).toBe(1);
    expect(adjustedRandIndex([3], [5])).toBe(1);
  });

  it('rejects labelings of different lengths', () => {
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(RangeError);
  });
});

describe('migrationMatrix', () => {
  it('counts moves with ascending keys', () => {
    const m = migrationMatrix([2, 0, 0, 1, 1], [0, 1, 1, 1, 0]);
    expect([...m.keys()]).toEqual([0, 1, 2]);
    expect([...(m.get(1)?.entries() ?? [])]).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(m.get(0)).toEqual(new Map([[1, 2]]));
    expect(m.get(2)).toEqual(new Map([[0, 1]]));
  });
});
