/**
 * The figures stored with a model for the dashboard's reads: medians, revenue shares, feature
 * spreads per segment, the predicted value histogram, and each rule's precision and coverage.
 */
import { describe, expect, it } from 'vitest';
import { fitRules } from '#shared/segmentation/domain/explanation/rules';
import {
  FIGURE_FEATURES,
  medianInPlace,
  medianSorted,
  niceStep,
  segmentFigures,
  valueDistribution,
} from '#shared/segmentation/domain/explanation/segment-figures';

describe('medianSorted', () => {
  it('is the middle value, or the mean of the two middle ones, and NaN when empty', () => {
    expect(medianSorted([3])).toBe(3);
    expect(medianSorted([1, 2, 10])).toBe(2);
    expect(medianSorted([1, 2, 4, 10])).toBe(3);
    expect(medianSorted(Float64Array.from([0, 0, 0, 5]))).toBe(0);
    expect(medianSorted([])).toBeNaN();
  });
});

describe('medianInPlace', () => {
  it('is the median of the values sorted, with ties, duplicates and any order', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let r = 0; r < 500; r++) {
      const values = Float64Array.from({ length: 1 + Math.floor(next() * 40) }, () => Math.floor(next() * 8));
      expect(medianInPlace(values.slice())).toBe(medianSorted(values.slice().sort()));
    }
    expect(medianInPlace(new Float64Array())).toBeNaN();
  });
});

describe('niceStep', () => {
  it('rounds a width up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceStep(1)).toBe(1);
    expect(niceStep(1.2)).toBe(2);
    expect(niceStep(2.2)).toBe(2.5);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(0.031)).toBeCloseTo(0.05, 12);
    expect(niceStep(430)).toBe(500);
    expect(niceStep(0)).toBe(1);
  });
});

describe('valueDistribution', () => {
  it('is null for no values, one bucket for equal values', () => {
    expect(valueDistribution([])).toBeNull();
    expect(valueDistribution([Number.NaN])).toBeNull();
    expect(valueDistribution([7, 7, 7])).toEqual({
      sampled: 3,
      median: 7,
      mean: 7,
      buckets: [{ from: 7, to: null, share: 1 }],
    });
  });

  it('cuts round, equal buckets from the smallest value to the 99th percentile, shares adding to 1', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i); // 0 … 999
    const d = valueDistribution(values);
    expect(d).not.toBeNull();
    if (!d) return;
    expect(d.sampled).toBe(1000);
    expect(d.median).toBe(499.5);
    expect(d.mean).toBe(499.5);
    // p99 = 989: width 98.9 → 100; buckets 0–100 … 900–1000; nothing reaches 1000, so no open bucket.
    expect(d.buckets).toHaveLength(10);
    expect(d.buckets[0]).toEqual({ from: 0, to: 100, share: 0.1 });
    expect(d.buckets.at(-1)).toEqual({ from: 900, to: 1000, share: 0.1 });
    expect(d.buckets.reduce((s, b) => s + b.share, 0)).toBeCloseTo(1, 9);
    for (let i = 1; i < d.buckets.length; i++) expect(d.buckets[i]?.from).toBe(d.buckets[i - 1]?.to);
  });

  it('puts the top tail past the 99th percentile in one open bucket, and counts every value once', () => {
    const values = [...Array.from({ length: 990 }, (_, i) => 1000 + (i % 100)), ...Array(10).fill(1e6)];
    const d = valueDistribution(values);
    if (!d) throw new Error('no distribution');
    const open = d.buckets.at(-1);
    expect(open?.to).toBeNull();
    expect(open?.share).toBeCloseTo(0.01, 9);
    expect(d.buckets[0]?.from).toBeLessThanOrEqual(1000);
    expect(d.buckets.length).toBeLessThanOrEqual(12);
    const counted = d.buckets.reduce((s, b) => s + Math.round(b.share * 1000), 0);
    expect(counted).toBe(1000);
    // Each value falls in the bucket whose [from, to) holds it.
    for (const v of [1000, 1050, 1099]) {
      const holding = d.buckets.filter((b) => v >= b.from && (b.to === null || v < b.to));
      expect(holding).toHaveLength(1);
    }
  });
});

