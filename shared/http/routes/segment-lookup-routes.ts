/**
 * Which segment a shopper is in (function `read-api`, read key):
 *   GET /v1/users/{userId}/segment   live lookup, with explanation, policy, predictions, products
 *   GET /v1/users/{userId}/history   the shopper's segment changes
 */

import type { ExposureStore } from '#shared/activation/ports/exposure-store';
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import { lookupSegment } from '#shared/activation/usecases/lookup-segment/lookup-segment';
import type { PolicyOverrides } from '#shared/activation/usecases/policies/policy-overrides';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import { resolveShopper } from '#shared/ingestion/usecases/resolve-shopper/resolve-shopper';
import type { Clock } from '#shared/kernel/ports/clock';
import type { RecommendationIndexCache } from '#shared/recommendations/usecases/read-index/recommendation-index-cache';
import type { AssignmentStore } from '#shared/segmentation/ports/assignment-store';
import type { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import type { RouteHandlers } from '../edge';
import { notFound } from '../errors';
import { intParam } from '../query-params';
import { json } from '../responses';

export interface SegmentLookupRouteDeps {
  readonly ports: { readonly profiles: ProfileStore; readonly clock: Clock };
  readonly currentModel: CurrentModel;
  readonly assignments: AssignmentStore;
  readonly publisher: SegmentChangePublisher;
  readonly policies: PolicyOverrides;
  readonly exposures: ExposureStore;
  readonly recommendationIndex: RecommendationIndexCache;
}

export const segmentLookupRoutes = (
  deps: SegmentLookupRouteDeps,
): RouteHandlers<{ group: 'segment-lookup' }> => ({
  'GET /v1/users/{userId}/segment': {
    handle: async ({ params, query, logger }) =>
      json(
        200,
        await lookupSegment(
          params.userId,
          {
            ...deps.ports,
            logger,
            model: deps.currentModel,
            assignments: deps.assignments,
            publisher: deps.publisher,
            policies: async () => (await deps.policies.current()).policies,
            exposures: deps.exposures,
            recommendationIndex: deps.recommendationIndex,
          },
          {
            recommendations: intParam(query, 'recommendations', 0, 50),
            buyAgain: intParam(query, 'buyAgain', 0, 50),
          },
        ),
      ),
  },
  'GET /v1/users/{userId}/history': {
    handle: async ({ params: { userId } }) => {
      // A linked id's history is its shopper's (identity stitching).
      const { shopperId, stored } = await resolveShopper(deps.ports.profiles, userId);
      const changes = await deps.assignments.history(shopperId);
      if (changes.length === 0 && !stored) throw notFound(`no profile for shopper "${userId}"`);
      return json(200, { shopperId, changes });
    },
  },
});
