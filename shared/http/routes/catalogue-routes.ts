/**
 * The current model's segments (function `read-api`, read key):
 *   GET /v1/segments                       sizes, shares, centroids, rules, policies
 *   GET /v1/segments/{segmentId}/members   who is in a segment, paginated; CSV with Accept: text/csv
 */

import { segmentCatalogue } from '#shared/activation/usecases/catalogue/catalogue';
import type { PolicyOverrides } from '#shared/activation/usecases/policies/policy-overrides';
import { listSegmentMembers } from '#shared/activation/usecases/segment-members/segment-members';
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
}

const wantsCsv = (headers: Readonly<Record<string, string | undefined>>): boolean =>
  /\btext\/csv\b/i.test(headers.accept ?? headers.Accept ?? '');

export const catalogueRoutes = (deps: CatalogueRouteDeps): RouteHandlers<{ group: 'catalogue' }> => ({
  'GET /v1/segments': {
    handle: async () => json(200, segmentCatalogue(await deps.currentModel.get(), await deps.policies.all())),
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
