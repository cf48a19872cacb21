/**
 * Lambda `admin`: operations on a shopper's data, admin key only (`Authorization: Bearer`).
 *   DELETE /v1/users/{userId}   erase the shopper (shared/http/routes/erasure-routes.ts)
 * The HTTP edge (shared/http/edge.ts) checks the key and the id; storage failures answer 5xx
 * (retry: the erase is idempotent).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiKeysFromConfig } from '#shared/adapters/api-keys-from-config';
import { erasePorts } from '#shared/adapters/erase-ports';
import { type JsonLogger, jsonLogger, logLevelFromEnv } from '#shared/adapters/json-logger';
import { runtimeConfigFromEnv } from '#shared/adapters/runtime-config';
import type { ApiKeys } from '#shared/http/api-keys';
import { httpHandler } from '#shared/http/edge';
import type { HttpResponse } from '#shared/http/responses';
import { type ErasureRouteDeps, erasureRoutes } from '#shared/http/routes/erasure-routes';

export interface AdminHandlerDeps extends ErasureRouteDeps {
  readonly keys: ApiKeys;
  readonly logger: JsonLogger;
}

export const createAdminHandler = (deps: AdminHandlerDeps) =>
  httpHandler({ fn: 'admin', routes: erasureRoutes(deps), keys: deps.keys, logger: deps.logger });

let cached: ReturnType<typeof createAdminHandler> | undefined;

/**
 * Lambda entry, wired once per container. DynamoDB calls, for least-privilege grants:
 * profiles table GetItem + DeleteItem (no index); events and assignments tables Query +
 * BatchWriteItem (deletes only).
 */
export const handler = (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
  if (!cached) {
    const config = runtimeConfigFromEnv();
    cached = createAdminHandler({
      erase: erasePorts(config),
      keys: apiKeysFromConfig(config, ['admin']),
      logger: jsonLogger({ service: 'admin', level: logLevelFromEnv(config.logLevel) }),
    });
  }
  return cached(event);
};
