/**
 * The mergeable training summary (shared/segmentation/domain/features/training-summary.ts):
 * - with no more buyers than k, what training takes is every profile's, ordered by sampling key, as
 *   the one-pass builder has always given it (stated here from the profiles, not hard-coded);
 * - any split into consecutive parts, merged in order, gives the summary of one pass, sampled
 *   or not; merged in any order and grouping, the very same summary;
 * - a JSON round trip changes nothing; the samples stay at k, the k smallest keys, uniformly.
 *
 * Profiles come from the real reducer: the bench's synthetic shoppers (long histories, so the
 * backtest is available on a few hundred), plus generated ones with other currencies, prospects
 * and short histories (so parts choose different backtest horizons than the whole).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticProfiles } from '#bench/synthetic-profiles';
import { purchaseSummaryOfProfile } from '#shared/customer-value/domain/profile-summary';
import { applyEvents, type EventToApply } from '#shared/ingestion/domain/apply-events';
import type { Profile } from '#shared/ingestion/domain/profile';
import { keyOrder, shopperKey } from '#shared/segmentation/domain/features/bottom-k-sample';
import { rawFeatures } from '#shared/segmentation/domain/features/features';
import { TrainingDataBuilder, trainingDataOf } from '#shared/segmentation/domain/features/training-data';
import {
  emptyTrainingSummary,
  mergeTrainingSummaries,
  shareCap,
  type TrainingSummary,
  TrainingSummaryBuilder,
  type TrainingSummaryOptions,
} from '#shared/segmentation/domain/features/training-summary';
import { backtestHorizon, backtestRow } from '#shared/segmentation/domain/training/backtest';

const asOf = new Date('2025-07-01T00:00:00Z');
const DAY_MS = 86_400_000;
const options = (overrides: Partial<TrainingSummaryOptions> = {}): TrainingSummaryOptions => ({
  asOf,
  maxRows: 100_000,
  seed: 42,
  clv: { unit: 'day', calibrationDays: null },
  ...overrides,
});

interface ShopperSpec {
  readonly orders: readonly { daysAgo: number; amount: number; currency: string }[];
  readonly viewDaysAgo: number;
}

/** A shopper's profile from their events, through the product's reducer (a page view first: prospects exist too). */
const profileOf = (shopperId: string, spec: ShopperSpec): Profile => {
  const at = (daysAgo: number, hour: number) =>
    new Date(asOf.getTime() - daysAgo * DAY_MS - hour * 3_600_000);
  const base = { shopperId, anonymous: false, type: 'track' as const, products: [] };
  const items: EventToApply[] = [
    {
      event: {
        ...base,
        messageId: `${shopperId}-v`,
        behaviour: 'page',
        at: at(spec.viewDaysAgo, 2).toISOString(),
      },
    },
    ...spec.orders.map((o, i) => ({
      event: {
        ...base,
        messageId: `${shopperId}-o${i}`,
        behaviour: 'order_completed' as const,
        at: at(o.daysAgo, 1).toISOString(),
        orderId: `${shopperId}-${i}`,
        amount: o.amount,
        currency: o.currency,
      },
    })),
  ];
  return applyEvents(undefined, items, { now: asOf, defaultCurrency: 'USD' });
};

const shopperArbitrary: fc.Arbitrary<ShopperSpec> = fc.record({
  orders: fc.array(
    fc.record({
      // Mostly recent: short histories, where the backtest horizon is short or not yet possible.
      daysAgo: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 500 })),
      amount: fc.integer({ min: 100, max: 50_000 }).map((cents) => cents / 100),
      currency: fc.constantFrom('USD', 'EUR', 'GBP'),
    }),
    { maxLength: 5 },
  ),
  viewDaysAgo: fc.integer({ min: 0, max: 600 }),
});

