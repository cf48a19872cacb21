/**
 * Use case: build the recommendation index for a promoted model.
 * Input: the snapshot the model was trained on and the model. Output: the index, saved next to
 * the model (models/<version>/recommendations.json).
 * Steps: stream the snapshot once, score each shopper against the model (as reassignment does),
 * feed the builder, save. It runs before the pointer switches to the model, so the first lookup
 * served by a new model already has its index.
 *
 * The retrain does not read the whole snapshot in one step: the same scoring gives each part's
 * partial index (`indexPartOfProfiles`, the "Index parts" map, ./index-parts.ts); the reduce
 * merges them with mergeIndexPartials and finishes with indexOfPartial
 * (shared/recommendations/domain/index-partial*.ts), which gives this index while no bound is hit.
 * `buildRecommendationIndex` remains the one-pass build, for callers that hold a whole snapshot.
 */
import type { Profile } from '#shared/ingestion/domain/profile';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
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
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { readSnapshot } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import type { SnapshotManifest } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';

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

export const buildRecommendationIndex = async (
  objects: ObjectStore,
  manifest: SnapshotManifest,
  model: SegmentModel,
): Promise<{ shoppers: number; products: number }> => {
  const { index, shoppers } = await indexProfiles(readSnapshot(objects, manifest), model);
  await new ModelRepository(objects).saveRecommendations(model.version, index);
  return { shoppers, products: Object.keys(index.products).length };
};
