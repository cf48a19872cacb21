/**
 * Lambda `ingest`: the Segment HTTP Tracking API (POST /v1/batch, /v1/track, /v1/identify,
 * /v1/page, /v1/screen, /v1/group, /v1/alias). Parse → authenticate → ingestEvents → answer.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiKeysFromConfig } from '../shared/adapters/api-keys-from-config';
import { runtimeConfigFromEnv } from '../shared/adapters/runtime-config';
import { type ServicePorts, servicePorts } from '../shared/adapters/service-ports';
import type { MessageType } from '../shared/domain/segment-message';
import { basicAuthUser, keyMatchesAny } from '../shared/http/auth';
import { correlationIdOf } from '../shared/http/correlation';
import {
  badRequest,
  HttpError,
  methodNotAllowed,
  notFound,
  payloadTooLarge,
  unauthorized,
} from '../shared/http/errors';
import { decodeJsonBody } from '../shared/http/request-body';
import { errorResponse, type HttpResponse, json, noContent } from '../shared/http/responses';
import type { ApiKeys } from '../shared/ports/api-keys';
import { defaultIngestConfig, type IngestConfig, ingestEvents } from '../shared/usecases/ingest-events';

export const MAX_BATCH_BYTES = 500 * 1024;
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_EVENTS = 2500;

const WRITE_KEY_NEEDED = 'a valid write key is required (HTTP basic auth user, or writeKey)';

const SINGLE_ROUTES: Record<string, MessageType> = {
  '/v1/track': 'track',
  '/v1/identify': 'identify',
  '/v1/page': 'page',
  '/v1/screen': 'screen',
  '/v1/group': 'group',
  '/v1/alias': 'alias',
};

export interface IngestHandlerDeps {
  readonly ports: ServicePorts;
  readonly keys: ApiKeys;
  readonly config: IngestConfig;
  /**
   * Told which profiles changed, after the answer is settled, without being awaited. Unset in
   * Lambda, where a DynamoDB stream re-scores; the local runtime re-scores in the background.
   */
  readonly onProfilesChanged?: (shopperIds: readonly string[]) => void;
}

export const createIngestHandler =
  (deps: IngestHandlerDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    const logger = deps.ports.logger.child({ correlationId: correlationIdOf(event), route: event.rawPath });
    try {
      const method = event.requestContext?.http?.method ?? 'POST';
      if (method === 'OPTIONS') return noContent();
      const path = event.rawPath.replace(/\/+$/, '');
      const singleType = SINGLE_ROUTES[path];
      if (path !== '/v1/batch' && !singleType) throw notFound(`no route for ${path}`);
      if (method !== 'POST') throw methodNotAllowed();

      const headers = event.headers ?? {};
      // A basic-auth key is checked before the body is decoded: no work for unauthenticated callers.
      const headerKey = basicAuthUser(headers);
      const writeKeys = await deps.keys.accepted('write');
      if (headerKey !== undefined && !keyMatchesAny(headerKey, writeKeys))
        throw unauthorized(WRITE_KEY_NEEDED);
      const body = decodeJsonBody(
        event.body,
        event.isBase64Encoded,
        headers['content-encoding'],
        singleType ? MAX_EVENT_BYTES : MAX_BATCH_BYTES,
      );
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw badRequest('the body must be a JSON object', 'body');
      const fields = body as Record<string, unknown>;
      const key = headerKey ?? (typeof fields.writeKey === 'string' ? fields.writeKey : undefined);
      if (!keyMatchesAny(key, writeKeys)) throw unauthorized(WRITE_KEY_NEEDED);

      const ports = { ...deps.ports, logger };
      if (singleType) {
        const result = await ingestEvents([fields], ports, deps.config, singleType);
        if (result.changedShoppers.length > 0) deps.onProfilesChanged?.(result.changedShoppers);
        const rejection = result.rejected[0];
        if (rejection)
          throw new HttpError(
            400,
            'invalid_event',
            // Some reasons already start with the field ("userId or anonymousId is required").
            rejection.reason.startsWith(rejection.field)
              ? rejection.reason
              : `${rejection.field} ${rejection.reason}`,
            rejection.field,
          );
        return json(200, {
          success: true,
          accepted: result.accepted,
          duplicates: result.duplicates,
          rejected: [],
        });
      }

      if (!Array.isArray(fields.batch)) throw badRequest('batch must be an array of messages', 'batch');
      if (fields.batch.length > MAX_BATCH_EVENTS) {
        const error = payloadTooLarge(`a batch may hold at most ${MAX_BATCH_EVENTS} messages`);
        throw new HttpError(error.status, error.code, error.message, 'batch');
      }
      const result = await ingestEvents(fields.batch, ports, deps.config);
      if (result.changedShoppers.length > 0) deps.onProfilesChanged?.(result.changedShoppers);
      const everyOneRejected = result.received > 0 && result.accepted === 0;
      return json(everyOneRejected ? 400 : 200, {
        ...(everyOneRejected
          ? { error: 'all_events_rejected', message: 'no message in the batch was valid: see rejected' }
          : {}),
        success: !everyOneRejected,
        accepted: result.accepted,
        duplicates: result.duplicates,
        rejected: result.rejected,
      });
    } catch (error) {
      return errorResponse(error, logger);
    }
  };

let cached: ReturnType<typeof createIngestHandler> | undefined;

/** Lambda entry: the real adapters are wired once per container, on first use. */
export const handler = (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
  if (!cached) {
    const config = runtimeConfigFromEnv();
    cached = createIngestHandler({
      ports: servicePorts(config, 'ingest'),
      keys: apiKeysFromConfig(config, ['write']),
      config: {
        ...defaultIngestConfig,
        defaultCurrency: config.defaultCurrency,
        maxFutureMs: config.maxFutureMs,
      },
    });
  }
  return cached(event);
};
