/**
 * Lambda `read-api`: the endpoints for shop tools, one module a route group under
 * shared/http/routes/ (keys, as the route table says: read or admin key as `Authorization: Bearer`;
 * policy changes the admin key; /openapi.json none):
 *   profile-routes          GET /v1/users/{userId}/profile
 *   segment-lookup-routes   GET /v1/users/{userId}/segment, /history
 *   catalogue-routes        GET /v1/segments, /v1/segments-over-time, /v1/segments/{segmentId}/profile,
 *                           /v1/segments/{segmentId}/members (JSON or CSV), /v1/segments/{segmentId}/lift
 *   policy-routes           PUT, DELETE /v1/segments/{segmentId}/policy
 *   model-routes            GET /v1/models, /v1/models/{version}
 *   api-description-route   GET /openapi.json
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ExposureStore } from '#shared/activation/ports/exposure-store';
import type { ProfileRecords } from '#shared/activation/ports/profile-records';
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import { SegmentTimeline } from '#shared/activation/usecases/catalogue/segments-over-time';
import { PolicyOverrides } from '#shared/activation/usecases/policies/policy-overrides';
import { apiKeysFromConfig } from '#shared/adapters/api-keys-from-config';
import { documentClient } from '#shared/adapters/dynamodb-client';
import { DynamoDbExposureStore } from '#shared/adapters/dynamodb-exposure-store';
import { DynamoDbProfileStore } from '#shared/adapters/dynamodb-profile-store';
import { assignmentStore } from '#shared/adapters/erase-ports';
import { type RuntimeConfig, requiredKey, runtimeConfigFromEnv } from '#shared/adapters/runtime-config';
import { s3Client } from '#shared/adapters/s3-client';
import { S3ObjectStore } from '#shared/adapters/s3-object-store';
import { segmentChangeBus } from '#shared/adapters/segment-change-bus';
import { type ServicePorts, servicePorts } from '#shared/adapters/service-ports';
import { ENV } from '#shared/contract/environment';
import { functionKeyRoles } from '#shared/contract/routes';
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
import type { ObjectStore } from '#shared/kernel/ports/object-store';
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
  readonly exposures: ExposureStore;
  readonly profileRecords: ProfileRecords;
  readonly recommendationIndex: RecommendationIndexCache;
  readonly timeline: SegmentTimeline;
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

/** What the function is wired with in a runtime: the Lambda's below, or the local server's. */
export interface ReadApiRuntime {
  readonly config: RuntimeConfig;
  readonly client: DynamoDBDocumentClient;
  readonly objects: ObjectStore;
  readonly ports: ServicePorts;
  readonly publisher: SegmentChangePublisher;
  /** How long cached models, policies and indexes are trusted (the classes' defaults when absent). */
  readonly cacheMs?: number;
}

export const readApiDependencies = (runtime: ReadApiRuntime): ReadApiDeps => {
  const { config, objects, cacheMs } = runtime;
  const models = new ModelRepository(objects);
  const currentModel = new CurrentModel(models, cacheMs);
  return {
    ports: runtime.ports,
    keys: apiKeysFromConfig(config, functionKeyRoles.readApi),
    models,
    currentModel,
    assignments: assignmentStore(config, runtime.client),
    publisher: runtime.publisher,
    policies: new PolicyOverrides(objects, cacheMs),
    exposures: new DynamoDbExposureStore(
      runtime.client,
      requiredKey(config.assignmentsTable, ENV.assignmentsTable),
    ),
    profileRecords: new DynamoDbProfileStore(runtime.client, config.profilesTable),
    recommendationIndex: new RecommendationIndexCache(models, cacheMs),
    timeline: new SegmentTimeline(models, currentModel),
  };
};

let cached: ReturnType<typeof createReadApiHandler> | undefined;

export const handler = (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
  if (!cached) {
    const config = runtimeConfigFromEnv();
    const client = documentClient(config.endpoints);
    cached = createReadApiHandler(
      readApiDependencies({
        config,
        client,
        objects: new S3ObjectStore(
          s3Client(config.endpoints),
          requiredKey(config.dataBucket, ENV.dataBucket),
        ),
        ports: servicePorts(config, 'read-api', client),
        publisher: segmentChangeBus(config),
      }),
    );
  }
  return cached(event);
};