/** 300 synthetic shoppers and 120 generated ones, interleaved: a fixed, seeded pool. */
const POOL: readonly Profile[] = (() => {
  const synthetic = [...syntheticProfiles(300, asOf, 11)];
  const generated = fc
    .sample(shopperArbitrary, { seed: 7, numRuns: 120 })
    .map((spec, i) => profileOf(`gen-${i}`, spec));
  return synthetic.flatMap((p, i) =>
    i % 5 === 0 && generated[i / 5] ? [p, generated[i / 5] as Profile] : [p],
  );
})();

const summaryOf = (profiles: readonly Profile[], opts: TrainingSummaryOptions): TrainingSummary => {
  const builder = new TrainingSummaryBuilder(opts);
  for (const profile of profiles) builder.add(profile);
  return builder.summary();
};

/** Consecutive parts of `items` cut at `cuts` (any numbers; those inside the range are used). */
const partsOf = <T>(items: readonly T[], cuts: readonly number[]): T[][] => {
  const bounds = [...new Set([0, ...cuts.filter((c) => c > 0 && c < items.length), items.length])].sort(
    (a, b) => a - b,
  );
  return bounds.slice(1).map((end, i) => items.slice(bounds[i], end));
};

const buyerCount = (profiles: readonly Profile[]) => profiles.filter((p) => rawFeatures(p, asOf)).length;

/** A pool subset in some order (often most of it), cut points, and k above or below the number of buyers. */
const scenarioArbitrary = fc
  .record({
    profiles: fc.oneof(fc.shuffledSubarray([...POOL], { minLength: 300 }), fc.shuffledSubarray([...POOL])),
    cutAt: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
    sampled: fc.boolean(),
    kFraction: fc.nat({ max: 1_000 }).map((n) => n / 1_000),
    backtestKFraction: fc.oneof(
      fc.constant(2),
      fc.nat({ max: 1_200 }).map((n) => n / 1_000),
    ),
    seed: fc.integer({ min: 0, max: 1_000 }),
  })
  .map(({ profiles, cutAt, sampled, kFraction, backtestKFraction, seed }) => {
    const buyers = buyerCount(profiles);
    const maxRows = sampled ? Math.floor(kFraction * buyers) : buyers + Math.floor(kFraction * 10);
    const backtestSample = Math.floor(backtestKFraction * buyers);
    const cuts = cutAt.map((n) => n % (profiles.length + 1));
    return { profiles, cuts, buyers, opts: options({ maxRows, backtestSample, seed }) };
  });

describe('training summary, nothing sampled', () => {
  const profiles = POOL;
  const buyers = profiles.filter((p) => rawFeatures(p, asOf));

  it("gives every buyer's rows in the order of their sampling key, the exact counts, the currency and the backtest", () => {
    // Stated from the profiles: every buyer, ordered by their key (seed 42; the backtest's, 49).
    const byKey = (seed: number) => (a: Profile, b: Profile) =>
      keyOrder(
        { shopperId: a.shopperId, key: shopperKey(seed, a.shopperId) },
        { shopperId: b.shopperId, key: shopperKey(seed, b.shopperId) },
      );
    const firstOrder = Math.min(
      ...buyers.flatMap((p) => (p.firstOrderAt ? [Date.parse(p.firstOrderAt)] : [])),
    );
    const horizonDays = backtestHorizon((asOf.getTime() - firstOrder) / DAY_MS);
    if (horizonDays === null) throw new Error('the pool should have history enough for a backtest');
    const currencyCounts = new Map<string, number>();
    for (const p of buyers)
      if (p.currency) currencyCounts.set(p.currency, (currencyCounts.get(p.currency) ?? 0) + 1);
    const top = Math.max(...currencyCounts.values());
    const backtestRows = [...buyers].sort(byKey(49)).flatMap((p) => backtestRow(p, asOf, horizonDays) ?? []);
    const rowOrder = [...buyers].sort(byKey(42));

    const builder = new TrainingDataBuilder(options({ maxRows: buyers.length }));
    for (const profile of profiles) builder.add(profile);
    const data = builder.finish();

    expect(data.rows).toEqual(rowOrder.map((p) => rawFeatures(p, asOf)));
    expect(data.purchases).toEqual(rowOrder.map((p) => purchaseSummaryOfProfile(p, asOf, 'day', null)));
    expect(data.prospects).toBe(profiles.length - buyers.length);
    expect(data.prospects).toBeGreaterThan(0);
    expect(data.total).toBe(profiles.length);
    expect(data.currency).toBe([...currencyCounts].filter(([, n]) => n === top).sort()[0]?.[0]);
    expect(currencyCounts.size).toBeGreaterThan(1);
    expect(data.backtest).toEqual({
      horizonDays,
      asOf: new Date(asOf.getTime() - horizonDays * DAY_MS).toISOString(),
      rows: backtestRows,
    });
    expect(backtestRows.length).toBeGreaterThanOrEqual(200);
  });

  it('is trainingDataOf the summary, which holds only the backtest horizon still possible', () => {
    const summary = summaryOf(profiles, options());
    expect(trainingDataOf(summary)).toEqual(
      (() => {
        const builder = new TrainingDataBuilder(options());
        for (const profile of profiles) builder.add(profile);
        return builder.finish();
      })(),
    );
    // Over a year of history: the 90-day horizon is certain, the shorter ones are not kept.
    expect(summary.backtestHorizons).toBe(1);
    expect(summary.backtest.every((entry) => entry.rows.length === 1)).toBe(true);
  });

  it('says why there is no backtest, and uses USD, with no buyers', () => {
    const data = trainingDataOf(emptyTrainingSummary(options()));
    expect(data).toMatchObject({ rows: [], purchases: [], prospects: 0, total: 0, currency: 'USD' });
    expect(data.backtest).toHaveProperty('unavailable');
  });
});

