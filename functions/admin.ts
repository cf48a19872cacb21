/**
 * Lambda `admin`: operations on a shopper's data, admin key only (`Authorization: Bearer`).
 *   DELETE /v1/users/{userId}   erase the shopper: profile, raw events (ledger) and segment
 *                               history; snapshots age out by the bucket's lifecycle rule.
 *                               200 with what was removed, also for an unknown or already
 *                               erased id (see shared/usecases/erase-shopper.ts).
 * Parse and authenticate → eraseShopper → answer; storage failures answer 5xx (retry: the erase
 * is idempotent).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiKeysFromConfig } from '../shared/adapters/api-keys-from-config';
import { DynamoDbAssignmentStore } from '../shared/adapters/dynamodb-assignment-store';
import { documentClient } from '../shared/adapters/dynamodb-client';
import { DynamoDbEventLedger } from '../shared/adapters/dynamodb-event-ledger';
import { DynamoDbProfileStore } from '../shared/adapters/dynamodb-profile-store';
import { type JsonLogger, jsonLogger, logLevelFromEnv } from '../shared/adapters/json-logger';
import { requiredKey, runtimeConfigFromEnv } from '../shared/adapters/runtime-config';
import { bearerToken, keyMatchesAny } from '../shared/http/auth';
import { correlationIdOf } from '../shared/http/correlation';
import { methodNotAllowed, notFound, unauthorized } from '../shared/http/errors';
import { pathParam } from '../shared/http/path-params';
import { errorResponse, type HttpResponse, json, noContent } from '../shared/http/responses';
import type { ApiKeys } from '../shared/ports/api-keys';
import { systemClock } from '../shared/ports/clock';
import { matchRoute } from '../shared/routes';
import { type ErasePorts, eraseShopper } from '../shared/usecases/erase-shopper';

export interface AdminHandlerDeps {
  readonly erase: Omit<ErasePorts, 'logger'>;
  readonly keys: ApiKeys;
  readonly logger: JsonLogger;
}

export const createAdminHandler =
  (deps: AdminHandlerDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    const logger = deps.logger.child({ correlationId: correlationIdOf(event), route: event.routeKey });
    try {
      const method = event.requestContext?.http?.method ?? 'DELETE';
      if (method === 'OPTIONS') return noContent();
      const match = matchRoute(method, event.rawPath);
      if (!('route' in match))
        throw match.pathKnown ? methodNotAllowed() : notFound(`no route for ${event.rawPath}`);
      if (match.route.fn !== 'admin') throw notFound(`no route for ${event.rawPath}`);
      // The read and write keys are refused: only the admin key may erase.
      if (!keyMatchesAny(bearerToken(event.headers ?? {}), await deps.keys.accepted('admin')))
        throw unauthorized('the admin key is required (Authorization: Bearer <admin key>)', 'Bearer');
      switch (`${match.route.method} ${match.route.path}`) {
        case 'DELETE /v1/users/{userId}':
          return json(200, await eraseShopper(pathParam(match.params, 'userId'), { ...deps.erase, logger }));
        default:
          throw notFound(`no route for ${event.rawPath}`);
      }
    } catch (error) {
      return errorResponse(error, logger);
    }
  };

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
