/**
 * The bottom-k sample on its own, with keys drawn from a tiny range so that ties (broken by
 * shopper id) are the rule: streaming keeps the k smallest, given back in key order, and streaming the
 * samples of consecutive parts, in order, gives the sample of the whole (which is how training
 * summaries merge).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BottomKSample, type Keyed, keyOrder } from '#shared/segmentation/domain/features/bottom-k-sample';

interface Item extends Keyed {
  readonly arrival: number;
}

/** Distinct shoppers with keys in 0..7, in a random arrival order. */
const itemsArbitrary = fc
  .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 7 })), {
    selector: ([id]) => id,
    maxLength: 60,
  })
  .map((pairs) => pairs.map(([id, key], arrival): Item => ({ shopperId: `s${id}`, key, arrival })));

/** What the sample must be: the k smallest by (key, id), in that order, whatever the arrival order. */
const expected = (items: readonly Item[], k: number): Item[] => [...items].sort(keyOrder).slice(0, k);

const streamed = (items: readonly Item[], k: number): Item[] => {
  const sample = new BottomKSample<Item>(k);
  for (const item of items) sample.add(item);
  return sample.items();
};

describe('BottomKSample', () => {
  it('keeps the k smallest (key, shopper id), in that order', () => {
    fc.assert(
      fc.property(itemsArbitrary, fc.integer({ min: 0, max: 70 }), (items, k) => {
        expect(streamed(items, k)).toEqual(expected(items, k));
      }),
      { seed: 20_250_701, numRuns: 300 },
    );
  });

  it("merges consecutive parts' samples, added in order to one sample, into the sample of the whole", () => {
    fc.assert(
      fc.property(
        itemsArbitrary,
        fc.integer({ min: 0, max: 70 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 60 })),
        (items, k, cuts) => {
          const bounds = [0, ...cuts.filter((c) => c < items.length).sort((a, b) => a - b), items.length];
          const parts = bounds.slice(1).map((end, i) => streamed(items.slice(bounds[i], end), k));
          expect(streamed(parts.flat(), k)).toEqual(expected(items, k));
        },
      ),
      { seed: 20_250_702, numRuns: 300 },
    );
  });

  it('tells whether a candidate would be kept before it is built', () => {
    const sample = new BottomKSample<Item>(2);
    sample.add({ shopperId: 'b', key: 5, arrival: 0 });
    sample.add({ shopperId: 'c', key: 5, arrival: 1 });
    expect(sample.admits({ shopperId: 'a', key: 5 })).toBe(true);
    expect(sample.admits({ shopperId: 'd', key: 5 })).toBe(false);
    expect(sample.admits({ shopperId: 'z', key: 4 })).toBe(true);
    expect(new BottomKSample<Item>(0).admits({ shopperId: 'a', key: 0 })).toBe(false);
  });

  it('has no cutoff until it drops a shopper, then the largest kept: everyone offered at or below it is kept', () => {
    const sample = new BottomKSample<Item>(2);
    sample.add({ shopperId: 'a', key: 7, arrival: 0 });
    sample.add({ shopperId: 'b', key: 3, arrival: 1 });
    expect(sample.cutoff()).toBeNull();
    // Refused when offered, before being built: a drop all the same.
    expect(sample.offer({ shopperId: 'c', key: 9 })).toBe(false);
    expect(sample.cutoff()).toEqual({ shopperId: 'a', key: 7 });
    sample.add({ shopperId: 'd', key: 1, arrival: 2 });
    expect(sample.cutoff()).toEqual({ shopperId: 'b', key: 3 });
    expect(sample.items().map((i) => i.shopperId)).toEqual(['d', 'b']);
  });
});
