/**
 * Use case: build the "what do segment peers buy" index for a promoted model.
 * Input: the snapshot the model was trained on and the model. Output: the index, saved next to
 * the model (models/<version>/recommendations.json).
 * Steps: stream the snapshot once, score each shopper against the model (as reassignment does),
 * feed the builder, save. It runs after promotion, so a slow index never delays a new model:
 * until it exists the lookup uses the previous model's index (segment ids are stable).
 */
import { basketOf, RecommendationIndexBuilder } from '../../domain/recommendations/index-builder';
import { scoreProfile } from '../../domain/score-profile';
import type { SegmentModel } from '../../domain/segment-model';
import type { ObjectStore } from '../../ports/object-store';
import { ModelRepository } from '../models/model-repository';
import { readSnapshot } from '../snapshot/read-snapshot';
import type { SnapshotManifest } from '../snapshot/snapshot-layout';

export const buildRecommendationIndex = async (
  objects: ObjectStore,
  manifest: SnapshotManifest,
  model: SegmentModel,
): Promise<{ shoppers: number; products: number }> => {
  const asOf = new Date(model.asOf);
  const builder = new RecommendationIndexBuilder();
  let shoppers = 0;
  for await (const profile of readSnapshot(objects, manifest)) {
    if (profile.purchasedProducts.length === 0 && profile.recentPurchases.length === 0) continue;
    builder.add(basketOf(profile, scoreProfile(model, profile, asOf).segmentId));
    shoppers += 1;
  }
  const index = builder.build();
  await new ModelRepository(objects).saveRecommendations(model.version, index);
  return { shoppers, products: index.global.length };
};
