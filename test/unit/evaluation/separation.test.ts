/** The separation measures and the RFM grid baseline, on fixtures small enough to compute by hand. */
import { describe, expect, it } from 'vitest';
import {
  gridCell,
  quintileScores,
  RFM_GRID_NAMES,
  rfmGridLabels,
} from '#shared/segmentation/domain/validation/rfm-grid';
import {
  aucStandardError,
  averageRanks,
  etaSquared,
  etaSquaredStandardError,
  largestShare,
  segmentAuc,
  spearman,
} from '#shared/segmentation/domain/validation/separation';

describe('segmentAuc', () => {
  it('scores each shopper by their segment rate, ties counting half', () => {
    // Segment 0: rate 1/2 (one positive, one negative); segment 1: rate 1 (two positives).
    // Pairs (positive, negative): the two of segment 1 beat the negative (2), segment 0's tie counts ½.
    expect(segmentAuc([0, 0, 1, 1], [false, true, true, true])).toBeCloseTo(2.5 / 3, 12);
  });
  it('is 1 for a perfect split, 0.5 for one segment, and 0.5 with nothing to rank', () => {
    expect(segmentAuc([0, 0, 1, 1], [false, false, true, true])).toBe(1);
    expect(segmentAuc([3, 3, 3, 3], [false, true, false, true])).toBe(0.5);
    expect(segmentAuc([0, 1], [true, true])).toBe(0.5);
  });
  it('treats two segments of equal rate as tied', () => {
    expect(segmentAuc([0, 0, 1, 1], [true, false, true, false])).toBe(0.5);
  });
});

describe('etaSquared', () => {
  it('is the share of variance explained by segment means', () => {
    // Mean 4; total SS 9 + 1 + 1 + 9 = 20; between 2·(2 − 4)² + 2·(6 − 4)² = 16.
    expect(etaSquared([0, 0, 1, 1], [1, 3, 5, 7])).toBeCloseTo(0.8, 12);
    expect(etaSquared([0, 1], [2, 2])).toBe(0);
  });
});

describe('ranks and correlation', () => {
  it('gives ties their average rank, and Spearman ρ from ranks', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3], [30, 20, 10])).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3], [1, 4, 9])).toBeCloseTo(1, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
  });
  it('reports the largest segment share', () => {
    expect(largestShare([1, 1, 1, 2])).toBe(0.75);
  });
});

describe('the RFM grid', () => {
  it('scores quintiles by rank, ties sharing one score', () => {
    expect(Array.from(quintileScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toEqual([
      1, 1, 2, 2, 3, 3, 4, 4, 5, 5,
    ]);
    // Eight of ten tied at 1: average rank 4.5 → score 3 for all of them.
    expect(Array.from(quintileScores([1, 1, 1, 1, 1, 1, 1, 1, 2, 3]))).toEqual([
      3, 3, 3, 3, 3, 3, 3, 3, 5, 5,
    ]);
  });
  it('names cells first match wins', () => {
    expect(gridCell(5, 5)).toBe('Champions');
    expect(gridCell(3, 3)).toBe('Loyal');
    expect(gridCell(4, 2)).toBe('Potential loyalists');
    expect(gridCell(5, 1)).toBe('New');
    expect(gridCell(4, 1)).toBe('Promising');
    expect(gridCell(3, 2)).toBe('Need attention');
    expect(gridCell(3, 1)).toBe('About to sleep');
    expect(gridCell(2, 4)).toBe("Can't lose");
    expect(gridCell(1, 3)).toBe('At risk');
    expect(gridCell(2, 2)).toBe('Hibernating');
    expect(gridCell(1, 1)).toBe('Lost');
  });
  it('labels the most recent, most frequent, biggest spender a Champion and the opposite Lost', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      recencyDays: 100 - i * 10,
      orderDays: i + 1,
      revenue: i * 50,
    }));
    const labels = rfmGridLabels(rows);
    expect(RFM_GRID_NAMES[labels[9] as number]).toBe('Champions');
    expect(RFM_GRID_NAMES[labels[0] as number]).toBe('Lost');
  });
});

describe('aucStandardError', () => {
  it('follows Hanley & McNeil: about 0.031 for AUC 0.8 with 100 positives and 100 negatives', () => {
    // q1 = 0.8/1.2 = 0.6667, q2 = 1.28/1.8 = 0.7111; var = (0.16 + 99·0.0267 + 99·0.0711)/10⁴.
    expect(aucStandardError(0.8, 100, 100)).toBeCloseTo(0.0313, 3);
    expect(aucStandardError(0.8, 0, 100)).toBe(0);
  });
});

describe('etaSquaredStandardError', () => {
  it('follows the Olkin–Finn approximation', () => {
    // R² 0.2, n 1000, 5 groups (k = 4): 4·0.2·0.64·995² / ((10⁶ − 1)·1003).
    const expected = Math.sqrt((4 * 0.2 * 0.64 * 995 ** 2) / ((1000 ** 2 - 1) * 1003));
    expect(etaSquaredStandardError(0.2, 1000, 5)).toBeCloseTo(expected, 12);
    expect(etaSquaredStandardError(0.2, 4, 5)).toBe(0);
  });
});
