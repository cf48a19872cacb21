/**
 * Use case: a model's recommendation index from profiles. `indexProfiles` scores each buyer
 * against the model for its segment (as reassignment does) and builds the index in one pass
 * (the offline evaluation uses it); `indexPartOfProfiles` does the same for one snapshot part
 * and answers its mergeable partial — the retrain's "Index parts" map (./index-parts.ts), whose
 * reduce merges the partials (shared/recommendations/domain/index-partial*.ts) into the index
 * the one-pass build gives while no bound is hit, before the pointer switches to the model.
 */
import type { Profile } from '#shared/ingestion/domain/profile';
import {
  basketOf,
  type IndexBuilderOptions,
  RecommendationIndexBuilder,
} from '#shared/recommendations/domain/index-builder';
import type { IndexPartial } from '#shared/recommendations/domain/index-partial';
import {
  type IndexPartialBounds,
  partialBoundsFor,
} from '#shared/recommendations/domain/index-partial-bounds';
import type { RecommendationIndex } from '#shared/recommendations/domain/recommendation-index';
import { scoreProfile } from '#shared/segmentation/domain/score-profile';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';

/** Adds each shopper with a purchase, scored against the model for its segment; how many. */
const addProfiles = async (
  builder: RecommendationIndexBuilder,
  profiles: AsyncIterable<Profile> | Iterable<Profile>,
  model: SegmentModel,
  asOf: Date,
): Promise<number> => {
  let shoppers = 0;
  for await (const profile of profiles) {
    if (
      profile.purchasedProducts.length === 0 &&
      profile.recentPurchases.length === 0 &&
      (profile.purchaseHistory ?? []).length === 0
    )
      continue;
    builder.add(basketOf(profile, scoreProfile(model, profile, asOf).segmentId));
    shoppers += 1;
  }
  return shoppers;
};

/**
 * The index of a set of profiles (a snapshot's) for a model: each shopper with a purchase is
 * scored against the model for its segment, and recent buyers are counted back from the model's
 * as-of time. The retrain and the offline evaluation (evaluate/recommendations.ts) both use it.
 */
export const indexProfiles = async (
  profiles: AsyncIterable<Profile> | Iterable<Profile>,
  model: SegmentModel,
  options: Omit<IndexBuilderOptions, 'asOf'> = {},
): Promise<{ index: RecommendationIndex; shoppers: number }> => {
  const asOf = new Date(model.asOf);
  const builder = new RecommendationIndexBuilder({ ...options, asOf });
  const shoppers = await addProfiles(builder, profiles, model, asOf);
  return { index: builder.build(), shoppers };
};

/**
 * The map step: the partial index of one part of a snapshot for a model, its shoppers scored as
 * indexProfiles scores them, pruned to `bounds` (by default a few times the index's caps, see
 * index-partial-bounds.ts). Its `shoppers` are the part's shoppers with a purchase. Merged over
 * every part (mergeIndexPartials, in any grouping) and finished with indexOfPartial(merged,
 * options), the partials give indexProfiles' index while no bound is hit (isExactPartial).
 */
export const indexPartOfProfiles = async (
  profiles: AsyncIterable<Profile> | Iterable<Profile>,
  model: SegmentModel,
  options: Omit<IndexBuilderOptions, 'asOf'> = {},
  bounds: IndexPartialBounds = partialBoundsFor(options),
): Promise<IndexPartial> => {
  const asOf = new Date(model.asOf);
  const builder = new RecommendationIndexBuilder({ ...options, asOf });
  await addProfiles(builder, profiles, model, asOf);
  return builder.toPartial(bounds);
};