describe('merging training summaries', () => {
  it('of consecutive parts, in order, gives the summary of one pass (k above or below the buyers)', () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ profiles, cuts, opts }) => {
        const whole = summaryOf(profiles, opts);
        const merged = partsOf(profiles, cuts)
          .map((part) => summaryOf(part, opts))
          .reduce(mergeTrainingSummaries, emptyTrainingSummary(opts));
        expect(merged).toEqual(whole);
        expect(trainingDataOf(merged)).toEqual(trainingDataOf(whole));
        // The same, folded into one builder as a fan-out's assembly would.
        const folded = new TrainingSummaryBuilder(opts);
        for (const part of partsOf(profiles, cuts)) folded.addSummary(summaryOf(part, opts));
        expect(folded.summary()).toEqual(whole);
        expect(whole.rows.length).toBe(Math.min(opts.maxRows, whole.buyers));
      }),
      { seed: 20_250_701, numRuns: 60 },
    );
  });

  it('in any order and grouping gives the very same summary, and so the same training data', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary,
        fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        ({ profiles, cuts, opts }, order, grouping) => {
          const parts = partsOf(profiles, cuts).map((part) => summaryOf(part, opts));
          // Some permutation of the parts, then merges of neighbours picked by `grouping`.
          const shuffled = parts
            .map((part, i) => ({ part, rank: order[i % order.length] ?? 0, i }))
            .sort((a, b) => a.rank - b.rank || a.i - b.i)
            .map((p) => p.part);
          let pick = 0;
          while (shuffled.length > 1) {
            const at = (grouping[pick++ % Math.max(1, grouping.length)] ?? 0) % (shuffled.length - 1);
            shuffled.splice(
              at,
              2,
              mergeTrainingSummaries(shuffled[at] as TrainingSummary, shuffled[at + 1] as TrainingSummary),
            );
          }
          const merged = shuffled[0] ?? emptyTrainingSummary(opts);
          const whole = summaryOf(profiles, opts);
          expect(merged).toEqual(whole);
          expect(trainingDataOf(merged)).toEqual(trainingDataOf(whole));
        },
      ),
      { seed: 20_250_702, numRuns: 60 },
    );
  });

  it("keeps a young part's short backtest horizons until a merge with older history rules them out", () => {
    // First orders 10 to 39 days ago: only the 11-day horizon is possible, and every longer one may still be.
    const young = Array.from({ length: 250 }, (_, i) =>
      profileOf(`young-${i}`, {
        orders: [
          { daysAgo: 10 + (i % 30), amount: 20, currency: 'USD' },
          ...(i % 3 === 0 ? [{ daysAgo: i % 9, amount: 35, currency: 'USD' }] : []),
        ],
        viewDaysAgo: 40,
      }),
    );
    const old = POOL.slice(0, 300);
    const youngSummary = summaryOf(young, options());
    expect(youngSummary.backtestHorizons).toBe(4);
    expect(trainingDataOf(youngSummary).backtest).toMatchObject({ horizonDays: 11 });
    for (const [first, second] of [
      [young, old],
      [old, young],
    ] as const) {
      const merged = mergeTrainingSummaries(summaryOf(first, options()), summaryOf(second, options()));
      expect(merged.backtestHorizons).toBe(1);
      expect(merged).toEqual(summaryOf([...first, ...second], options()));
      expect(trainingDataOf(merged).backtest).toMatchObject({ horizonDays: 90 });
    }
  });

  it('refuses summaries built with different options', () => {
    const a = emptyTrainingSummary(options());
    expect(() => mergeTrainingSummaries(a, emptyTrainingSummary(options({ seed: 43 })))).toThrow(
      /different options/,
    );
    expect(() =>
      mergeTrainingSummaries(a, emptyTrainingSummary(options({ asOf: new Date('2025-07-02T00:00:00Z') }))),
    ).toThrow(/different options/);
    expect(() => mergeTrainingSummaries(a, emptyTrainingSummary(options({ backtestSample: 10 })))).toThrow(
      /different options/,
    );
  });
});

