/**
 * Issue 15, pure-domain property of identity stitching's fold: any split of one shopper's events
 * between an anonymous id and the known id, each side applied to its own profile, then folded
 * with mergeProfiles, gives the profile of applying every event to one profile. Same generator
 * and the same order-sensitive exclusions as apply-events-properties.test.ts (one currency per
 * shopper, one value per trait, fewer categories and products than the caps).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvents, type EventToApply } from '#shared/ingestion/domain/apply-events';
import { mergeProfiles } from '#shared/ingestion/domain/merge-profiles';
import type { Profile } from '#shared/ingestion/domain/profile';
import { PROPERTY_NOW, type Scenario, scenarioArbitraryOf } from '../support/event-arbitraries';
import { eventsToApplyOf } from '../support/events-to-apply';

const SEED = Number(process.env.MERGE_PROPERTY_SEED ?? 15_2026);
const RUNS = Number(process.env.MERGE_PROPERTY_RUNS ?? 300);
const now = new Date(PROPERTY_NOW);
const options = { now, defaultCurrency: 'USD' };

const eventsOf = (scenario: Scenario): EventToApply[][] => eventsToApplyOf(scenario, now);

const comparable = ({ shopperId: _s, merged: _m, ...p }: Profile) => ({
  ...p,
  purchasedProducts: [...p.purchasedProducts].sort(),
});

describe('mergeProfiles properties', () => {
  it('folding an anonymous side into the known side gives the profile of one shopper', () => {
    fc.assert(
      fc.property(
        scenarioArbitraryOf({ minOrders: 4, maxOrders: 12, maxLines: 6 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }),
        (scenario, sides) => {
          for (const items of eventsOf(scenario)) {
            if (items.length === 0) continue;
            const anonymousSide = (i: number) => sides[i % sides.length] === true;
            // The same events, the anonymous side's sent with an anonymous id only.
            const all = items.map((item, i) =>
              anonymousSide(i)
                ? { ...item, event: { ...item.event, shopperId: 'U', anonymous: true } }
                : item,
            );
            const known = all
              .filter((_, i) => !anonymousSide(i))
              .map((item) => ({ ...item, event: { ...item.event, shopperId: 'U' } }));
            const anonymous = all
              .filter((_, i) => anonymousSide(i))
              .map((item) => ({ ...item, event: { ...item.event, shopperId: 'A' } }));
            const once = applyEvents(
              undefined,
              all.map((item) => ({ ...item, event: { ...item.event, shopperId: 'U' } })),
              options,
            );
            const knownProfile = applyEvents(undefined, known, options);
            const anonymousProfile = applyEvents(undefined, anonymous, options);
            // The use case renames a lone side (tested on the emulators); the fold needs both.
            if (known.length === 0 || anonymous.length === 0) continue;
            const folded = mergeProfiles(knownProfile, anonymousProfile, now);
            expect(folded.merged).toEqual(['A']);
            expect(comparable(folded)).toEqual(comparable(once));
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('folds are order-free: folding two anonymous ids in either order gives the same shopper', () => {
    fc.assert(
      fc.property(
        scenarioArbitraryOf({ minOrders: 4, maxOrders: 10, maxLines: 4 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 60 }),
        (scenario, sides) => {
          for (const items of eventsOf(scenario)) {
            const part = (side: number, id: string) =>
              items
                .filter((_, i) => sides[i % sides.length] === side)
                .map((item) => ({ ...item, event: { ...item.event, shopperId: id, anonymous: side > 0 } }));
            const [u, a, b] = [part(0, 'U'), part(1, 'A'), part(2, 'B')];
            if (u.length === 0 || a.length === 0 || b.length === 0) continue;
            const [pu, pa, pb] = [u, a, b].map((side) => applyEvents(undefined, side, options)) as [
              Profile,
              Profile,
              Profile,
            ];
            const ab = mergeProfiles(mergeProfiles(pu, pa, now), pb, now);
            const ba = mergeProfiles(mergeProfiles(pu, pb, now), pa, now);
            expect(ab.merged).toEqual(['A', 'B']);
            expect(ba.merged).toEqual(['B', 'A']);
            expect(comparable(ab)).toEqual(comparable(ba));
          }
        },
      ),
      { seed: SEED, numRuns: RUNS / 3 },
    );
  });
});
