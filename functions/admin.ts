/**
 * Lambda `admin`: operations on a shopper's data, admin key only (`Authorization: Bearer`).
 *   DELETE /v1/users/{userId}   erase the shopper (shared/http/routes/erasure-routes.ts)
 * The HTTP edge (shared/http/edge.ts) checks the key and the id; storage failures answer 5xx
 * (retry: the erase is idempotent).
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiKeysFromConfig } from '#shared/adapters/api-keys-from-config';
import { documentClient } from '#shared/adapters/dynamodb-client';
import { erasePorts } from '#shared/adapters/erase-ports';
import { type JsonLogger, jsonLogger, logLevelFromEnv } from '#shared/adapters/json-logger';
import { type RuntimeConfig, runtimeConfigFromEnv } from '#shared/adapters/runtime-config';
import { functionKeyRoles } from '#shared/contract/routes';
import type { ApiKeys } from '#shared/http/api-keys';
import { httpHandler } from '#shared/http/edge';
import type { HttpResponse } from '#shared/http/responses';
import { type ErasureRouteDeps, erasureRoutes } from '#shared/http/routes/erasure-routes';
import { type Clock, clockFromEnv } from '#shared/kernel/ports/clock';

export interface AdminHandlerDeps extends ErasureRouteDeps {
  readonly keys: ApiKeys;
  readonly logger: JsonLogger;
}

export const createAdminHandler = (deps: AdminHandlerDeps) =>
  httpHandler({ fn: 'admin', routes: erasureRoutes(deps), keys: deps.keys, logger: deps.logger });

/** The function's dependencies from a runtime's configuration and clients: the Lambda's and the local server's. */
export const adminDependencies = (
  config: RuntimeConfig,
  runtime: { readonly client: DynamoDBDocumentClient; readonly clock: Clock; readonly logger: JsonLogger },
): AdminHandlerDeps => ({
  erase: erasePorts(config, runtime.client, runtime.clock),
  keys: apiKeysFromConfig(config, functionKeyRoles.admin),
  logger: runtime.logger,
});

let cached: ReturnType<typeof createAdminHandler> | undefined;

export const handler = (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
  if (!cached) {
    const config = runtimeConfigFromEnv();
    cached = createAdminHandler(
      adminDependencies(config, {
        client: documentClient(config.endpoints),
        clock: clockFromEnv(config.now),
        logger: jsonLogger({ service: 'admin', level: logLevelFromEnv(config.logLevel) }),
      }),
    );
  }
  return cached(event);
};