describe('training summary as data', () => {
  it('survives a JSON round trip', () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ profiles, opts }) => {
        const summary = summaryOf(profiles, opts);
        const parsed = JSON.parse(JSON.stringify(summary)) as TrainingSummary;
        expect(parsed).toEqual(summary);
        expect(trainingDataOf(parsed)).toEqual(trainingDataOf(summary));
      }),
      { seed: 20_250_703, numRuns: 30 },
    );
  });
});

/** `n` buyers with the same history and distinct ids: cheap to add by the ten thousand. */
const buyersNamed = (n: number, name = (i: number) => `shopper-${i}`): Profile[] => {
  const base = POOL.find((p) => rawFeatures(p, asOf)) as Profile;
  return Array.from({ length: n }, (_, i) => ({ ...base, shopperId: name(i) }));
};

describe('training summary bounds', () => {
  it('holds k rows of 50,000 buyers, those with the k smallest keys, in key order', () => {
    const profiles = buyersNamed(50_000);
    const summary = summaryOf(profiles, options({ maxRows: 1_000, backtestSample: 300 }));
    expect(summary.buyers).toBe(50_000);
    expect(summary.rows).toHaveLength(1_000);
    expect(summary.backtest).toHaveLength(300);
    const smallest = (seed: number, k: number) =>
      profiles
        .map((p) => ({ shopperId: p.shopperId, key: shopperKey(seed, p.shopperId) }))
        .sort(keyOrder)
        .slice(0, k);
    expect(summary.rows.map(({ shopperId, key }) => ({ shopperId, key }))).toEqual(smallest(42, 1_000));
    expect(summary.backtest.map(({ shopperId, key }) => ({ shopperId, key }))).toEqual(smallest(49, 300));
  });

  it('samples uniformly: the share of a property among the sampled is the population share, within binomial error', () => {
    // Half the ids end in a low number, one in five is numbered from 0 mod 5: neither may shift the sample.
    const n = 20_000;
    const k = 2_000;
    const profiles = buyersNamed(n, (i) => `user-${i}@shop.example`);
    const indexOf = (id: string) => Number(id.slice('user-'.length, id.indexOf('@')));
    const properties = [(i: number) => i < n / 2, (i: number) => i % 5 === 0];
    // Sampling without replacement: the binomial variance times the finite population correction.
    const sd = (p: number) => Math.sqrt(((p * (1 - p)) / k) * ((n - k) / (n - 1)));
    const shares = properties.map(() => [] as number[]);
    const overlaps: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const summary = summaryOf(profiles, options({ maxRows: k, backtestSample: k, seed }));
      const ids = summary.rows.map((r) => indexOf(r.shopperId));
      properties.forEach((has, j) => {
        shares[j]?.push(ids.filter(has).length / k);
      });
      const rowIds = new Set(summary.rows.map((r) => r.shopperId));
      overlaps.push(summary.backtest.filter((b) => rowIds.has(b.shopperId)).length);
    }
    properties.forEach((_, j) => {
      const p = j === 0 ? 0.5 : 0.2;
      for (const share of shares[j] ?? []) expect(Math.abs(share - p)).toBeLessThan(4 * sd(p));
      const mean = (shares[j] ?? []).reduce((a, b) => a + b, 0) / 8;
      expect(Math.abs(mean - p)).toBeLessThan((4 * sd(p)) / Math.sqrt(8));
    });
    // The backtest's keys are independent of the rows': overlap ~ hypergeometric, mean k²/n = 200.
    const overlapSd = Math.sqrt(((k * k) / n) * (1 - k / n) * ((n - k) / (n - 1)));
    for (const overlap of overlaps) expect(Math.abs(overlap - (k * k) / n)).toBeLessThan(4 * overlapSd);
  });
});

