/**
 * The current model's segments (function `read-api`, read key):
 *   GET /v1/segments                       sizes, shares, revenue shares, typical shoppers, rules, policies, totals
 *   GET /v1/segments-over-time             segment sizes across the last models, and the last migration
 *   GET /v1/segments/{segmentId}/profile   one segment against all buyers: features, rules, predicted value, products
 *   GET /v1/segments/{segmentId}/members   who is in a segment, paginated; CSV with Accept: text/csv
 *   GET /v1/segments/{segmentId}/lift      per policy version: treatment against holdout, with intervals
 */

import type { ExposureStore } from '#shared/activation/ports/exposure-store';
import type { ProfileRecords } from '#shared/activation/ports/profile-records';
import { segmentCatalogue } from '#shared/activation/usecases/catalogue/catalogue';
import { segmentProfile } from '#shared/activation/usecases/catalogue/segment-profile';
import {
  DEFAULT_TIMELINE_MODELS,
  MAX_TIMELINE_MODELS,
  type SegmentTimeline,
} from '#shared/activation/usecases/catalogue/segments-over-time';
import { segmentLift } from '#shared/activation/usecases/lift/segment-lift';
import { type PolicyOverrides, versionOf } from '#shared/activation/usecases/policies/policy-overrides';
import { listSegmentMembers } from '#shared/activation/usecases/segment-members/segment-members';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import type { Clock } from '#shared/kernel/ports/clock';
import type { RecommendationIndexCache } from '#shared/recommendations/usecases/read-index/recommendation-index-cache';
import type { AssignmentStore } from '#shared/segmentation/ports/assignment-store';
import type { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import type { RouteHandlers } from '../edge';
import { badRequest } from '../errors';
import { membersCsv } from '../members-csv';
import { intParam } from '../query-params';
import { json, text } from '../responses';

export interface CatalogueRouteDeps {
  readonly currentModel: CurrentModel;
  readonly assignments: AssignmentStore;
  readonly policies: PolicyOverrides;
  readonly recommendationIndex: RecommendationIndexCache;
  readonly timeline: SegmentTimeline;
  readonly exposures: ExposureStore;
  readonly profileRecords: ProfileRecords;
  readonly ports: { readonly profiles: Pick<ProfileStore, 'getRecord'>; readonly clock: Clock };
}

const wantsCsv = (headers: Readonly<Record<string, string | undefined>>): boolean =>
  /\btext\/csv\b/i.test(headers.accept ?? headers.Accept ?? '');

export const catalogueRoutes = (deps: CatalogueRouteDeps): RouteHandlers<{ group: 'catalogue' }> => ({
  'GET /v1/segments': {
    handle: async () => {
      const [model, { policies, flags }] = await Promise.all([
        deps.currentModel.get(),
        deps.policies.current(),
      ]);
      const overrides = Object.fromEntries(Object.entries(policies).map(([id, p]) => [id, p.policy]));
      const versions = Object.fromEntries(Object.entries(policies).map(([id, p]) => [id, versionOf(p)]));
      return json(200, segmentCatalogue(model, { overrides, versions, flags }));
    },
  },
  'GET /v1/segments-over-time': {
    handle: async ({ query }) =>
      json(
        200,
        await deps.timeline.get(intParam(query, 'limit', 1, MAX_TIMELINE_MODELS) ?? DEFAULT_TIMELINE_MODELS),
      ),
  },
  'GET /v1/segments/{segmentId}/profile': {
    handle: async ({ params: { segmentId } }) => {
      const model = await deps.currentModel.get();
      const [overrides, index] = await Promise.all([
        deps.policies.all(),
        model ? deps.recommendationIndex.get(model) : undefined,
      ]);
      return json(200, segmentProfile(model, segmentId, overrides, index));
    },
  },
  'GET /v1/segments/{segmentId}/lift': {
    handle: async ({ params: { segmentId } }) =>
      json(
        200,
        await segmentLift(segmentId, {
          model: deps.currentModel,
          policies: deps.policies,
          exposures: deps.exposures,
          profiles: {
            getRecord: (id) => deps.ports.profiles.getRecord(id),
            getRecords: (ids) => deps.profileRecords.getRecords(ids),
          },
          clock: deps.ports.clock,
        }),
      ),
  },
  'GET /v1/segments/{segmentId}/members': {
    handle: async ({ params: { segmentId }, query, headers }) => {
      const cursor = query.cursor;
      if (cursor !== undefined && (cursor.length === 0 || cursor.length > 2048))
        throw badRequest('cursor is not one this API returned', 'cursor');
      const page = await listSegmentMembers(
        segmentId,
        { limit: intParam(query, 'limit', 1, 1000) ?? 100, ...(cursor ? { cursor } : {}) },
        { model: deps.currentModel, assignments: deps.assignments },
      );
      if (!wantsCsv(headers)) return json(200, page);
      return text(200, membersCsv(page.members), 'text/csv; charset=utf-8', {
        ...(page.nextCursor ? { 'x-next-cursor': page.nextCursor } : {}),
        'content-disposition': 'attachment; filename="segment-members.csv"',
      });
    },
  },
});
