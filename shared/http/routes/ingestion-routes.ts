/**
 * The Segment HTTP Tracking API (function `ingest`): POST /v1/batch, and one message at a time on
 * /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group, /v1/alias (the path sets `type`);
 * the same under the browser SDKs' paths: analytics-next's /v1/b and /v1/t, /v1/i, … and
 * RudderStack's beacon batches on /beacon/v1/batch.
 * The edge has checked the write key and decoded the body: validate → ingestEvents → answer.
 */
import type { MessageType } from '#shared/activation/domain/segment-message';
import { SEGMENT_SHORT_TYPES } from '#shared/contract/routes';
import type { EventLedger } from '#shared/ingestion/ports/event-ledger';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import {
  type IngestConfig,
  type IngestResult,
  ingestEvents,
} from '#shared/ingestion/usecases/ingest-events/ingest-events';
import type { Clock } from '#shared/kernel/ports/clock';
import type { RouteHandler, RouteHandlers, RouteRequest } from '../edge';
import { badRequest, HttpError, payloadTooLarge } from '../errors';
import { json } from '../responses';
import { withoutSdkPlaceholders } from './sdk-placeholders';

export const MAX_BATCH_BYTES = 500 * 1024;
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_EVENTS = 2500;

export interface IngestionRouteDeps {
  readonly ports: { readonly profiles: ProfileStore; readonly ledger: EventLedger; readonly clock: Clock };
  readonly config: IngestConfig;
  /**
   * Told which profiles changed, after the answer is settled, without being awaited. Unset in
   * Lambda, where a DynamoDB stream re-scores; the local runtime re-scores in the background.
   */
  readonly onProfilesChanged?: (shopperIds: readonly string[]) => void;
}

/** The edge made sure of it: the body is a JSON object. */
const fieldsOf = (request: RouteRequest) => request.body as Record<string, unknown>;

const ingest = async (
  deps: IngestionRouteDeps,
  request: RouteRequest,
  messages: readonly unknown[],
  forcedType?: MessageType,
): Promise<IngestResult> => {
  const result = await ingestEvents(
    messages.map(withoutSdkPlaceholders),
    { ...deps.ports, logger: request.logger },
    deps.config,
    forcedType,
  );
  if (result.changedShoppers.length > 0) deps.onProfilesChanged?.(result.changedShoppers);
  return result;
};

/** One message; the path sets its type. An invalid message is a 400 naming the field. */
const singleMessage = (deps: IngestionRouteDeps, type: MessageType): RouteHandler => ({
  jsonBody: { maxBytes: MAX_EVENT_BYTES, object: true },
  handle: async (request) => {
    const result = await ingest(deps, request, [fieldsOf(request)], type);
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
  },
});

/** A batch: every message is validated on its own; a batch whose every message is rejected is a 400. */
const batch = (deps: IngestionRouteDeps): RouteHandler => ({
  jsonBody: { maxBytes: MAX_BATCH_BYTES, object: true },
  handle: async (request) => {
    const messages = fieldsOf(request).batch;
    if (!Array.isArray(messages)) throw badRequest('batch must be an array of messages', 'batch');
    if (messages.length > MAX_BATCH_EVENTS) {
      const error = payloadTooLarge(`a batch may hold at most ${MAX_BATCH_EVENTS} messages`);
      throw new HttpError(error.status, error.code, error.message, 'batch');
    }
    const result = await ingest(deps, request, messages);
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
  },
});

export const ingestionRoutes = (deps: IngestionRouteDeps): RouteHandlers<{ group: 'ingestion' }> => ({
  'POST /v1/batch': batch(deps),
  'POST /v1/b': batch(deps),
  'POST /beacon/v1/batch': batch(deps),
  'POST /v1/track': singleMessage(deps, 'track'),
  'POST /v1/identify': singleMessage(deps, 'identify'),
  'POST /v1/page': singleMessage(deps, 'page'),
  'POST /v1/screen': singleMessage(deps, 'screen'),
  'POST /v1/group': singleMessage(deps, 'group'),
  'POST /v1/alias': singleMessage(deps, 'alias'),
  'POST /v1/t': singleMessage(deps, SEGMENT_SHORT_TYPES.t),
  'POST /v1/i': singleMessage(deps, SEGMENT_SHORT_TYPES.i),
  'POST /v1/p': singleMessage(deps, SEGMENT_SHORT_TYPES.p),
  'POST /v1/s': singleMessage(deps, SEGMENT_SHORT_TYPES.s),
  'POST /v1/g': singleMessage(deps, SEGMENT_SHORT_TYPES.g),
  'POST /v1/a': singleMessage(deps, SEGMENT_SHORT_TYPES.a),
});
