/**
 * Which segment a shopper is in (function `read-api`, read key):
 *   GET /v1/users/{userId}/segment   live lookup, with explanation, policy, predictions, products
 *   GET /v1/users/{userId}/history   the shopper's segment changes
 */
import type { AssignmentStore } from '../../ports/assignment-store';
import type { Clock } from '../../ports/clock';
import type { ProfileStore } from '../../ports/profile-store';
import type { SegmentChangePublisher } from '../../ports/segment-change-publisher';
import type { CurrentModel } from '../../usecases/lookup/current-model';
import { lookupSegment } from '../../usecases/lookup/lookup-segment';
import type { PolicyOverrides } from '../../usecases/policies/policy-overrides';
import type { RecommendationIndexCache } from '../../usecases/recommendations/recommendation-index-cache';
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
            policies: () => deps.policies.all(),
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
      const changes = await deps.assignments.history(userId);
      if (changes.length === 0 && !(await deps.ports.profiles.get(userId)))
        throw notFound(`no profile for shopper "${userId}"`);
      return json(200, { shopperId: userId, changes });
    },
  },
});
