/**
 * Lambda `admin`: operations on a shopper's data, admin key only (`Authorization: Bearer`).
 *   DELETE /v1/users/{userId}   erase the shopper (shared/http/routes/erasure-routes.ts)
 * The HTTP edge (shared/http/edge.ts) checks the key and the id; storage failures answer 5xx
 * (retry: the erase is idempotent).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiKeysFromConfig } from '../shared/adapters/api-keys-from-config';
import { DynamoDbAssignmentStore } from '../shared/adapters/dynamodb-assignment-store';
import { documentClient } from '../shared/adapters/dynamodb-client';
import { DynamoDbEventLedger } from '../shared/adapters/dynamodb-event-ledger';
import { DynamoDbProfileStore } from '../shared/adapters/dynamodb-profile-store';
import { type JsonLogger, jsonLogger, logLevelFromEnv } from '../shared/adapters/json-logger';
import { requiredKey, runtimeConfigFromEnv } from '../shared/adapters/runtime-config';
import { httpHandler } from '../shared/http/edge';
import type { HttpResponse } from '../shared/http/responses';
import { type ErasureRouteDeps, erasureRoutes } from '../shared/http/routes/erasure-routes';
import type { ApiKeys } from '../shared/ports/api-keys';
import { systemClock } from '../shared/ports/clock';

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
    const client = documentClient(config.endpoints);
    cached = createAdminHandler({
      erase: {
        profiles: new DynamoDbProfileStore(client, config.profilesTable),
        // The clock and retention only matter for writes, which this function does not make.
        ledger: new DynamoDbEventLedger(client, config.eventsTable, systemClock, config.eventRetentionDays),
        history: new DynamoDbAssignmentStore(
          client,
          requiredKey(config.assignmentsTable, 'ASSIGNMENTS_TABLE'),
          config.profilesTable,
        ),
      },
      keys: apiKeysFromConfig(config, ['admin']),
      logger: jsonLogger({ service: 'admin', level: logLevelFromEnv(config.logLevel) }),
    });
  }
  return cached(event);
};
