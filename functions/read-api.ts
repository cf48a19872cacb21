/**
 * Lambda `read-api`: the endpoints for shop tools, one module a route group under
 * shared/http/routes/ (keys, as the route table says: read or admin key as `Authorization: Bearer`;
 * policy changes the admin key; /openapi.json none):
 *   profile-routes          GET /v1/users/{userId}/profile
 *   segment-lookup-routes   GET /v1/users/{userId}/segment, /history
 *   catalogue-routes        GET /v1/segments, /v1/segments/{segmentId}/members (JSON or CSV)
 *   policy-routes           PUT, DELETE /v1/segments/{segmentId}/policy
 *   model-routes            GET /v1/models, /v1/models/{version}
 *   api-description-route   GET /openapi.json
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import { PolicyOverrides } from '#shared/activation/usecases/policies/policy-overrides';
import { apiKeysFromConfig } from '#shared/adapters/api-keys-from-config';
import { assignmentStore } from '#shared/adapters/erase-ports';
import { requiredKey, runtimeConfigFromEnv } from '#shared/adapters/runtime-config';
import { s3Client } from '#shared/adapters/s3-client';
import { S3ObjectStore } from '#shared/adapters/s3-object-store';
import { segmentChangeBus } from '#shared/adapters/segment-change-bus';
import { type ServicePorts, servicePorts } from '#shared/adapters/service-ports';
import type { ApiKeys } from '#shared/http/api-keys';
import { httpHandler } from '#shared/http/edge';
import type { HttpResponse } from '#shared/http/responses';
import { apiDescriptionRoute } from '#shared/http/routes/api-description-route';
import { catalogueRoutes } from '#shared/http/routes/catalogue-routes';
import { modelRoutes } from '#shared/http/routes/model-routes';
import { policyRoutes } from '#shared/http/routes/policy-routes';
import { profileRoutes } from '#shared/http/routes/profile-routes';
import { segmentLookupRoutes } from '#shared/http/routes/segment-lookup-routes';
import { readApiErrorAsHttp } from '#shared/http/routes/use-case-errors';
import { RecommendationIndexCache } from '#shared/recommendations/usecases/read-index/recommendation-index-cache';
import type { AssignmentStore } from '#shared/segmentation/ports/assignment-store';
import { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';

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

export const createReadApiHandler = (deps: ReadApiDeps) =>
  httpHandler({
    fn: 'readApi',
    routes: {
      ...profileRoutes(deps),
      ...segmentLookupRoutes(deps),
      ...catalogueRoutes(deps),
      ...policyRoutes(deps),
      ...modelRoutes(deps),
      ...apiDescriptionRoute(),
    },
    keys: deps.keys,
    logger: deps.ports.logger,
    mapError: readApiErrorAsHttp,
  });

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
      assignments: assignmentStore(config),
      policies: new PolicyOverrides(objects),
      recommendationIndex: new RecommendationIndexCache(models),
      publisher: segmentChangeBus(config),
    });
  }
  return cached(event);
};
