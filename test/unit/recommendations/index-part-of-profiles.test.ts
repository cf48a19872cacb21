/**
 * The map step's use case: a part of the snapshot's profiles, scored against the model as the
 * one-pass indexProfiles scores them, gives a partial; the partials of every part, merged in any
 * grouping, give indexProfiles' index.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { emptyProfile, type Profile } from '#shared/ingestion/domain/profile';
import { mulberry32 } from '#shared/kernel/random';
import {
  type IndexPartial,
  indexOfPartial,
  isExactPartial,
} from '#shared/recommendations/domain/index-partial';
import { mergeIndexPartials, UNBOUNDED } from '#shared/recommendations/domain/index-partial-bounds';
import {
  indexPartOfProfiles,
  indexProfiles,
} from '#shared/recommendations/usecases/build-index/build-recommendation-index';
import { rawFeatures } from '#shared/segmentation/domain/features/features';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { defaultTrainingConfig, trainModel } from '#shared/segmentation/domain/training/train-model';

const AS_OF = '2026-03-01T00:00:00.000Z';
const DAY_MS = 86_400_000;
const dayBefore = (days: number): string => new Date(Date.parse(AS_OF) - days * DAY_MS).toISOString();

/** Shoppers of three kinds (frequent, occasional, lapsed), each buying from their kind's products; some never bought. */
const profilesOf = (n: number, seed: number): Profile[] => {
  const rand = mulberry32(seed);
  const pick = (k: number) => Math.floor(rand() * k);
  return Array.from({ length: n }, (_, i) => {
    const profile = emptyProfile(`u${i}`, false, dayBefore(400));
    if (i % 7 === 6) return profile;
    const kind = i % 3;
    const orderDays = [
      ...new Set(Array.from({ length: [6, 2, 1][kind] as number }, () => pick(60) + kind * 100)),
    ]
      .sort((a, b) => b - a)
      .map((ago) => dayBefore(ago));
    const history = new Map<string, { productId: string; orders: number; first: string; last: string }>();
    const recent: Profile['recentPurchases'] = [];
    for (const at of orderDays) {
      const day = at.slice(0, 10);
      profile.days[day] = { e: 1, o: 1, r: 20 + pick(100), u: 2, rf: 0, v: 0, a: 0 };
      for (let line = 0; line < 2 + pick(3); line++) {
        const productId = `k${kind}-p${pick(8)}`;
        const item = history.get(productId);
        if (item) {
          item.orders += 1;
          item.first = day;
        } else history.set(productId, { productId, orders: 1, first: day, last: day });
        recent.push({ productId, at, ...(pick(2) === 0 ? { category: `cat-${kind}` } : {}) });
      }
    }
    return {
      ...profile,
      orders: orderDays.length,
      revenue: Object.values(profile.days).reduce((sum, d) => sum + d.r, 0),
      currency: 'GBP',
      firstOrderAt: orderDays.at(-1) ?? null,
      lastOrderAt: orderDays[0] ?? null,
      recentPurchases: recent.slice(0, 20),
      purchasedProducts: [...history.keys()],
      purchaseHistory: [...history.values()],
    };
  });
};

const trainedOn = (profiles: readonly Profile[]): SegmentModel => {
  const rows = profiles.flatMap((p) => rawFeatures(p, new Date(AS_OF)) ?? []);
  return trainModel({
    rows,
    prospects: profiles.length - rows.length,
    asOf: AS_OF,
    currency: 'GBP',
    previous: undefined,
    config: { ...defaultTrainingConfig, kMin: 2, kMax: 3 },
    version: 'v-test',
    runId: 'run',
    createdAt: AS_OF,
    snapshot: { key: 'snapshots/x/_manifest.json', rows: profiles.length },
    backtest: { unavailable: 'fixture' },
  }).model;
};

async function* streamed(profiles: readonly Profile[]): AsyncIterable<Profile> {
  yield* profiles;
}

describe('indexPartOfProfiles', () => {
  const profiles = profilesOf(240, 11);
  let model: SegmentModel;
  beforeAll(() => {
    model = trainedOn(profiles);
  });

  it('gives, merged over the parts, the one-pass index of the same profiles and model', async () => {
    const { index, shoppers } = await indexProfiles(profiles, model);
    expect(Object.keys(index.segments).length).toBeGreaterThan(1);
    const whole = await indexPartOfProfiles(profiles, model);
    expect(whole.shoppers).toBe(shoppers);
    expect(indexOfPartial(whole)).toEqual(index);

    const parts = [profiles.slice(0, 50), profiles.slice(50, 170), profiles.slice(170)];
    const [a, b, c] = (await Promise.all(
      parts.map((part) => indexPartOfProfiles(streamed(part), model)),
    )) as [IndexPartial, IndexPartial, IndexPartial];
    for (const merged of [
      mergeIndexPartials(mergeIndexPartials(a, b), c),
      mergeIndexPartials(a, mergeIndexPartials(b, c)),
    ]) {
      expect(isExactPartial(merged)).toBe(true);
      expect(merged).toEqual(whole);
      expect(JSON.stringify(indexOfPartial(merged))).toBe(JSON.stringify(index));
    }
  });

  it('takes the index options: the partial finished with them is the one-pass index built with them', async () => {
    const options = { maxProducts: 6, maxCoPurchases: 2, minCoPurchaseCount: 1, maxPairItems: 3 };
    const { index } = await indexProfiles(profiles, model, options);
    const parts = [profiles.slice(0, 120), profiles.slice(120)];
    const [a, b] = (await Promise.all(
      parts.map((part) => indexPartOfProfiles(part, model, options, UNBOUNDED)),
    )) as [IndexPartial, IndexPartial];
    expect(a.maxPairItems).toBe(3);
    expect(indexOfPartial(mergeIndexPartials(a, b, UNBOUNDED), options)).toEqual(index);
  });
});