describe('summaries of random shares (parallel Scan segments)', () => {
  /** Shares cut by a hash of the id, as DynamoDB cuts Scan segments: independent of the sampling keys. */
  const sharesOf = (profiles: readonly Profile[], shares: number): Profile[][] => {
    const out = Array.from({ length: shares }, () => [] as Profile[]);
    for (const p of profiles) out[shopperKey(990_001, p.shopperId) % shares]?.push(p);
    return out;
  };
  const mergeInOrder = (summaries: readonly TrainingSummary[], opts: TrainingSummaryOptions) => {
    const builder = new TrainingSummaryBuilder(opts);
    for (const s of summaries) builder.addSummary(s);
    return builder.summary();
  };

  it('keep only a share of k each, and merge into the summary of the shares read one after the other', () => {
    const profiles = buyersNamed(40_000);
    const opts = options({ maxRows: 4_000, backtestSample: 1_000 });
    for (const shares of [4, 8, 25]) {
      const parts = sharesOf(profiles, shares);
      const summaries = parts.map((part) => summaryOf(part, { ...opts, shareOf: shares }));
      const cap = shareCap(opts.maxRows, shares);
      expect(cap).toBeLessThan(opts.maxRows);
      for (const s of summaries) expect(s.rows.length).toBeLessThanOrEqual(cap);
      const merged = mergeInOrder(summaries, opts);
      expect(merged).toEqual(summaryOf(parts.flat(), opts));
      expect(merged.rows).toHaveLength(4_000);
    }
  });

  it('merge into a smaller bottom-k sample, never a biased one, when a share holds far more than its part', () => {
    const profiles = buyersNamed(20_000);
    const opts = options({ maxRows: 2_000, backtestSample: 500 });
    // Four shares declared, but one holds three quarters of the shoppers: its cap is hit.
    const parts = [profiles.slice(0, 15_000), ...sharesOf(profiles.slice(15_000), 3)];
    const merged = mergeInOrder(
      parts.map((part) => summaryOf(part, { ...opts, shareOf: 4 })),
      opts,
    );
    const whole = summaryOf(parts.flat(), opts);
    const cutoff = merged.rowsCutoff;
    expect(cutoff).not.toBeNull();
    expect(merged.rows.length).toBeLessThan(2_000);
    expect(merged.rows.length).toBeGreaterThan(1_000);
    // Exactly the whole's sampled buyers at or below the cutoff, in the same order.
    expect(merged.rows).toEqual(whole.rows.filter((r) => cutoff && keyOrder(r, cutoff) <= 0));
    expect(merged.backtest).toEqual(
      whole.backtest.filter((b) => merged.backtestCutoff === null || keyOrder(b, merged.backtestCutoff) <= 0),
    );
    expect(merged.buyers).toBe(20_000);
  });
});
