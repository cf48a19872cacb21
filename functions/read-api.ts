/**
 * Lambda `read-api`: read endpoints for shop tools (read or admin key as `Authorization: Bearer`).
 *   GET /v1/users/{userId}/profile   the live profile
 *   GET /v1/users/{userId}/segment   live segment lookup, with explanation and policy
 *   GET /v1/users/{userId}/history   the shopper's segment changes
 *   GET /v1/segments                 the current model's segments
 *   PUT|DELETE /v1/segments/{id}/policy   set or reset a segment's marketing policy (admin key)
 *   GET /v1/segments/{id}/members    who is in a segment, paginated; CSV with Accept: text/csv
 *   GET /openapi.json                the API description (no key)
 *   GET /v1/models, /v1/models/{v}   retrain runs and models
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiKeysFromConfig } from '../shared/adapters/api-keys-from-config';
import { DynamoDbAssignmentStore } from '../shared/adapters/dynamodb-assignment-store';
import { documentClient } from '../shared/adapters/dynamodb-client';
import { EventBridgePublisher } from '../shared/adapters/eventbridge-publisher';
import { requiredKey, runtimeConfigFromEnv } from '../shared/adapters/runtime-config';
import { s3Client } from '../shared/adapters/s3-client';
import { S3ObjectStore } from '../shared/adapters/s3-object-store';
import { type ServicePorts, servicePorts } from '../shared/adapters/service-ports';
import { bearerToken, keyMatchesAny } from '../shared/http/auth';
import { correlationIdOf } from '../shared/http/correlation';
import { badRequest, HttpError, methodNotAllowed, notFound, unauthorized } from '../shared/http/errors';
import { membersCsv } from '../shared/http/members-csv';
import { openApiDocument } from '../shared/http/openapi/document';
import { pathParam } from '../shared/http/path-params';
import { parseMarketingPolicy } from '../shared/http/policy-schema';
import { decodeJsonBody } from '../shared/http/request-body';
import { errorResponse, type HttpResponse, json, noContent, text } from '../shared/http/responses';
import type { ApiKeys } from '../shared/ports/api-keys';
import type { AssignmentStore } from '../shared/ports/assignment-store';
import type { SegmentChangePublisher } from '../shared/ports/segment-change-publisher';
import { matchRoute } from '../shared/routes';
import { modelHistory, segmentCatalogue } from '../shared/usecases/lookup/catalogue';
import { CurrentModel } from '../shared/usecases/lookup/current-model';
import { lookupSegment, NoModelError } from '../shared/usecases/lookup/lookup-segment';
import { InvalidCursorError, listSegmentMembers } from '../shared/usecases/lookup/segment-members';
import { ModelRepository } from '../shared/usecases/models/model-repository';
import { PolicyOverrides } from '../shared/usecases/policies/policy-overrides';
import {
  resetSegmentPolicy,
  SegmentNotFoundError,
  setSegmentPolicy,
} from '../shared/usecases/policies/segment-policy';
import { ProfileNotFoundError, readProfile } from '../shared/usecases/read-profile';
import { RecommendationIndexCache } from '../shared/usecases/recommendations/recommendation-index-cache';

export interface ReadApiDeps {
  readonly ports: ServicePorts;
  readonly keys: ApiKeys;
  readonly models: ModelRepository;
  readonly currentModel: CurrentModel;
  readonly assignments: AssignmentStore;
  readonly publisher: SegmentChangePublisher;
  readonly policies: PolicyOverrides;
  readonly recommendationIndex: RecommendationIndexCache;
}

/** Policy bodies are small: a message of 500 characters fits many times over. */
const MAX_POLICY_BODY = 16 * 1024;
const ADMIN_ROUTES = new Set([
  'PUT /v1/segments/{segmentId}/policy',
  'DELETE /v1/segments/{segmentId}/policy',
]);

