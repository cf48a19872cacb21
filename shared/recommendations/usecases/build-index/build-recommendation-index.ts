/**
 * Use case: build the recommendation index for a promoted model.
 * Input: the snapshot the model was trained on and the model. Output: the index, saved next to
 * the model (models/<version>/recommendations.json).
 * Steps: stream the snapshot once, score each shopper against the model (as reassignment does),
 * feed the builder, save. It runs before the pointer switches to the model, so the first lookup
 * served by a new model already has its index.
 */
import type { Profile } from '#shared/ingestion/domain/profile';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import {
  basketOf,
  type IndexBuilderOptions,
  type RecommendationIndex,
  RecommendationIndexBuilder,
} from '#shared/recommendations/domain/index-builder';
import { scoreProfile } from '#shared/segmentation/domain/score-profile';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { readSnapshot } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import type { SnapshotManifest } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';

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
  return { index: builder.build(), shoppers };
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
