import { describe, expect, it } from 'vitest';
import { type FeatureTransform, fitTransform } from '#shared/segmentation/domain/features/feature-transform';
import { FEATURES, type FeatureName, type RawFeatures } from '#shared/segmentation/domain/features/features';
import { hungarian } from '#shared/segmentation/domain/training/hungarian';
import { matchSegments, type PreviousSegment } from '#shared/segmentation/domain/training/matching';

const features: FeatureName[] = ['recencyDays', 'frequency365', 'monetary365', 'refundRate'];
const row = (values: Partial<RawFeatures>): RawFeatures =>
  ({ ...Object.fromEntries(FEATURES.map((f) => [f, 0])), ...values }) as RawFeatures;
const population = Array.from({ length: 200 }, (_, i) =>
  row({
    recencyDays: (i * 37) % 365,
    frequency365: 1 + (i % 25),
    monetary365: 20 + ((i * 13) % 900),
    refundRate: (i % 10) / 20,
  }),
);
const transform = fitTransform(population, features);

const previous: PreviousSegment[] = [
  {
    id: 'seg-1',
    name: 'Champions',
    centroid: { recencyDays: 8, frequency365: 18, monetary365: 700, refundRate: 0.05 },
  },
  {
    id: 'seg-2',
    name: 'Lost',
    centroid: { recencyDays: 320, frequency365: 1, monetary365: 30, refundRate: 0.1 },
  },
  {
    id: 'seg-4',
    name: 'At risk',
    centroid: { recencyDays: 200, frequency365: 9, monetary365: 300, refundRate: 0.3 },
  },
  { id: 'seg-5', name: 'New', centroid: { recencyDays: 5, frequency365: 1, monetary365: 60, refundRate: 0 } },
];
const moved = (c: Partial<RawFeatures>, factor: number): Partial<RawFeatures> =>
  Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v * factor]));

describe('hungarian', () => {
  it('finds the optimal assignment where greedy fails', () => {
    // Greedy takes the cheapest cell (0,0)=1 and is then forced into (1,1)=100.
    expect(
      hungarian([
        [1, 2],
        [2, 100],
      ]),
    ).toEqual([1, 0]);
    expect(
      hungarian([
        [4, 1, 3],
        [2, 0, 5],
        [3, 2, 2],
      ]),
    ).toEqual([1, 0, 2]);
  });

  it('matches brute force on pseudo-random 4×4 matrices and handles rectangles', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const perms = (n: number): number[][] =>
      n === 0
        ? [[]]
        : perms(n - 1).flatMap((p) =>
            Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
          );
    for (let t = 0; t < 20; t++) {
      const m = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => Math.round(rand() * 50)));
      const cost = (p: number[]) => p.reduce((s, j, i) => s + (m[i]?.[j] ?? 0), 0);
      const best = Math.min(...perms(4).map(cost));
      expect(cost(hungarian(m))).toBe(best);
    }
    expect(
      hungarian([
        [5, 1, 9],
        [1, 8, 9],
      ]),
    ).toEqual([1, 0]);
    expect(
      hungarian([
        [5, 1],
        [1, 8],
        [9, 9],
      ]),
    ).toEqual([1, 0, -1]);
    expect(
      hungarian([
        [5, 1],
        [1, 8],
        [0, 0],
      ]),
    ).toEqual([-1, 0, 1]);
    expect(hungarian([])).toEqual([]);
  });
});

describe('matchSegments', () => {
  it('keeps ids and names of a permuted, slightly moved copy of the model', () => {
    const order = [2, 0, 3, 1];
    const next = order.map((i, k) => moved(previous[i]?.centroid ?? {}, k % 2 === 0 ? 1.05 : 0.96));
    const result = matchSegments(previous, next, transform, { nextSequence: 6 });
    expect(result.ids).toEqual(['seg-4', 'seg-1', 'seg-5', 'seg-2']);
    expect(result.inheritedNames).toEqual(['At risk', 'Champions', 'New', 'Lost']);
    expect(result.retired).toEqual([]);
    expect(result.nextSequence).toBe(6);
    for (const d of result.distances) expect(d).toBeLessThan(0.3);
  });

  it('gives a far-away cluster a new id and retires a vanished one', () => {
    const next = [
      previous[0]?.centroid ?? {},
      { recencyDays: 100, frequency365: 25, monetary365: 40, refundRate: 0.45 }, // nothing like any before
      previous[3]?.centroid ?? {},
      previous[1]?.centroid ?? {},
    ];
    const result = matchSegments(previous, next, transform, { nextSequence: 6 });
    expect(result.ids).toEqual(['seg-1', 'seg-6', 'seg-5', 'seg-2']);
    expect(result.inheritedNames).toEqual(['Champions', undefined, 'New', 'Lost']);
    expect(result.distances).toEqual([0, null, 0, 0]);
    expect(result.retired).toEqual(['seg-4']);
    expect(result.nextSequence).toBe(7);
  });

  it('handles fewer or more clusters, and never reuses an id from a stale sequence', () => {
    const fewer = matchSegments(previous, [previous[2]?.centroid ?? {}], transform, { nextSequence: 6 });
    expect(fewer).toMatchObject({ ids: ['seg-4'], retired: ['seg-1', 'seg-2', 'seg-5'], nextSequence: 6 });
    const far = { recencyDays: 100, frequency365: 25, monetary365: 40, refundRate: 0.45 };
    const more = matchSegments(previous.slice(0, 1), [far, previous[0]?.centroid ?? {}, far], transform, {
      nextSequence: 1,
    });
    expect(more.ids).toEqual(['seg-2', 'seg-1', 'seg-3']);
    expect(more.nextSequence).toBe(4);
    const first = matchSegments([], [far], transform, { nextSequence: 1 });
    expect(first).toEqual({
      ids: ['seg-1'],
      inheritedNames: [undefined],
      retired: [],
      nextSequence: 2,
      distances: [null],
    });
  });

  it('uses the optimal assignment, not nearest-first, and caps it at maxDistance', () => {
    // One linear feature scaled ×10: previous A=3, B=1; next X=2.5, Y=4.
    const t: FeatureTransform = {
      features: ['refundRate'],
      steps: [{ feature: 'refundRate', log: false, low: 0, high: 1, center: 0, scale: 0.1 }],
    };
    const prev: PreviousSegment[] = [
      { id: 'A', name: 'a', centroid: { refundRate: 0.3 } },
      { id: 'B', name: 'b', centroid: { refundRate: 0.1 } },
    ];
    const next = [{ refundRate: 0.25 }, { refundRate: 0.4 }];
    // Nearest-first would pair A–X (0.5) and leave B–Y (3); the optimum is B–X (1.5) + A–Y (1).
    const wide = matchSegments(prev, next, t, { nextSequence: 1, maxDistance: 5 });
    expect(wide.ids).toEqual(['B', 'A']);
    expect(wide.distances[0]).toBeCloseTo(1.5, 12);
    expect(wide.distances[1]).toBeCloseTo(1, 12);
    // With the default cap of 1.5 a far pair is worth no more than no match: keep the close one.
    const capped = matchSegments(prev, next, t, { nextSequence: 1 });
    expect(capped.ids).toEqual(['A', 'seg-1']);
    expect(capped.retired).toEqual(['B']);
  });
});
