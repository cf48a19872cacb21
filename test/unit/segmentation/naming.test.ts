import { describe, expect, it } from 'vitest';
import {
  describe as describeCentroid,
  nameSegments,
  populationScale,
  RFM_GRID,
  RFM_NAMES,
  standing,
} from '#shared/segmentation/domain/explanation/naming';

// 100 shoppers with distinct values: recency 1..298 days, 1..100 orders, $10..$1000.
const population = Array.from({ length: 100 }, (_, i) => ({
  recencyDays: 3 * i + 1,
  frequency365: i + 1,
  monetary365: 10 * (i + 1),
}));
const scale = populationScale(population);
const nameOf = (c: { recencyDays: number; frequency365: number; monetary365: number }) =>
  nameSegments([c], scale)[0]?.name;

describe('populationScale / standing', () => {
  it('stores percentiles as data values and puts ties at their bottom', () => {
    const tied = populationScale(
      Array.from({ length: 100 }, (_, i) => ({ frequency365: i < 60 ? 1 : i < 80 ? 2 : 3 })),
    );
    expect(tied.frequency365).toHaveLength(101);
    expect(tied.recencyDays).toEqual([]);
    const cuts = tied.frequency365;
    expect(standing(cuts, 1)).toBe(0);
    expect(standing(cuts, 2)).toBeCloseTo(0.6, 12);
    expect(standing(cuts, 1.5)).toBeCloseTo(0.3, 12);
    expect(standing(cuts, 3)).toBeCloseTo(0.8, 12);
    expect(standing(cuts, 4)).toBe(1);
    expect(standing([], 4)).toBe(0.5);
  });
});

describe('nameSegments', () => {
  it('has a grid in which every R/F/M cell has exactly one name', () => {
    for (let r = 1; r <= 5; r++)
      for (let f = 1; f <= 5; f++)
        for (let m = 1; m <= 5; m++) {
          const inside = RFM_GRID.filter(
            (b) => b.r[0] <= r && r <= b.r[1] && b.f[0] <= f && f <= b.f[1] && b.m[0] <= m && m <= b.m[1],
          );
          expect(inside, `${r}${f}${m}`).toHaveLength(1);
        }
    expect(new Set(RFM_GRID.map((b) => b.name))).toEqual(new Set(RFM_NAMES));
  });

  it('names clear cases from their R/F/M scores', () => {
    const [champion] = nameSegments([{ recencyDays: 2, frequency365: 95, monetary365: 950 }], scale);
    expect(champion).toMatchObject({ name: 'Champions', scores: { r: 5, f: 5, m: 5 } });
    expect(nameOf({ recencyDays: 290, frequency365: 2, monetary365: 20 })).toBe('Lost');
    expect(nameOf({ recencyDays: 220, frequency365: 5, monetary365: 40 })).toBe('Hibernating');
    expect(nameOf({ recencyDays: 250, frequency365: 90, monetary365: 900 })).toBe("Can't lose");
    expect(nameOf({ recencyDays: 250, frequency365: 90, monetary365: 100 })).toBe('At risk');
    expect(nameOf({ recencyDays: 1, frequency365: 1, monetary365: 10 })).toBe('New');
    expect(nameOf({ recencyDays: 150, frequency365: 50, monetary365: 500 })).toBe('Need attention');
  });

  it('keeps names unique: the truer champion keeps the name, the other takes its next best', () => {
    const named = nameSegments(
      [
        { recencyDays: 75, frequency365: 80, monetary365: 800 }, // R4 F4: champion at the edge
        { recencyDays: 2, frequency365: 95, monetary365: 950 }, // R5 F5
      ],
      scale,
    );
    expect(named.map((n) => n.name)).toEqual(['Loyal', 'Champions']);
    expect(named[0]?.scores).toEqual({ r: 4, f: 4, m: 4 });
  });

  it('suffixes a name when no nearby name is left, and never repeats one', () => {
    const top = { recencyDays: 2, frequency365: 95, monetary365: 950 };
    const named = nameSegments([top, { ...top, monetary365: 150 }, top], scale).map((n) => n.name);
    expect(named).toEqual(['Champions', 'Champions (low value)', 'Champions (2)']);
    const spread = Array.from({ length: 15 }, (_, i) => ({
      recencyDays: 1 + 20 * i,
      frequency365: 1 + ((i * 37) % 100),
      monetary365: 10 + ((i * 53) % 1000),
    }));
    const names = nameSegments(spread, scale).map((n) => n.name);
    expect(new Set(names).size).toBe(15);
  });

  it('describes a centroid in real units and calls out extreme behaviour', () => {
    const [segment] = nameSegments(
      [{ frequency365: 6, recencyDays: 12, averageOrderValue: 54, monetary365: 324, tenureDays: 400 }],
      scale,
    );
    expect(segment?.description).toBe(
      '6 orders in the last year, last order 12 days ago, about $54 an order',
    );
    expect(
      describeCentroid(
        { frequency365: 1, recencyDays: 200, monetary365: 80, refundRate: 0.35, discountShare: 0.8 },
        'EUR',
      ),
    ).toBe(
      '1 order in the last year, last order 7 months ago, about €80 an order, high refund rate (35% of spend), mostly coupon orders (80%)',
    );
    expect(describeCentroid({ frequency365: 1.44, averageOrderValue: 1234.5, tenureDays: 20 }, 'CHF')).toBe(
      '1.4 orders in the last year, about CHF 1,235 an order, first seen 20 days ago',
    );
  });

  it('scores a neutral 3 without a population', () => {
    const [segment] = nameSegments([{ recencyDays: 5 }], populationScale([]));
    expect(segment?.scores).toEqual({ r: 3, f: 3, m: 3 });
    expect(segment?.name).toBe('Need attention');
  });
});