/** An optional whole-number query parameter within [min, max]; the 400 names it. */
const intParam = (
  query: Record<string, string | undefined>,
  field: string,
  min: number,
  max: number,
): number | undefined => {
  const raw = query[field];
  if (raw === undefined) return undefined;
  if (!/^\d{1,7}$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw badRequest(`${field} must be a whole number from ${min} to ${max}`, field);
  return Number(raw);
};

const wantsCsv = (headers: Record<string, string | undefined>): boolean =>
  /\btext\/csv\b/i.test(headers.accept ?? headers.Accept ?? '');

/** Named use-case errors, mapped to HTTP in one place. */
const mapError = (error: unknown): unknown => {
  if (error instanceof ProfileNotFoundError) return notFound(error.message);
  if (error instanceof SegmentNotFoundError) return notFound(error.message);
  if (error instanceof InvalidCursorError) return badRequest(error.message, 'cursor');
  if (error instanceof NoModelError) return new HttpError(503, 'no_model', error.message);
  return error;
};

export const createReadApiHandler =
  (deps: ReadApiDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    const logger = deps.ports.logger.child({ correlationId: correlationIdOf(event), route: event.routeKey });
    try {
      const method = event.requestContext?.http?.method ?? 'GET';
      if (method === 'OPTIONS') return noContent();
      const match = matchRoute(method, event.rawPath);
      if (!('route' in match))
        throw match.pathKnown ? methodNotAllowed() : notFound(`no route for ${event.rawPath}`);
      // The API description is public: tools fetch it before they have a key.
      if (match.route.path === '/openapi.json') return json(200, openApiDocument);
      const token = bearerToken(event.headers ?? {});
      const isAdmin = keyMatchesAny(token, await deps.keys.accepted('admin'));
      if (ADMIN_ROUTES.has(`${match.route.method} ${match.route.path}`)) {
        if (!isAdmin)
          throw unauthorized('the admin key is required (Authorization: Bearer <admin key>)', 'Bearer');
      } else if (!isAdmin && !keyMatchesAny(token, await deps.keys.accepted('read')))
        throw unauthorized('a valid read key is required (Authorization: Bearer <read key>)', 'Bearer');
      const { params } = match;
      const query = event.queryStringParameters ?? {};
      const ports = { ...deps.ports, logger };
      const policyPorts = { model: deps.currentModel, overrides: deps.policies, clock: ports.clock };
      try {
        switch (match.route.path) {
          case '/v1/users/{userId}/profile':
            return json(200, await readProfile(pathParam(params, 'userId'), ports));
          case '/v1/users/{userId}/segment':
            return json(
              200,
              await lookupSegment(
                pathParam(params, 'userId'),
                {
                  ...ports,
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
            );
          case '/v1/users/{userId}/history': {
            const userId = pathParam(params, 'userId');
            const changes = await deps.assignments.history(userId);
            if (changes.length === 0 && !(await ports.profiles.get(userId)))
              throw new ProfileNotFoundError(`no profile for shopper "${userId}"`);
            return json(200, { shopperId: userId, changes });
          }
          case '/v1/segments':
            return json(200, segmentCatalogue(await deps.currentModel.get(), await deps.policies.all()));
          case '/v1/segments/{segmentId}/policy': {
            const segmentId = pathParam(params, 'segmentId');
            if (match.route.method === 'DELETE')
              return json(200, await resetSegmentPolicy(segmentId, policyPorts));
            const body = decodeJsonBody(
              event.body,
              event.isBase64Encoded ?? false,
              event.headers?.['content-encoding'],
              MAX_POLICY_BODY,
            );
            return json(200, await setSegmentPolicy(segmentId, parseMarketingPolicy(body), policyPorts));
          }
          case '/v1/segments/{segmentId}/members': {
            const segmentId = pathParam(params, 'segmentId');
            const cursor = query.cursor;
            if (cursor !== undefined && (cursor.length === 0 || cursor.length > 2048))
              throw badRequest('cursor is not one this API returned', 'cursor');
            const page = await listSegmentMembers(
              segmentId,
              { limit: intParam(query, 'limit', 1, 1000) ?? 100, ...(cursor ? { cursor } : {}) },
              { model: deps.currentModel, assignments: deps.assignments },
            );
            if (!wantsCsv(event.headers ?? {})) return json(200, page);
            return text(200, membersCsv(page.members), 'text/csv; charset=utf-8', {
              ...(page.nextCursor ? { 'x-next-cursor': page.nextCursor } : {}),
              'content-disposition': 'attachment; filename="segment-members.csv"',
            });
          }
          case '/v1/models':
            return json(200, await modelHistory(deps.models));
          case '/v1/models/{version}': {
            const version = pathParam(params, 'version');
            const model = await deps.models.load(version);
            if (!model) throw notFound(`no model "${version}"`);
            return json(200, model);
          }
          default:
            throw notFound(`no route for ${event.rawPath}`);
        }
      } catch (error) {
        throw mapError(error);
      }
    } catch (error) {
      return errorResponse(error, logger);
    }
  };

let cached: ReturnType<typeof createReadApiHandler> | undefined;

export const handler = (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
  if (!cached) {
    const config = runtimeConfigFromEnv();
    const objects = new S3ObjectStore(
      s3Client(config.endpoints),
      requiredKey(config.dataBucket, 'DATA_BUCKET'),
    );
    const models = new ModelRepository(objects);
    cached = createReadApiHandler({
      ports: servicePorts(config, 'read-api'),
      keys: apiKeysFromConfig(config, ['read', 'admin']),
      models,
      currentModel: new CurrentModel(models),
      assignments: new DynamoDbAssignmentStore(
        documentClient(config.endpoints),
        requiredKey(config.assignmentsTable, 'ASSIGNMENTS_TABLE'),
        config.profilesTable,
      ),
      policies: new PolicyOverrides(objects),
      recommendationIndex: new RecommendationIndexCache(models),
      publisher: new EventBridgePublisher(
        new EventBridgeClient({}),
        requiredKey(process.env.EVENT_BUS_NAME, 'EVENT_BUS_NAME'),
      ),
    });
  }
  return cached(event);
};
