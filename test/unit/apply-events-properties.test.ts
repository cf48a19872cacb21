/**
 * Issue 12, pure-domain property: any split of a time-ordered set of distinct events into
 * consecutive applyEvents calls, the calls made in any order, gives the profile of one call.
 * Events come from the same generator as the HTTP property (test/support/event-arbitraries.ts),
 * normalised by normaliseMessage; which order copy counts and what a refund knows of its order
 * are inputs here (`duplicateOrder`, `referencedOrder`), as the ledger would give them.
 *
 * Compared: the whole stored profile (day buckets, archived-day bitsets and the first order
 * day's revenue included: some generated days are past the 400-day horizon), except the order
 * of `purchasedProducts` (application order; compared as a set). The generator avoids what is
 * order-sensitive by design (see the header of test/integration/ingest-properties.test.ts):
 * one currency per shopper, one value per trait, a product's category fixed, fewer categories
 * than CATEGORY_CAP and products than PURCHASED_CAP / PURCHASE_HISTORY_CAP (but often more than
 * RECENT_CAP, which is exact at any size).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvents, type EventToApply } from '#shared/ingestion/domain/apply-events';
import type { Profile } from '#shared/ingestion/domain/profile';
import { PROPERTY_NOW, type Scenario, scenarioArbitraryOf } from '../support/event-arbitraries';
import { eventsToApplyOf } from '../support/events-to-apply';

const SEED = Number(process.env.APPLY_PROPERTY_SEED ?? 12_2025);
const RUNS = Number(process.env.APPLY_PROPERTY_RUNS ?? 500);
const now = new Date(PROPERTY_NOW);
const options = { now, defaultCurrency: 'USD' };

/** Per shopper, its events as the use case would hand them over, in behaviour-time order. */
const itemsOf = (scenario: Scenario): EventToApply[][] =>
  eventsToApplyOf(scenario, now).map((items) =>
    items.sort(
      (a, b) => a.event.at.localeCompare(b.event.at) || a.event.messageId.localeCompare(b.event.messageId),
    ),
  );

const comparable = (p: Profile) => ({ ...p, purchasedProducts: [...p.purchasedProducts].sort() });

const splitAndOrder = fc.record({
  /** Per gap between consecutive events: whether a new call starts there. */
  cuts: fc.array(fc.boolean(), { maxLength: 80 }),
  /** Sort keys giving the order in which the calls are made. */
  order: fc.array(fc.nat(), { maxLength: 80 }),
});

/**
 * Regression (seed 122025, shrunk): two orders on one day past the horizon, applied in two
 * calls, left firstOrderDayRevenue at 729.6300000000001 instead of 729.63 (a plain `+` in
 * pruneDays; fixed by rounding in applyEvents).
 */
const archivedFirstDayRegression: Scenario = {
  shoppers: [
    {
      identity: 'user',
      currency: 'implicit',
      country: 'FR',
      signedUpHour: 0,
      orders: [
        { hour: 0, copies: [{ revenueCents: 35_416, priced: false, lines: [], coupon: false }] },
        { hour: 0, copies: [{ revenueCents: 37_547, priced: false, lines: [], coupon: false }] },
      ],
      reversals: [],
      others: [{ hour: 0, anonymous: false, spec: { kind: 'identify', traits: ['createdAt'] } }],
    },
  ],
};

describe('applyEvents properties', () => {
  it('sums the first order day revenue exactly when that day is past the horizon (regression)', () => {
    const [items = []] = itemsOf(archivedFirstDayRegression);
    const split = applyEvents(applyEvents(undefined, items.slice(0, 1), options), items.slice(1), options);
    expect(split.firstOrderDayRevenue).toBe(729.63);
    expect(split).toEqual(applyEvents(undefined, items, options));
  });

  it('any split into consecutive calls, made in any order, gives the profile of one call', () => {
    fc.assert(
      // 8 to 16 orders of up to 6 lines: often more products than RECENT_CAP keeps.
      fc.property(
        scenarioArbitraryOf({ minOrders: 8, maxOrders: 16, maxLines: 6 }),
        splitAndOrder,
        (scenario, { cuts, order }) => {
          for (const items of itemsOf(scenario)) {
            const calls: EventToApply[][] = [];
            items.forEach((item, i) => {
              if (i === 0 || cuts[(i - 1) % Math.max(1, cuts.length)]) calls.push([]);
              (calls[calls.length - 1] as EventToApply[]).push(item);
            });
            const permuted = calls
              .map((call, i) => ({ call, key: order[i % Math.max(1, order.length)] ?? 0, i }))
              .sort((a, b) => a.key - b.key || b.i - a.i)
              .map((c) => c.call);
            let split: Profile | undefined;
            for (const call of permuted) split = applyEvents(split, call, options);
            const once = applyEvents(undefined, items, options);
            expect(comparable(split as Profile)).toEqual(comparable(once));
          }
        },
      ),
      { seed: SEED, numRuns: RUNS, examples: [[archivedFirstDayRegression, { cuts: [true], order: [] }]] },
    );
  });
});