describe('segmentFigures', () => {
  const rows = [
    { recencyDays: 5, frequency365: 10, monetary365: 900 },
    { recencyDays: 7, frequency365: 8, monetary365: 700 },
    { recencyDays: 200, frequency365: 1, monetary365: 50 },
    { recencyDays: 300, frequency365: 1, monetary365: 30 },
    { recencyDays: 250, frequency365: 2, monetary365: 20 },
  ];
  const labels = [0, 0, 1, 1, 1];

  it("gives each segment its share of the sample's 365-day spend, adding to 1", () => {
    const { segments, population } = segmentFigures(rows, labels, 2);
    expect(population.sampled).toBe(5);
    expect(population.revenue365).toBe(1700);
    expect(segments[0]?.revenueShare).toBeCloseTo(1600 / 1700, 6);
    expect(segments[1]?.revenueShare).toBeCloseTo(100 / 1700, 6);
    expect(segments.map((s) => s.sampled)).toEqual([2, 3]);
  });

  it('gives medians and means per segment and over all rows, with the population std', () => {
    const { segments, population } = segmentFigures(rows, labels, 2);
    expect(segments[0]?.features.recencyDays).toEqual({ median: 6, mean: 6 });
    expect(segments[1]?.features.frequency365).toEqual({ median: 1, mean: 1.3333 });
    expect(population.features.monetary365?.median).toBe(50);
    expect(population.features.monetary365?.mean).toBe(340);
    const std = Math.sqrt(rows.reduce((s, r) => s + (r.monetary365 - 340) ** 2, 0) / rows.length);
    expect(population.features.monetary365?.std).toBeCloseTo(std, 3);
    // Every compared feature is present; missing values count as 0.
    expect(Object.keys(population.features).sort()).toEqual([...FIGURE_FEATURES].sort());
    expect(population.features.refundRate).toEqual({ median: 0, mean: 0, std: 0 });
    expect(FIGURE_FEATURES).not.toContain('predictedValue');
  });

  it('gives an empty segment zeros, and no revenue at all zero shares', () => {
    const { segments } = segmentFigures(
      rows.map((r) => ({ ...r, monetary365: 0 })),
      labels,
      3,
    );
    expect(segments[2]).toMatchObject({ sampled: 0, revenueShare: 0 });
    expect(segments[2]?.features.recencyDays).toEqual({ median: 0, mean: 0 });
    expect(segments[0]?.revenueShare).toBe(0);
  });
});

describe("fitRules' precision and coverage", () => {
  it('are 1 and 1 for a rule that separates exactly, and match a count by hand otherwise', () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ frequency365: i + 1 }));
    const exact = fitRules(
      rows,
      rows.map((r) => (r.frequency365 >= 8 ? 1 : 0)),
      ['frequency365'],
    );
    expect(exact.details[1]).toEqual([{ rule: 'orders in the last year ≥ 8', precision: 1, coverage: 1 }]);

    // Two rows of label 1 sit among label 0 (frequency 2 and 3): the tree cannot isolate them at minLeaf 2.
    const labels = rows.map((r) => (r.frequency365 >= 11 || r.frequency365 === 2 ? 1 : 0));
    const set = fitRules(rows, labels, ['frequency365'], { minLeaf: 4 });
    for (const label of [0, 1]) {
      expect(set.details[label]?.map((d) => d.rule)).toEqual(set.rules[label]);
      for (const { rule, precision, coverage } of set.details[label] ?? []) {
        const bound = Number(/(\d+)/.exec(rule)?.[1]);
        const matches = rows
          .map((r, i) => ({ r, i }))
          .filter(({ r }) => (rule.includes('≥') ? r.frequency365 >= bound : r.frequency365 < bound));
        const own = matches.filter(({ i }) => labels[i] === label).length;
        const members = labels.filter((l) => l === label).length;
        expect(precision).toBeCloseTo(own / matches.length, 4);
        expect(coverage).toBeCloseTo(own / members, 4);
      }
    }
  });
});
