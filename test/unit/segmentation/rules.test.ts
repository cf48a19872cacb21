import { describe, expect, it } from 'vitest';
import { fitRules } from '#shared/segmentation/domain/explanation/rules';

// 20 shoppers: 1..20 orders, recency falling with orders, an uninformative refund rate.
const rows = Array.from({ length: 20 }, (_, i) => ({
  frequency365: i + 1,
  recencyDays: 200 - 9 * i,
  refundRate: (i * 7) % 3 === 0 ? 0.1 : 0.4,
}));

describe('fitRules', () => {
  it('finds a single threshold with full agreement and phrases it roundly', () => {
    const labels = rows.map((r) => (r.frequency365 >= 8 ? 1 : 0));
    const set = fitRules(rows, labels, ['refundRate', 'frequency365']);
    expect(set.agreement).toBe(1);
    expect(set.rules).toEqual({ 0: ['orders in the last year < 8'], 1: ['orders in the last year ≥ 8'] });
  });

  it('breaks ties between equally good features by feature order', () => {
    // recency 200 − 9i separates the same rows as frequency; between 146 and 137 days the roundest is 140.
    const labels = rows.map((r) => (r.frequency365 >= 8 ? 1 : 0));
    expect(fitRules(rows, labels, ['recencyDays', 'frequency365']).rules[1]).toEqual([
      'last order < 140 days ago',
    ]);
    expect(fitRules(rows, labels, ['frequency365', 'recencyDays']).rules[1]).toEqual([
      'orders in the last year ≥ 8',
    ]);
  });

  it('combines conditions along a path and lists several paths for one label', () => {
    const grid = Array.from({ length: 16 }, (_, i) => ({
      frequency365: 1 + (i % 4),
      refundRate: Math.floor(i / 4) / 4,
    }));
    // Label 1 only in one corner, so label 0 is reached by two paths.
    const labels = grid.map((r) => (r.frequency365 >= 3 && r.refundRate >= 0.5 ? 1 : 0));
    const set = fitRules(grid, labels, ['frequency365', 'refundRate'], { maxDepth: 2 });
    expect(set.agreement).toBe(1);
    expect(set.rules[1]).toEqual(['orders in the last year ≥ 3 and refund rate ≥ 50%']);
    // Larger leaf first.
    expect(set.rules[0]).toEqual([
      'orders in the last year < 3',
      'orders in the last year ≥ 3 and refund rate < 50%',
    ]);
  });

  it('does not split without gain, and merges sibling leaves that predict the same segment', () => {
    const grid = Array.from({ length: 16 }, (_, i) => ({
      frequency365: 1 + (i % 4),
      refundRate: Math.floor(i / 4) / 4,
    }));
    const xor = grid.map((r) => (r.frequency365 >= 3 !== r.refundRate >= 0.5 ? 1 : 0));
    const set = fitRules(grid, xor, ['frequency365', 'refundRate'], { maxDepth: 1 });
    expect(set.agreement).toBe(0.5);
    expect(set.rules).toEqual({ 0: ['all shoppers'], 1: [] });
    // The best split (at 6.5 orders) leaves a 2–2 tie on the right, which goes to label 0 like the left.
    const line = Array.from({ length: 10 }, (_, i) => ({ frequency365: i + 1 }));
    const mixed = line.map((r) => (r.frequency365 === 7 || r.frequency365 === 9 ? 1 : 0));
    const merged = fitRules(line, mixed, ['frequency365'], { maxDepth: 1 });
    // Segment 1 wins no leaf; its own tree against the rest (its 2 rows weighed ×4 against 8)
    // puts 7–10 on one side: 8 of its weight against 2 of the rest's.
    // Its rule is measured on the rows as they are (each once): 2 of the 4 it matches are its own.
    expect(merged).toEqual({
      agreement: 0.8,
      rules: { 0: ['all shoppers'], 1: ['orders in the last year ≥ 7'] },
      details: {
        0: [{ rule: 'all shoppers', precision: 0.8, coverage: 1 }],
        1: [{ rule: 'orders in the last year ≥ 7', precision: 0.5, coverage: 1 }],
      },
    });
  });

  it('reports partial agreement when the tree is too shallow, with money phrased in the currency', () => {
    const spend = Array.from({ length: 30 }, (_, i) => ({ monetary365: 10 * (i + 1) }));
    const labels = spend.map((_, i) => (i < 10 ? 0 : i < 20 ? 1 : 2));
    const set = fitRules(spend, labels, ['monetary365'], { maxDepth: 1, currency: 'GBP' });
    expect(set.agreement).toBeCloseTo(2 / 3, 12);
    expect(set.rules[0]).toEqual(['spent in the last year < £110']); // first of two equally good splits
    expect(Object.keys(set.rules).sort()).toEqual(['0', '1', '2']);
    expect(set.rules[1]?.length).toBe(1);
    // No leaf of the shared depth-1 tree is segment 2's: its own tree against the rest says why.
    expect(set.rules[2]).toEqual(['spent in the last year ≥ £210']);
    expect(fitRules(spend, labels, ['monetary365']).agreement).toBe(1);
  });

  it('respects minLeaf, handles one label and rejects mismatched input', () => {
    const labels = rows.map((_, i) => (i === 0 ? 1 : 0));
    // One shopper cannot make a 2-shopper leaf of the shared tree; weighed ×19 against the rest
    // in its own tree, it does.
    expect(fitRules(rows, labels, ['frequency365'], { minLeaf: 2 }).rules).toEqual({
      0: ['all shoppers'],
      1: ['orders in the last year < 2'],
    });
    expect(fitRules(rows, labels, ['frequency365'], { minLeaf: 1 }).agreement).toBe(1);
    expect(() => fitRules(rows, [1, 2], ['frequency365'])).toThrow();
  });
});
