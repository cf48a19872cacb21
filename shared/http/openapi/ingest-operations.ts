/**
 * POST /v1/batch and POST /v1/<type>, and the same under the browser SDKs' paths: the ingestion
 * operations of the ingest function, with their examples.
 */
import * as z from 'zod';
import { MESSAGE_TYPES, type MessageType } from '#shared/activation/domain/segment-message';
import { BEACON_PATH, SEGMENT_SHORT_TYPES } from '#shared/contract/routes';
import { BadRequestError } from './common-schemas';
import { parameter, response } from './components';
import {
  AllEventsRejected,
  BatchRequest,
  IngestResult,
  SingleIngestResult,
  singleMessageRequest,
} from './ingest-schemas';
import { json, type OperationSpec } from './spec';
import type { SecurityRequirement } from './types';

/** Basic auth, or no header at all and `writeKey` in the body (checked by the handler). */
const writeSecurity: readonly SecurityRequirement[] = [{ writeKey: [] }, {}];

const ingestDescription = (what: string, limit: string) =>
  `${what} Authenticate with the write key as HTTP basic user (empty password), or as \`writeKey\` in the body. The body is JSON whatever the \`Content-Type\` says (the RudderStack client labels gzip JSON as form-urlencoded); \`Content-Encoding: gzip\`, \`deflate\` or \`br\` is decoded first, and ${limit} applies to the decoded size. Every message is stored exactly once, so resending after an error or a timeout is always safe.`;

const SINGLE_EXAMPLES: Record<MessageType, Record<string, unknown>> = {
  track: {
    userId: 'alice',
    messageId: 'msg-1001',
    event: 'Order Completed',
    timestamp: '2026-06-01T10:00:00Z',
    properties: {
      order_id: 'A-1001',
      revenue: 42.5,
      currency: 'USD',
      products: [{ product_id: 'sku-1', category: 'Books', price: 42.5, quantity: 1 }],
    },
  },
  identify: {
    userId: 'alice',
    timestamp: '2026-06-01T10:00:00Z',
    traits: { email: 'alice@example.com', createdAt: '2025-01-01T00:00:00Z', address: { country: 'GB' } },
  },
  page: { anonymousId: 'anon-7', name: 'Home', timestamp: '2026-06-01T10:00:00Z', properties: { path: '/' } },
  screen: { userId: 'alice', name: 'Cart', timestamp: '2026-06-01T10:00:00Z' },
  group: { userId: 'alice', groupId: 'acme', timestamp: '2026-06-01T10:00:00Z' },
  alias: { userId: 'alice', previousId: 'anon-7', timestamp: '2026-06-01T10:00:00Z' },
};

const ingestErrorResponses = {
  '401': response('Unauthorized'),
  '403': response('OriginNotAllowed'),
  '413': response('PayloadTooLarge'),
  '415': response('UnsupportedEncoding'),
  '500': response('InternalError'),
  '503': response('Throttled'),
};

/** A 400 of the batch route: every message rejected, or a malformed body. */
const batchBadRequest = z.xor([AllEventsRejected, BadRequestError]);

const ingestParameters = [parameter('contentEncoding'), parameter('correlationId')];

const capitalised = (type: string) => `${type[0]?.toUpperCase()}${type.slice(1)}`;

const singleIngestOperation = (type: MessageType): OperationSpec => ({
  operationId: `ingest${capitalised(type)}`,
  summary: `Send one ${type} message`,
  description: ingestDescription(
    `One Segment \`${type}\` message; the path sets \`type\` (a \`type\` in the body is ignored).`,
    'the 32 KB (32,768 bytes) limit',
  ),
  tags: ['ingestion'],
  security: writeSecurity,
  parameters: ingestParameters,
  requestBody: {
    required: true,
    content: json(singleMessageRequest(type), { example: { value: SINGLE_EXAMPLES[type] } }),
  },
  responses: {
    '200': {
      description: 'Accepted (`duplicates: 1` when it had been received before).',
      content: json(SingleIngestResult, {
        accepted: { value: { success: true, accepted: 1, duplicates: 0, rejected: [] } },
      }),
    },
    '400': {
      description:
        'Not JSON, not an object, or an invalid message (`invalid_event`, `field` names the field at fault).',
      content: json(BadRequestError, {
        invalid: {
          value: {
            error: 'invalid_event',
            message: 'userId userId or anonymousId is required',
            field: 'userId',
          },
        },
      }),
    },
    ...ingestErrorResponses,
  },
});

const batchOperation: OperationSpec = {
  operationId: 'ingestBatch',
  summary: 'Send a batch of messages',
  description: ingestDescription(
    'A Segment batch of track, identify, page, screen, group and alias messages, up to 2,500. Each message is validated on its own: valid ones are stored, invalid ones are listed in `rejected` by index.',
    'the 500 KB (512,000 bytes) limit',
  ),
  tags: ['ingestion'],
  security: writeSecurity,
  parameters: ingestParameters,
  requestBody: {
    required: true,
    content: json(BatchRequest, {
      batch: {
        value: {
          batch: [
            { type: 'track', ...SINGLE_EXAMPLES.track },
            { type: 'identify', ...SINGLE_EXAMPLES.identify },
            { type: 'page', ...SINGLE_EXAMPLES.page },
          ],
        },
      },
    }),
  },
  responses: {
    '200': {
      description:
        'At least one message accepted (or an empty batch); the others are listed in `rejected` by index.',
      content: json(IngestResult, {
        partial: {
          value: {
            success: true,
            accepted: 2,
            duplicates: 0,
            rejected: [{ index: 2, field: 'userId', reason: 'userId or anonymousId is required' }],
          },
        },
      }),
    },
    '400': {
      description:
        'Every message was rejected (`all_events_rejected`, with the same body as a 200), or the body is malformed (`bad_request`: not JSON, not an object, `batch` not an array).',
      content: json(batchBadRequest),
    },
    ...ingestErrorResponses,
  },
};

/** The same operation on a browser SDK's path. */
const onBrowserPath = (
  operation: OperationSpec,
  operationId: string,
  sdk: string,
  parameters: OperationSpec['parameters'] = operation.parameters,
): OperationSpec => ({
  ...operation,
  operationId,
  summary: `${operation.summary} (${sdk})`,
  ...(parameters ? { parameters } : {}),
});

export const ingestOperations: Record<string, OperationSpec> = {
  'POST /v1/batch': batchOperation,
  ...Object.fromEntries(MESSAGE_TYPES.map((type) => [`POST /v1/${type}`, singleIngestOperation(type)])),
  'POST /v1/b': onBrowserPath(batchOperation, 'ingestBrowserBatch', "analytics-next's batching path"),
  ...Object.fromEntries(
    Object.entries(SEGMENT_SHORT_TYPES).map(([letter, type]) => [
      `POST /v1/${letter}`,
      onBrowserPath(
        singleIngestOperation(type),
        `ingestBrowser${capitalised(type)}`,
        "analytics-next's path: the type's first letter",
      ),
    ]),
  ),
  [`POST ${BEACON_PATH}`]: onBrowserPath(
    batchOperation,
    'ingestBeaconBatch',
    "RudderStack's beacon: the write key in the query, a text/plain body",
    [...ingestParameters, parameter('writeKeyQuery')],
  ),
};
