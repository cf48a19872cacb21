/**
 * Building blocks for the API's zod schemas, and the schemas every area shares: errors, feature
 * names, coupons and marketing policies. The `description`s and `examples` are the API reference
 * users read in /openapi.json: they are carried into the document by `z.toJSONSchema`.
 */
import * as z from 'zod';
import { FEATURES } from '#shared/segmentation/domain/features/features';
import { couponSchema, marketingPolicySchema } from '../policy-schema';

const described = <T extends z.ZodType>(schema: T, description?: string): T =>
  description ? schema.describe(description) : schema;

/** A non-negative whole number (a count). */
export const count = (description?: string) => described(z.int().nonnegative(), description);
/** A number (an amount of money, a score). */
export const amount = (description?: string) => described(z.number(), description);
/** A string. */
export const text = (description?: string) => described(z.string(), description);
/** A number in [0, 1]. */
export const fraction = (description?: string) => described(z.number().min(0).max(1), description);
/** An RFC 3339 date-time, as the code writes them (`Date#toISOString`). */
export const dateTime = (description?: string) =>
  z.string().meta({ format: 'date-time', ...(description ? { description } : {}) });
export const nullableDateTime = (description?: string) => described(dateTime().nullable(), description);
export const stringList = () => z.array(z.string());
export const numberList = () => z.array(z.number());

// -- Errors -------------------------------------------------------------------------------------

export const ErrorBody = z
  .strictObject({
    error: text('A stable, machine-readable error code.'),
    message: text('What went wrong, for a person.'),
    field: text(
      'The request field at fault, when there is one: a body field (`batch`, `body`, `userId`, `properties.products.0.price`, `(event)` for the message as a whole), a path parameter or a query parameter.',
    ).optional(),
  })
  .describe('Every error answer: `{ error, message, field? }`.');

/** An error answer whose `error` is one of these codes. */
const errorCodes = <const C extends readonly [string, ...string[]]>(codes: C, description: string) =>
  ErrorBody.extend({ error: z.enum(codes).describe('A stable, machine-readable error code.') }).describe(
    description,
  );

export const BadRequestError = errorCodes(
  ['bad_request', 'invalid_event'],
  '400: the request is malformed (`bad_request`), or the single message of /v1/track, /v1/identify, … is invalid (`invalid_event`, with the field at fault).',
);
export const UnauthorizedError = errorCodes(['unauthorized'], '401: the key is missing or wrong.');
export const OriginNotAllowedError = errorCodes(
  ['origin_not_allowed'],
  '403: the request comes from a page (its `Origin` header, `field: "origin"`) the write key does not list.',
);
export const NotFoundError = errorCodes(['not_found'], '404: no such route, shopper, segment or model.');
export const MethodNotAllowedError = errorCodes(
  ['method_not_allowed'],
  '405: the path exists, the method does not.',
);
export const PayloadTooLargeError = errorCodes(
  ['payload_too_large'],
  '413: the decoded body or the batch is too large.',
);
export const UnsupportedEncodingError = errorCodes(
  ['unsupported_encoding'],
  '415: a `Content-Encoding` other than gzip, deflate, br or identity.',
);
export const UnavailableError = errorCodes(
  ['no_model', 'throttled'],
  '503: no segmentation model has been trained yet (`no_model`: run a retrain), or storage is throttled (`throttled`: retry the same request after `Retry-After` seconds).',
);
export const InternalError = errorCodes(
  ['internal'],
  '500: the request could not be completed; retrying is safe.',
);

// -- Features, policies -------------------------------------------------------------------------

export const FeatureName = z
  .enum(FEATURES)
  .describe(
    'A per-shopper feature, in real units (days, orders, money in the profile currency, rates in [0, 1]).',
  );

/** Values by feature name (not every feature need be present). */
export const featureMap = <T extends z.ZodType>(value: T) => z.partialRecord(FeatureName, value);

export const FeatureValues = featureMap(z.number()).describe(
  'Feature values by feature name, in real units.',
);

/**
 * The handler's own schemas (shared/http/policy-schema.ts), described there. One coupon schema
 * serves both directions: as a request (`CouponInput`) a free-shipping coupon may leave out
 * `value`, which answers always carry.
 */
export const Coupon = couponSchema;
export const MarketingPolicy = marketingPolicySchema.describe(
  "What to do about a segment's shoppers. Every segment has a default by its RFM name; operators can override it per segment id.",
);
export const MarketingPolicyInput = marketingPolicySchema.describe(
  'A complete marketing policy, as PUT /v1/segments/{segmentId}/policy takes it: every field required, no other field.',
);

export const SegmentRef = z.strictObject({ id: text(), name: text() });
