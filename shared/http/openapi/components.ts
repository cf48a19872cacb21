/** The responses, parameters and headers operations share (`components.responses`, `…parameters`, `…headers`). */
import * as z from 'zod';
import { idSchema } from '../path-params';
import {
  BadRequestError,
  InternalError,
  MethodNotAllowedError,
  NotFoundError,
  OriginNotAllowedError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedEncodingError,
} from './common-schemas';
import { listSizeQuery } from './lookup-schemas';
import { cursorQuery, limitQuery, timelineLimitQuery } from './segments-schemas';
import { componentRef, type HeaderSpec, json, type ParameterSpec, type ResponseSpec } from './spec';

const errorResponse = (
  description: string,
  schema: z.ZodType,
  headers?: ResponseSpec['headers'],
): ResponseSpec => ({ description, ...(headers ? { headers } : {}), content: json(schema) });

const retryAfter = { 'Retry-After': componentRef('headers', 'RetryAfter') };

export const responses = {
  BadRequest: errorResponse('The request is malformed; `field` names the part at fault.', BadRequestError),
  Unauthorized: errorResponse('The key is missing or wrong.', UnauthorizedError, {
    'WWW-Authenticate': componentRef('headers', 'WwwAuthenticate'),
  }),
  OriginNotAllowed: errorResponse(
    'The `Origin` header names a page the write key may not send from: a browser key sends only from the origins configured for it, the server-side write key from none (docs/browser-tracking.md). Nothing is stored.',
    OriginNotAllowedError,
  ),
  NotFound: errorResponse('No such route, shopper, segment or model.', NotFoundError),
  MethodNotAllowed: errorResponse(
    'A method not described here on a known path, when the request reaches the service (the local server passes every method on; API Gateway answers an undeclared method itself, with its own 404 `{"message":"Not Found"}`).',
    MethodNotAllowedError,
  ),
  PayloadTooLarge: errorResponse(
    'The decoded body is over the limit (32 KB for a single message, 500 KB for a batch, 16 KB for a policy), or the batch has more than 2,500 messages (`field: "batch"`). Decompression stops at the limit.',
    PayloadTooLargeError,
  ),
  UnsupportedEncoding: errorResponse(
    'A `Content-Encoding` other than gzip, deflate, br or identity.',
    UnsupportedEncodingError,
  ),
  Throttled: errorResponse(
    'Storage is throttled (`throttled`): retry the same request; a retry never counts twice.',
    UnavailableError,
    retryAfter,
  ),
  NoModel: errorResponse(
    'No segmentation model has been trained yet (`no_model`: run a retrain), or storage is throttled (`throttled`, with `Retry-After`).',
    UnavailableError,
    retryAfter,
  ),
  InternalError: errorResponse(
    'The request could not be completed (storage failure); retrying the same request is safe.',
    InternalError,
  ),
} satisfies Record<string, ResponseSpec>;
export type ResponseName = keyof typeof responses;
export const response = (name: ResponseName) => componentRef('responses', name);

export const headers = {
  WwwAuthenticate: {
    description: 'The authentication challenge: Basic on ingestion routes, Bearer on the others.',
    required: true,
    schema: z
      .string()
      .regex(/^(Basic|Bearer) realm=/)
      .meta({ examples: ['Basic realm="segmentation"', 'Bearer realm="segmentation"'] }),
  },
  RetryAfter: {
    description: 'Seconds to wait before retrying (sent with `throttled`).',
    schema: z.string().regex(/^\d+$/),
  },
  CsvDisposition: {
    description: 'CSV pages only: `attachment; filename="segment-members.csv"`.',
    schema: z.string(),
  },
  NextCursor: {
    description: 'CSV pages only: the cursor of the next page; absent on the last page.',
    schema: z.string().min(1),
  },
} satisfies Record<string, HeaderSpec>;
export const header = (name: keyof typeof headers) => componentRef('headers', name);

/** A path parameter: what shared/http/path-params.ts accepts once it is URL-decoded. */
const idParameter = (name: string, description: string): ParameterSpec => ({
  name,
  in: 'path',
  required: true,
  description: `${description} URL-encoded; 1–256 printable characters once decoded.`,
  schema: idSchema(name),
});

export const parameters = {
  userId: idParameter('userId', 'The shopper id: the `userId`, else the `anonymousId`, of their messages.'),
  segmentId: idParameter('segmentId', 'A segment id from GET /v1/segments (`seg-<n>` or `prospects`).'),
  version: idParameter('version', 'A model version, as listed by GET /v1/models.'),
  writeKey: idParameter('writeKey', 'A write key (the browser SDK settings are per key).'),
  writeKeyQuery: {
    name: 'writeKey',
    in: 'query',
    description: 'The write key, where the client sends no Authorization header (RudderStack beacons).',
    schema: z.string().min(1),
  },
  correlationId: {
    name: 'x-correlation-id',
    in: 'header',
    description:
      "Tags this request's log lines (1–100 of `A-Za-z0-9_.:-`); the request id is used otherwise.",
    // shared/http/correlation.ts
    schema: z.string().regex(/^[\w.:-]{1,100}$/),
  },
  contentEncoding: {
    name: 'Content-Encoding',
    in: 'header',
    description: 'Compression of the body; limits apply to the decoded size.',
    // shared/http/request-body.ts
    schema: z.enum(['gzip', 'x-gzip', 'deflate', 'br', 'identity']),
  },
  recommendations: {
    name: 'recommendations',
    in: 'query',
    description:
      'How many product recommendations to add to the answer (0–50). Without it the answer has no `recommendations` field.',
    schema: listSizeQuery,
  },
  buyAgain: {
    name: 'buyAgain',
    in: 'query',
    description:
      "How many of the shopper's own products to add as likely re-orders (0–50), most likely first. Without it the answer has no `buyAgain` field.",
    schema: listSizeQuery,
  },
  limit: { name: 'limit', in: 'query', description: 'Page size.', schema: limitQuery },
  timelineLimit: {
    name: 'limit',
    in: 'query',
    description: 'How many of the last promoted models (1–50, default 20).',
    schema: timelineLimitQuery,
  },
  cursor: {
    name: 'cursor',
    in: 'query',
    description:
      "The previous page's `nextCursor` (or `x-next-cursor` header): opaque, and bound to its segment.",
    schema: cursorQuery,
  },
} satisfies Record<string, ParameterSpec>;
export const parameter = (name: keyof typeof parameters) => componentRef('parameters', name);
