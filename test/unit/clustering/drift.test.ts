import { describe, expect, it } from 'vitest';
import {
  binShares,
  populationStabilityIndex,
  quantileEdges,
} from '#shared/segmentation/domain/clustering/drift';

describe('quantileEdges', () => {
  it('puts interior edges at the reference quantiles', () => {
    const values = Array.from({ length: 11 }, (_, i) => 10 - i);
    expect(quantileEdges(values, 5)).toEqual([2, 4, 6, 8]);
    expect(quantileEdges(values, 2)).toEqual([5]);
    expect(quantileEdges(values)).toHaveLength(9);
  });

  it('merges equal edges of a point mass and ignores non-finite values', () => {
    const edges = quantileEdges([0, 0, 0, 0, 0, 0, 1, 2, 3, 4, Number.NaN], 5);
    // Positions 1.8, 3.6, 5.4, 7.2 in the sorted values.
    expect(edges).toHaveLength(3);
    expect(edges[0]).toBe(0);
    expect(edges[1]).toBeCloseTo(0.4, 14);
    expect(edges[2]).toBeCloseTo(2.2, 14);
    expect(quantileEdges([])).toEqual([]);
    expect(quantileEdges([3, 3, 3])).toEqual([3]);
  });
});

describe('binShares', () => {
  it('counts right-closed bins', () => {
    expect(binShares([0, 0, 0, 0, 0, 0, 1, 2, 3, 4], [0, 0.4, 2.2])).toEqual([0.6, 0, 0.2, 0.2]);
    expect(binShares([-1, 1, 2, 5, Number.NaN], [1, 2])).toEqual([0.5, 0.25, 0.25]);
    expect(binShares([], [1])).toEqual([0, 0]);
    expect(binShares([1, 2], [])).toEqual([1]);
  });
});

describe('populationStabilityIndex', () => {
  it('is 0 for identical distributions', () => {
    expect(populationStabilityIndex([0.2, 0.3, 0.5], [0.2, 0.3, 0.5])).toBe(0);
  });

  it('matches a hand computation', () => {
    // (0.25 − 0.5)·ln(0.5) + (0.75 − 0.5)·ln(1.5) = 0.25·ln 3.
    expect(populationStabilityIndex([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.25 * Math.log(3), 14);
    expect(populationStabilityIndex([0.25, 0.75], [0.5, 0.5])).toBeCloseTo(0.25 * Math.log(3), 14);
  });

  it('floors empty bins at epsilon', () => {
    const expected = 0.1 * Math.log(1.25) + (0.1 - 1e-4) * Math.log(0.1 / 1e-4);
    expect(populationStabilityIndex([0.5, 0.5, 0], [0.5, 0.4, 0.1])).toBeCloseTo(expected, 14);
    expect(populationStabilityIndex([0.5, 0.5, 0], [0.5, 0.4, 0.1], 0.01)).toBeCloseTo(
      0.1 * Math.log(1.25) + 0.09 * Math.log(10),
      14,
    );
    expect(() => populationStabilityIndex([1], [0.5, 0.5])).toThrow(RangeError);
  });
});
