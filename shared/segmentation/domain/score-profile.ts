/**
 * Scores one profile against a model exactly as training did (same features, same saved
 * transform, nearest centroid): used by reassignment after a retrain and by live lookups.
 */

import type { Profile } from '#shared/ingestion/domain/profile';
import { nearestCentroid } from './clustering/kmeans';
import { applyTransform } from './features/feature-transform';
import { type RawFeatures, rawFeatures, usesClvFeatures } from './features/features';
import { PROSPECTS_ID, PROSPECTS_NAME, type SegmentModel } from './segment-model';

export interface Score {
  readonly segmentId: string;
  readonly segmentName: string;
  /** Euclidean distance to the segment's centroid in the scaled feature space; null for prospects. */
  readonly distance: number | null;
  /** Margin between nearest and second-nearest centroid, 0 (on the border) to 1 (at the centroid). */
  readonly confidence: number;
  readonly features: RawFeatures | null;
}

export const scoreProfile = (model: SegmentModel, profile: Profile, asOf: Date): Score => {
  const features = rawFeatures(
    profile,
    asOf,
    usesClvFeatures(model.transform.features) ? model.clv : undefined,
  );
  if (!features)
    return {
      segmentId: PROSPECTS_ID,
      segmentName: PROSPECTS_NAME,
      distance: null,
      confidence: 1,
      features: null,
    };
  const vector = applyTransform(model.transform, features);
  const nearest = nearestCentroid(
    vector,
    model.segments.map((s) => s.centroid),
  );
  const segment = model.segments[nearest.index];
  if (!segment) throw new Error('model has no segments');
  const sum = nearest.distance + nearest.secondDistance;
  const confidence =
    Number.isFinite(nearest.secondDistance) && sum > 0
      ? (nearest.secondDistance - nearest.distance) / sum
      : 1;
  return {
    segmentId: segment.id,
    segmentName: segment.name,
    distance: nearest.distance,
    confidence,
    features,
  };
};
