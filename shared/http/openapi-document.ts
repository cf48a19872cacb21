/**
 * The OpenAPI 3.1 description of the whole HTTP API, served at GET /openapi.json.
 * test/integration/openapi.test.ts validates live responses against it, so it cannot drift from the code.
 *
 * Schemas are plain JSON Schema 2020-12 (the document's `jsonSchemaDialect`): no OpenAPI-only
 * keywords, so any 2020-12 validator can check requests and answers against them. Response
 * objects are closed (`additionalProperties: false`) where the code builds them field by field;
 * maps whose keys vary (centroids, timings, currencies) and Segment's own payloads stay open.
 */
import { MAX_AMOUNT } from '../domain/money';
import { CATEGORY_CAP, PURCHASE_HISTORY_CAP, PURCHASED_CAP, RECENT_CAP } from '../domain/profile';
import { MAX_PRODUCTS_PER_EVENT, MESSAGE_TYPES } from '../domain/segment-message';
import { FEATURES } from '../domain/segmentation/features';

// ---------------------------------------------------------------------------------------------
// The subset of OpenAPI 3.1 and JSON Schema 2020-12 this document uses, typed so that a
// misspelt keyword is a compile error rather than a silently ignored annotation.

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

export interface JsonSchemaObject {
  readonly $ref?: string;
  readonly $comment?: string;
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly deprecated?: boolean;
  readonly readOnly?: boolean;
  readonly writeOnly?: boolean;
  readonly type?: JsonType | readonly JsonType[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly allOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly not?: JsonSchema;
  readonly if?: JsonSchema;
  readonly then?: JsonSchema;
  readonly else?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema;
  readonly unevaluatedProperties?: JsonSchema;
  readonly propertyNames?: JsonSchema;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly items?: JsonSchema;
  readonly prefixItems?: readonly JsonSchema[];
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}
export type JsonSchema = JsonSchemaObject | boolean;

export interface Reference {
  readonly $ref: string;
  readonly summary?: string;
  readonly description?: string;
}

export interface Example {
  readonly summary?: string;
  readonly description?: string;
  readonly value: unknown;
}

export interface MediaType {
  readonly schema: JsonSchema;
  readonly examples?: Readonly<Record<string, Example>>;
}

export interface HeaderObject {
  readonly description?: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

export interface ParameterObject {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly description?: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

export interface RequestBody {
  readonly description?: string;
  readonly required?: boolean;
  readonly content: Readonly<Record<string, MediaType>>;
}

export interface ResponseObject {
  readonly description: string;
  readonly headers?: Readonly<Record<string, HeaderObject | Reference>>;
  readonly content?: Readonly<Record<string, MediaType>>;
}

export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

export interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly security: readonly SecurityRequirement[];
  readonly parameters?: readonly (ParameterObject | Reference)[];
  readonly requestBody?: RequestBody | Reference;
  readonly responses: Readonly<Record<string, ResponseObject | Reference>>;
}

export interface PathItem {
  readonly summary?: string;
  readonly description?: string;
  readonly parameters?: readonly (ParameterObject | Reference)[];
  readonly get?: Operation;
  readonly put?: Operation;
  readonly post?: Operation;
  readonly delete?: Operation;
}

export interface SecurityScheme {
  readonly type: 'http';
  readonly scheme: 'basic' | 'bearer';
  readonly description: string;
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly jsonSchemaDialect: string;
  readonly info: {
    readonly title: string;
    readonly version: string;
    readonly summary?: string;
    readonly description?: string;
    readonly license?: { readonly name: string; readonly identifier?: string };
  };
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, PathItem>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly responses: Readonly<Record<string, ResponseObject>>;
    readonly parameters: Readonly<Record<string, ParameterObject>>;
    readonly headers: Readonly<Record<string, HeaderObject>>;
    readonly securitySchemes: Readonly<Record<string, SecurityScheme>>;
  };
}

// ---------------------------------------------------------------------------------------------
// Building blocks.

const schema = (name: string): JsonSchemaObject => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string): Reference => ({ $ref: `#/components/responses/${name}` });
const parameter = (name: string): Reference => ({ $ref: `#/components/parameters/${name}` });
const header = (name: string): Reference => ({ $ref: `#/components/headers/${name}` });

/** A closed object: every property required except those named optional. */
const closed = (
  properties: Record<string, JsonSchema>,
  optional: readonly string[] = [],
  description?: string,
): JsonSchemaObject => ({
  type: 'object',
  ...(description ? { description } : {}),
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
  properties,
  additionalProperties: false,
});

const count = (description?: string): JsonSchemaObject => ({
  type: 'integer',
  minimum: 0,
  ...(description ? { description } : {}),
});
const amount = (description?: string): JsonSchemaObject => ({
  type: 'number',
  ...(description ? { description } : {}),
});
const text = (description?: string): JsonSchemaObject => ({
  type: 'string',
  ...(description ? { description } : {}),
});
const dateTime = (description?: string): JsonSchemaObject => ({
  type: 'string',
  format: 'date-time',
  ...(description ? { description } : {}),
});
const nullableDateTime = (description?: string): JsonSchemaObject => ({
  type: ['string', 'null'],
  format: 'date-time',
  ...(description ? { description } : {}),
});
const fraction = (description?: string): JsonSchemaObject => ({
  type: 'number',
  minimum: 0,
  maximum: 1,
  ...(description ? { description } : {}),
});
const stringList: JsonSchemaObject = { type: 'array', items: { type: 'string' } };
const numberList: JsonSchemaObject = { type: 'array', items: { type: 'number' } };

const json = (body: JsonSchema, examples?: Record<string, Example>): Record<string, MediaType> => ({
  'application/json': { schema: body, ...(examples ? { examples } : {}) },
});

/** Printable (no control characters), as the read API checks path parameters after decoding. */
const PRINTABLE = String.raw`^[^\u0000-\u001f\u007f]+$`;
/** A Segment identifier: printable and not blank. */
const IDENTIFIER = String.raw`^(?=.*\S)[^\u0000-\u001f\u007f]+$`;
/** ISO 8601 as the ingestion accepts it (calendar validity is checked too: no 30 February). */
const ISO_8601 = String.raw`^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?$`;
/** Money strings shop front-ends send: 19.99, "19.99", "$19.99", "1,299.00 USD", "€5". */
const MONEY_STRING = String.raw`^\s*(?:[A-Z]{3}\s*)?[$€£¥]?\s*(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:[A-Z]{3})?\s*$`;

const readSecurity: readonly SecurityRequirement[] = [{ readKey: [] }, { adminKey: [] }];
const adminSecurity: readonly SecurityRequirement[] = [{ adminKey: [] }];
/** Basic auth, or no header at all and `writeKey` in the body (checked by the handler). */
const writeSecurity: readonly SecurityRequirement[] = [{ writeKey: [] }, {}];

// ---------------------------------------------------------------------------------------------
// Schemas.

const errorCodes = (codes: readonly string[], description: string): JsonSchemaObject => ({
  description,
  type: 'object',
  allOf: [schema('Error')],
  properties: { error: { enum: codes } },
});

const marketingPolicy = (coupon: string, description: string): JsonSchemaObject =>
  closed(
    {
      action: { type: 'string', minLength: 1, maxLength: 64, examples: ['win_back'] },
      channel: { enum: ['email', 'sms', 'push', 'ads', 'onsite', 'none'] },
      coupon: {
        description: 'The offer to make, or null for none.',
        oneOf: [schema(coupon), { type: 'null' }],
      },
      message: { type: 'string', maxLength: 500 },
      priority: { type: 'integer', minimum: 1, maximum: 9, description: '1 = act first.' },
    },
    [],
    description,
  );

const commonSchemas: Record<string, JsonSchema> = {
  Error: closed(
    {
      error: text('A stable, machine-readable error code.'),
      message: text('What went wrong, for a person.'),
      field: text(
        'The request field at fault, when there is one: a body field (`batch`, `body`, `userId`, `properties.products.0.price`, `(event)` for the message as a whole), a path parameter or a query parameter.',
      ),
    },
    ['field'],
    'Every error answer: `{ error, message, field? }`.',
  ),
  BadRequestError: errorCodes(
    ['bad_request', 'invalid_event'],
    '400: the request is malformed (`bad_request`), or the single message of /v1/track, /v1/identify, … is invalid (`invalid_event`, with the field at fault).',
  ),
  UnauthorizedError: errorCodes(['unauthorized'], '401: the key is missing or wrong.'),
  NotFoundError: errorCodes(['not_found'], '404: no such route, shopper, segment or model.'),
  MethodNotAllowedError: errorCodes(['method_not_allowed'], '405: the path exists, the method does not.'),
  PayloadTooLargeError: errorCodes(['payload_too_large'], '413: the decoded body or the batch is too large.'),
  UnsupportedEncodingError: errorCodes(
    ['unsupported_encoding'],
    '415: a `Content-Encoding` other than gzip, deflate, br or identity.',
  ),
  UnavailableError: errorCodes(
    ['no_model', 'throttled'],
    '503: no segmentation model has been trained yet (`no_model`: run a retrain), or storage is throttled (`throttled`: retry the same request after `Retry-After` seconds).',
  ),
  InternalError: errorCodes(['internal'], '500: the request could not be completed; retrying is safe.'),
  FeatureName: {
    description:
      'A per-shopper feature, in real units (days, orders, money in the profile currency, rates in [0, 1]).',
    enum: [...FEATURES],
  },
  FeatureValues: {
    description: 'Feature values by feature name, in real units.',
    type: 'object',
    propertyNames: schema('FeatureName'),
    additionalProperties: { type: 'number' },
  },
  Coupon: {
    description:
      'An offer: percent off (above 0, at most 100), an amount off in the shop currency (above 0), or free shipping (value 0).',
    oneOf: [
      closed({ kind: { const: 'percent' }, value: { type: 'number', exclusiveMinimum: 0, maximum: 100 } }),
      closed({
        kind: { const: 'amount' },
        value: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
      }),
      closed({ kind: { const: 'free_shipping' }, value: { const: 0 } }),
    ],
  },
  CouponInput: {
    description: 'As `Coupon`; a free-shipping coupon may leave out `value`.',
    oneOf: [schema('Coupon'), closed({ kind: { const: 'free_shipping' } })],
  },
  MarketingPolicy: marketingPolicy(
    'Coupon',
    "What to do about a segment's shoppers. Every segment has a default by its RFM name; operators can override it per segment id.",
  ),
  MarketingPolicyInput: marketingPolicy(
    'CouponInput',
    'A complete marketing policy, as PUT /v1/segments/{segmentId}/policy takes it: every field required, no other field.',
  ),
  SegmentRef: closed({ id: text(), name: text() }),
};

// -- Ingestion (Segment Tracking API) --------------------------------------------------------------

const identifierSchema = (max: number): JsonSchemaObject => ({
  oneOf: [
    { type: 'string', minLength: 1, maxLength: max, pattern: IDENTIFIER },
    { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  ],
});

const looseObject = (description: string): JsonSchemaObject => ({
  type: ['object', 'null'],
  description,
});

const moneyValue = (description: string): JsonSchemaObject => ({
  description: `${description} A number, or a money string such as "19.99", "$19.99" or "1,299.00 USD"; not negative, at most ${MAX_AMOUNT}.`,
  oneOf: [
    { type: 'number', minimum: 0, maximum: MAX_AMOUNT },
    { type: 'string', pattern: MONEY_STRING },
  ],
});

const shortString = (max: number, description: string): JsonSchemaObject => ({
  description,
  oneOf: [{ type: 'string', maxLength: max }, { type: 'integer' }, { type: 'null' }],
});

const ingestionSchemas: Record<string, JsonSchema> = {
  Identifier: {
    description: 'A string of 1–256 printable characters, not blank, or a non-negative integer.',
    ...identifierSchema(256),
  },
  IsoTimestamp: {
    type: 'string',
    maxLength: 64,
    pattern: ISO_8601,
    description:
      'ISO 8601 date or date-time; a time without a zone is UTC. At most 24 h in the future, not before 1970.',
    examples: ['2026-06-01T10:00:00Z', '2026-06-01T12:00:00+02:00', '2026-06-01'],
  },
  MessageFields: {
    type: 'object',
    description:
      'Fields every Segment message may carry. The profile key is `userId`, else `anonymousId`; the behaviour time is `timestamp`, else `originalTimestamp` (`sentAt` and the receive time are never used). Unknown fields are accepted and ignored.',
    properties: {
      messageId: {
        description:
          'The dedupe key (1–200 printable characters, or an integer). Without one, an id is derived from the content less `sentAt` and `writeKey`, so an identical resend is still recognised.',
        ...identifierSchema(200),
      },
      userId: { oneOf: [schema('Identifier'), { type: 'null' }] },
      anonymousId: { oneOf: [schema('Identifier'), { type: 'null' }] },
      timestamp: schema('IsoTimestamp'),
      originalTimestamp: schema('IsoTimestamp'),
      event: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        pattern: String.raw`\S`,
        description: 'The event name: required on track calls, checked on all.',
      },
      name: { type: ['string', 'null'], maxLength: 500 },
      properties: looseObject('Properties: read on track calls, checked on all.'),
      traits: looseObject('Traits: read on identify calls, checked on all.'),
      sentAt: { type: 'string', description: 'Accepted and ignored.' },
      context: looseObject('Accepted; `context.traits` is read on identify calls.'),
      integrations: { type: 'object', description: 'Accepted and ignored.' },
    },
    allOf: [
      {
        description: '`userId` or `anonymousId` is required.',
        anyOf: [
          { required: ['userId'], properties: { userId: schema('Identifier') } },
          { required: ['anonymousId'], properties: { anonymousId: schema('Identifier') } },
        ],
      },
      {
        description: '`timestamp` or `originalTimestamp` is required.',
        anyOf: [{ required: ['timestamp'] }, { required: ['originalTimestamp'] }],
      },
    ],
  },
  Product: {
    type: 'object',
    description: 'A product line (Segment E-commerce Spec v2). Unknown fields are ignored.',
    properties: {
      product_id: shortString(200, 'Also read from `productId`, `sku` or `id`.'),
      category: { type: ['string', 'null'], maxLength: 200 },
      price: moneyValue('Unit price.'),
      quantity: {
        description: 'An integer from 0 to 1000000 (default 1), or such an integer as a string.',
        oneOf: [
          { type: 'integer', minimum: 0, maximum: 1_000_000 },
          { type: 'string', pattern: String.raw`^\d+$` },
          { type: 'null' },
        ],
      },
    },
  },
  TrackProperties: {
    type: ['object', 'null'],
    description:
      'Event properties. The E-commerce Spec v2 fields below feed the profile; product events (Product Viewed, Product Added, …) may carry one product at the top level instead of `products`. Other fields are accepted and ignored.',
    properties: {
      order_id: shortString(200, 'Also read from `orderId` or `id`.'),
      revenue: moneyValue('The order amount (else `total`, else `value`; else the sum of the products).'),
      total: moneyValue('Used when `revenue` is absent.'),
      value: moneyValue('Used when `revenue` and `total` are absent.'),
      discount: moneyValue('Discount on the order.'),
      currency: {
        type: ['string', 'null'],
        pattern: '^[A-Za-z]{3}$',
        description: 'ISO 4217 code; the default currency when absent.',
      },
      coupon: shortString(200, 'Also read from `coupon_id` or `coupon_name`.'),
      products: {
        type: ['array', 'null'],
        description: `Any number of lines within the 32 KB event limit. Every line is validated and counts toward the order's units (and its revenue when that is the sum of the products); product-level detail (category figures, recent and purchased products) is kept for the first ${MAX_PRODUCTS_PER_EVENT} lines only.`,
        items: schema('Product'),
      },
    },
  },
  IdentifyTraits: {
    type: ['object', 'null'],
    description:
      'Traits. Only these are kept, and only as derived facts (sign-up time, country, whether an e-mail is known): no personal data is stored. Others are accepted and dropped.',
    properties: {
      email: { type: 'string', description: 'Kept only as `hasEmail`.' },
      createdAt: { type: 'string', description: 'Sign-up time (also `created_at`).' },
      country: { type: 'string' },
      address: { type: 'object', properties: { country: { type: 'string' } } },
    },
  },
  TrackFields: {
    description: 'A track call: what the shopper did.',
    allOf: [schema('MessageFields')],
    type: 'object',
    required: ['event'],
    properties: {
      event: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        pattern: String.raw`\S`,
        description:
          'The event name. E-commerce Spec v2 names (Order Completed, Product Viewed, Product Added, Checkout Started, Order Refunded, …) are recognised ignoring case, spaces and underscores; others count as activity.',
        examples: ['Order Completed'],
      },
      properties: schema('TrackProperties'),
    },
  },
  IdentifyFields: {
    description: 'An identify call: who the shopper is.',
    allOf: [schema('MessageFields')],
    type: 'object',
    properties: { traits: schema('IdentifyTraits') },
  },
  PageFields: {
    description: 'A page call: a page view.',
    allOf: [schema('MessageFields')],
    type: 'object',
    properties: {
      name: { type: ['string', 'null'], maxLength: 500 },
      properties: looseObject('Page properties (accepted, not stored).'),
    },
  },
  ScreenFields: {
    description: 'A screen call: a mobile screen view, counted as a page view.',
    allOf: [schema('MessageFields')],
    type: 'object',
    properties: {
      name: { type: ['string', 'null'], maxLength: 500 },
      properties: looseObject('Screen properties (accepted, not stored).'),
    },
  },
  GroupFields: {
    description: 'A group call: counted as activity.',
    allOf: [schema('MessageFields')],
    type: 'object',
    properties: {
      groupId: { type: ['string', 'integer', 'null'] },
      traits: looseObject('Group traits (accepted, not stored).'),
    },
  },
  AliasFields: {
    description: 'An alias call: counted as activity (identities are not merged).',
    allOf: [schema('MessageFields')],
    type: 'object',
    properties: { previousId: { type: ['string', 'integer', 'null'] } },
  },
  BatchMessage: {
    description: 'One message of a batch, of any type; `type` says which.',
    oneOf: MESSAGE_TYPES.map((type) => ({
      allOf: [schema(`${type[0]?.toUpperCase()}${type.slice(1)}Fields`)],
      type: 'object' as const,
      required: ['type'],
      properties: { type: { const: type } },
    })),
  },
  WriteKeyInBody: {
    type: 'object',
    properties: {
      writeKey: {
        type: 'string',
        description: 'The write key, when no `Authorization: Basic` header is sent.',
        writeOnly: true,
      },
    },
  },
  BatchRequest: {
    description: `A Segment batch: up to 2,500 messages and 500 KB (512,000 bytes) decoded. A message over 32 KB is rejected on its own (listed in \`rejected\`).`,
    allOf: [schema('WriteKeyInBody')],
    type: 'object',
    required: ['batch'],
    properties: {
      batch: { type: 'array', maxItems: 2500, items: schema('BatchMessage') },
      sentAt: { type: 'string', description: 'Accepted and ignored.' },
      context: { type: 'object', description: 'Accepted and ignored.' },
      integrations: { type: 'object', description: 'Accepted and ignored.' },
    },
  },
  Rejection: closed(
    {
      index: count('Position of the message in the batch (0 for a single message).'),
      field: text('The field at fault, or `(event)` for the message as a whole.'),
      reason: text(),
    },
    [],
    'Why one message was not accepted.',
  ),
  IngestResult: closed(
    {
      success: { const: true },
      accepted: count('Messages accepted, duplicates included.'),
      duplicates: count('Accepted messages that had been received before: stored once, counted once.'),
      rejected: { type: 'array', items: schema('Rejection') },
    },
    [],
    'The answer to a batch with at least one valid message (or none at all): the others are listed in `rejected` by index.',
  ),
  SingleIngestResult: closed(
    {
      success: { const: true },
      accepted: { const: 1 },
      duplicates: { enum: [0, 1] },
      rejected: { type: 'array', maxItems: 0 },
    },
    [],
    'The answer to a valid single message.',
  ),
  AllEventsRejected: closed(
    {
      error: { const: 'all_events_rejected' },
      message: text(),
      success: { const: false },
      accepted: { const: 0 },
      duplicates: { const: 0 },
      rejected: { type: 'array', minItems: 1, items: schema('Rejection') },
    },
    [],
    'A batch none of whose messages is valid: the ingest answer with an error code.',
  ),
};

// -- Profiles -----------------------------------------------------------------------------------

const profileSchemas: Record<string, JsonSchema> = {
  WindowFigures: closed(
    {
      days: { enum: [30, 90, 365] },
      orders: count(),
      revenue: amount(),
      units: count(),
      refundAmount: amount(),
      productViews: count(),
      cartAdds: count(),
      activeDays: count(),
    },
    [],
    'Figures over the last N UTC days, counting the as-of day itself.',
  ),
  CategoryAffinity: closed({
    name: text(),
    views: count(),
    cartAdds: count(),
    orders: count(),
    units: count(),
    revenue: amount(),
  }),
  RecentPurchase: closed({ productId: text(), at: dateTime(), category: text() }, ['category']),
  PurchasedItem: closed(
    {
      productId: text(),
      orders: count('Orders that included it.'),
      first: { type: 'string', format: 'date', description: 'First day (UTC) an order included it.' },
      last: { type: 'string', format: 'date', description: 'Last day (UTC) an order included it.' },
    },
    [],
    'One product the shopper bought, as buy-again ranking reads it.',
  ),
  ForeignCurrencyTotals: closed({ orders: count(), revenue: amount(), refundAmount: amount() }),
  SegmentStamp: closed(
    {
      id: text(),
      name: text(),
      since: dateTime(),
      modelVersion: text(),
      modelSequence: count(
        "The stamping model's place in promotion order: no earlier model replaces the stamp (absent on older stamps).",
      ),
    },
    ['modelSequence'],
    "The shopper's segment as last recorded (by a retrain or a live re-score).",
  ),
  KeptTraits: {
    type: 'object',
    description: 'Identify traits kept as derived facts; other traits are never stored.',
    properties: {
      signedUpAt: dateTime(),
      country: { type: 'string', maxLength: 56 },
      hasEmail: { type: 'boolean' },
    },
  },
  Profile: closed(
    {
      shopperId: text(),
      segment: schema('SegmentStamp'),
      anonymous: { type: 'boolean', description: 'Keyed by `anonymousId` (no `userId` seen).' },
      firstSeen: dateTime(),
      lastSeen: dateTime(),
      firstOrderAt: nullableDateTime(),
      lastOrderAt: nullableDateTime(),
      currency: {
        type: ['string', 'null'],
        pattern: '^[A-Z]{3}$',
        description: "Currency of `revenue`: that of the shopper's first priced order.",
      },
      orders: count(),
      revenue: amount(),
      refunds: count(),
      refundAmount: amount(),
      cancellations: count(),
      orderUpdates: count(),
      units: count(),
      productViews: count(),
      listViews: count(),
      cartAdds: count(),
      cartRemoves: count(),
      cartViews: count(),
      checkoutsStarted: count(),
      wishlistAdds: count(),
      couponsApplied: count(),
      ordersWithCoupon: count(),
      discountTotal: amount(),
      pageViews: count(),
      otherEvents: count(),
      duplicateOrders: count('Orders whose order id had already been counted under another messageId.'),
      otherCurrencies: {
        type: 'object',
        description: 'Amounts in currencies other than `currency`, by currency: never summed into revenue.',
        propertyNames: { pattern: '^[A-Z]{3}$' },
        additionalProperties: schema('ForeignCurrencyTotals'),
      },
      categories: { type: 'array', maxItems: CATEGORY_CAP, items: schema('CategoryAffinity') },
      recentPurchases: { type: 'array', maxItems: RECENT_CAP, items: schema('RecentPurchase') },
      purchasedProducts: {
        type: 'array',
        maxItems: PURCHASED_CAP,
        items: { type: 'string' },
        description: `Distinct product ids bought (the first ${PURCHASED_CAP}).`,
      },
      purchaseHistory: {
        type: 'array',
        maxItems: PURCHASE_HISTORY_CAP,
        items: schema('PurchasedItem'),
        description: `Per product: orders, first and last day; the ${PURCHASE_HISTORY_CAP} most recently bought (then most often), newest first. Absent in a profile not updated since it was introduced.`,
      },
      traits: schema('KeptTraits'),
      asOf: dateTime('The time the figures are computed for.'),
      netRevenue: amount('Revenue less refunds.'),
      averageOrderValue: {
        type: ['number', 'null'],
        description: 'Revenue per order priced in `currency`; null before the first such order.',
      },
      activeDays: count('Days with any event, ever.'),
      distinctProducts: count(),
      windows: closed({
        last30Days: schema('WindowFigures'),
        last90Days: schema('WindowFigures'),
        last365Days: schema('WindowFigures'),
      }),
    },
    ['segment', 'purchaseHistory'],
    "A shopper's live profile: lifetime counters and windowed figures, as of the service clock's now. Amounts are in `currency`.",
  ),
};

const eraseSchemas: Record<string, JsonSchema> = {
  EraseResult: closed(
    {
      shopperId: text(),
      erased: closed({
        profile: { type: 'boolean', description: 'Whether a profile existed and was deleted.' },
        events: count('Raw event ledger items deleted (normalised events and order markers).'),
        history: count('Segment-change history entries deleted.'),
      }),
    },
    [],
    'What the erase removed. Zero counts and `profile: false` when nothing of the shopper was held (also on a repeated erase).',
  ),
};

// -- Segments and lookup ------------------------------------------------------------------------

const segmentSchemas: Record<string, JsonSchema> = {
  CustomerForecast: closed(
    {
      pAlive: {
        type: ['number', 'null'],
        minimum: 0,
        maximum: 1,
        description:
          'Probability the shopper is still an active customer (BG/NBD). 1 for a shopper with a single order: the model assumes a customer can only lapse after a repeat purchase.',
      },
      expectedOrders: {
        type: ['number', 'null'],
        minimum: 0,
        description: 'Expected purchase days in the next `horizonDays` (BG/NBD).',
      },
      horizonDays: count(),
      predictedValue: {
        type: ['number', 'null'],
        minimum: 0,
        description:
          'Expected spend over the next `valueMonths`: expected orders × the Gamma-Gamma expected order value, in `currency`.',
      },
      valueMonths: amount(),
      currency: text(),
      outlook: {
        type: ['string', 'null'],
        description: '`likely to lapse` (P(alive) < 0.5), `high predicted value` (top 20%), both, or null.',
      },
      reason: {
        type: ['string', 'null'],
        description:
          'Why a figure is null (no order yet, too few repeat buyers to fit, ...); null when none is.',
      },
      note: {
        type: ['string', 'null'],
        description:
          'What to know about the figures when the model is a boundary fit, e.g. the shop shows no drop-out yet, so P(alive) is 1 for everyone by construction (`clv.model.boundary` in the model); null otherwise.',
      },
    },
    [],
    "The shopper's predicted customer value. Never NaN: a figure the models cannot give is null, with the reason.",
  ),
  SegmentForecast: closed(
    {
      pAlive: fraction('Mean P(alive) of the segment’s buyers.'),
      expectedOrders: amount('Mean expected orders over the horizon (90 days by default).'),
      predictedValue: {
        type: ['number', 'null'],
        description: 'Mean predicted value over 12 months (by default).',
      },
    },
    [],
    "The segment's mean customer value forecast at training (a seeded sample of its buyers).",
  ),
  Recommendation: closed(
    {
      productId: text(),
      score: amount(),
      reason: text('Why, for a person ("Bought by 32% of Champions").'),
      source: {
        enum: ['co-purchase', 'segment', 'global', 'buy-again'],
        description:
          '`co-purchase`: bought with your products; `segment`: popular in your segment; `global`: popular with all shoppers; `buy-again`: your own product.',
      },
      category: text(),
    },
    ['category'],
  ),
  FeatureExplanation: closed({
    feature: schema('FeatureName'),
    value: amount("The shopper's value, in real units."),
    typical: { type: ['number', 'null'], description: "The segment centroid's value, in the same units." },
  }),
  SegmentLookup: closed(
    {
      shopperId: text(),
      segment: closed({ id: text(), name: text(), description: text(), rules: stringList }),
      since: dateTime('Since when the shopper is in this segment.'),
      distance: {
        type: ['number', 'null'],
        minimum: 0,
        description: "Distance to the segment's centroid in the scaled feature space; null for prospects.",
      },
      confidence: fraction('How much nearer this centroid is than the next one.'),
      modelVersion: text(),
      asOf: dateTime(),
      changed: { type: 'boolean', description: 'Whether this lookup found and recorded a segment change.' },
      features: { type: 'array', items: schema('FeatureExplanation') },
      policy: schema('MarketingPolicy'),
      predictions: schema('CustomerForecast'),
      recommendations: {
        type: 'array',
        maxItems: 50,
        items: schema('Recommendation'),
        description: 'Present only when `recommendations` is asked for.',
      },
      buyAgain: {
        type: 'array',
        maxItems: 50,
        items: schema('Recommendation'),
        description: 'Present only when `buyAgain` is asked for.',
      },
    },
    ['recommendations', 'buyAgain'],
    "The shopper's segment scored from the live profile against the current model, why, since when, and what to do.",
  ),
  SegmentChange: closed(
    {
      shopperId: text(),
      from: { oneOf: [schema('SegmentRef'), { type: 'null' }], description: 'Null for the first placement.' },
      to: schema('SegmentRef'),
      at: dateTime(),
      reason: {
        enum: ['retrain', 'behaviour'],
        description: 'A retrain reassigned the shopper, or their own behaviour moved them.',
      },
      modelVersion: text(),
    },
    [],
    'One segment change (also published as a "Segment Changed" event).',
  ),
  SegmentHistory: closed(
    {
      shopperId: text(),
      changes: { type: 'array', items: schema('SegmentChange'), description: 'Oldest first.' },
    },
    [],
  ),
  SegmentSummary: closed({
    id: text('Stable across retrains; `prospects` for the rule-based segment of shoppers with no order.'),
    name: text(),
    description: text(),
    size: count(
      "Shoppers in the segment: every shopper of the model's snapshot as its reassignment scored them (until that completes, the training sample's count scaled to the population).",
    ),
    share: fraction('Share of all shoppers of the snapshot, prospects included.'),
    centroid: schema('FeatureValues'),
    rules: stringList,
    policy: schema('MarketingPolicy'),
    policySource: { enum: ['default', 'override'] },
    forecast: { oneOf: [schema('SegmentForecast'), { type: 'null' }] },
  }),
  SegmentCatalogue: closed(
    {
      modelVersion: text(),
      asOf: dateTime('The date the model was trained as of.'),
      segments: { type: 'array', items: schema('SegmentSummary'), description: 'Clusters, then prospects.' },
    },
    [],
    "The current model's segments.",
  ),
  SegmentPolicyOverride: closed(
    {
      segmentId: text(),
      segmentName: text(),
      policy: schema('MarketingPolicy'),
      source: { const: 'override' },
      updatedAt: dateTime(),
    },
    [],
    "The segment's policy is now the operator's.",
  ),
  SegmentPolicyDefault: closed(
    {
      segmentId: text(),
      segmentName: text(),
      policy: schema('MarketingPolicy'),
      source: { const: 'default' },
    },
    [],
    "The segment's policy is back to the default for its name.",
  ),
  SegmentMember: closed({
    shopperId: text(),
    since: dateTime(),
    modelVersion: text('The model that placed the shopper.'),
  }),
  SegmentMembersPage: closed(
    {
      segmentId: text(),
      segmentName: text(),
      modelVersion: text('The current model.'),
      members: { type: 'array', maxItems: 1000, items: schema('SegmentMember') },
      nextCursor: {
        type: ['string', 'null'],
        description: 'Pass as `cursor` for the next page; null on the last page.',
      },
    },
    [],
    'One page of the shoppers in a segment, in shopper id order.',
  ),
};

// -- Models and retrain runs --------------------------------------------------------------------

const featureList: JsonSchemaObject = { type: 'array', items: schema('FeatureName') };

const modelSchemas: Record<string, JsonSchema> = {
  KCandidateReport: closed(
    {
      k: { type: 'integer', minimum: 1 },
      silhouette: amount(),
      daviesBouldin: amount(),
      smallestShare: fraction(),
      largestShare: fraction(),
      inertia: amount(),
      eligible: { type: 'boolean' },
    },
    ['largestShare'],
  ),
  ModelMetrics: closed(
    {
      k: { type: 'integer', minimum: 1 },
      silhouette: amount(),
      daviesBouldin: amount(),
      inertia: amount(),
      rulesAgreement: fraction('Share of shoppers whose cluster agrees with the RFM rules.'),
      candidates: {
        type: 'array',
        description: 'The silhouette search, when K fell back to it (empty when the backtest chose K).',
        items: schema('KCandidateReport'),
      },
      selection: {
        description: 'How K and the features were chosen (absent in models trained before the backtest).',
        oneOf: [schema('BacktestSelection'), schema('SilhouetteSelection')],
      },
    },
    ['selection'],
  ),
  Separation: closed(
    {
      auc: fraction('AUC of "buys again in the horizon", each shopper scored by their segment\'s buy rate.'),
      etaSquared: fraction(
        'Share of the variance of log(1 + revenue in the horizon) explained by segment means.',
      ),
    },
    [],
    'How well segments separate what shoppers do next.',
  ),
  SelectionCandidate: closed({
    k: { type: 'integer', minimum: 1 },
    features: featureList,
    weighted: { type: 'boolean' },
    auc: fraction(),
    etaSquared: fraction(),
    score: amount(
      'Mean of the AUC and η² gains relative to the RFM grid on the backtest; 1 = as good as the grid.',
    ),
    largestShare: fraction(),
    smallestShare: fraction(),
    eligible: { type: 'boolean', description: 'Every segment within the minimum and maximum shares.' },
  }),
  BacktestSelection: closed(
    {
      method: { const: 'backtest' },
      horizonDays: count('H: features as of the as-of time − H, outcome in the last H days.'),
      asOf: dateTime('The backtest cut, as-of − H.'),
      shoppers: count('Buyers in the backtest sample.'),
      baseline: { ...schema('Separation'), description: 'The RFM grid on the same backtest shoppers.' },
      chosen: schema('SelectionCandidate'),
      features: {
        type: 'array',
        items: closed({ feature: schema('FeatureName'), used: { type: 'boolean' }, reason: text() }),
      },
      weights: {
        description: 'Per used feature, when weighting by predictive strength won on the backtest.',
        oneOf: [
          { type: 'object', propertyNames: schema('FeatureName'), additionalProperties: amount() },
          { type: 'null' },
        ],
      },
      candidates: { type: 'array', items: schema('SelectionCandidate') },
    },
    [],
    "K, features and weights chosen by how well segments separate the next H days on the retrain's own backtest.",
  ),
  SilhouetteSelection: closed(
    { method: { const: 'silhouette' }, reason: text('Why no backtest was possible.') },
    [],
    'K chosen by silhouette because the shop has too little history for a backtest.',
  ),
  StabilityReport: closed(
    {
      ari: amount("Adjusted Rand index between the previous model's and this model's segments."),
      migration: {
        type: 'object',
        description: 'from segment id → to segment id → shoppers.',
        additionalProperties: { type: 'object', additionalProperties: count() },
      },
      matched: count(),
      retired: stringList,
      added: stringList,
    },
    [],
    'How the segments moved against the previous model.',
  ),
  DriftReport: closed(
    {
      features: {
        type: 'object',
        description: 'Population stability index by feature.',
        propertyNames: schema('FeatureName'),
        additionalProperties: { type: 'number' },
      },
      maxFeaturePsi: amount(),
      segmentSharesPsi: { type: ['number', 'null'] },
    },
    [],
    'How the population moved against the previous model.',
  ),
  TrainingConfig: closed(
    {
      features: {
        ...featureList,
        description: 'Candidates: the RFM core always, the others where the backtest says they help.',
      },
      required: {
        ...featureList,
        description: 'Clustered whatever the backtest says, on top of the RFM core.',
      },
      kMin: { type: 'integer', minimum: 1 },
      kMax: { type: 'integer', minimum: 1 },
      seed: { type: 'integer' },
      minShare: fraction(),
      maxShare: fraction('No segment may hold more of the buyers (0.5 where absent).'),
      sampleSize: count(),
      silhouetteSample: count(),
      restarts: count(),
      gate: closed({
        minShare: fraction(),
        silhouetteRatio: amount(),
        minAri: amount(),
        driftPsi: amount(),
      }),
    },
    ['maxShare', 'required'],
  ),
  FeatureTransform: closed(
    {
      features: featureList,
      steps: {
        type: 'array',
        items: closed({
          feature: schema('FeatureName'),
          log: { type: 'boolean' },
          low: amount(),
          high: amount(),
          center: amount(),
          scale: amount(),
        }),
      },
    },
    [],
    'Raw features → the scaled vectors the clustering sees (log1p, winsorising, robust scaling).',
  ),
  SegmentDefinition: closed(
    {
      id: text(),
      name: text(),
      description: text(),
      scores: closed({
        r: { type: 'integer', minimum: 1, maximum: 5 },
        f: { type: 'integer', minimum: 1, maximum: 5 },
        m: { type: 'integer', minimum: 1, maximum: 5 },
      }),
      centroid: { ...numberList, description: 'In the scaled feature space.' },
      centroidReal: schema('FeatureValues'),
      size: count(),
      share: fraction(),
      rules: stringList,
      forecast: { oneOf: [schema('SegmentForecast'), { type: 'null' }] },
    },
    ['forecast'],
  ),
  SegmentModel: closed(
    {
      schema: { const: 1 },
      version: text(),
      sequence: count('Promotion order: the previous model’s + 1 (absent in older models).'),
      createdAt: dateTime(),
      asOf: dateTime(),
      currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      lineage: closed({
        snapshot: text(),
        snapshotRows: count(),
        previousVersion: { type: ['string', 'null'] },
        runId: text(),
      }),
      config: schema('TrainingConfig'),
      transform: schema('FeatureTransform'),
      scale: closed(
        { recencyDays: numberList, frequency365: numberList, monetary365: numberList },
        [],
        'Population percentiles used to name segments (RFM scores).',
      ),
      segments: { type: 'array', items: schema('SegmentDefinition') },
      prospects: closed({ size: count(), share: fraction() }),
      metrics: schema('ModelMetrics'),
      stability: { oneOf: [schema('StabilityReport'), { type: 'null' }] },
      drift: { oneOf: [schema('DriftReport'), { type: 'null' }] },
      reference: closed(
        {
          features: {
            type: 'object',
            propertyNames: schema('FeatureName'),
            additionalProperties: closed({ edges: numberList, shares: numberList }),
          },
          segmentShares: { type: 'object', additionalProperties: { type: 'number' } },
        },
        [],
        'Distributions at training, kept to measure drift.',
      ),
      nextSequence: { type: 'integer', minimum: 1, description: 'Next free number for `seg-<n>` ids.' },
      clv: {
        type: 'object',
        required: ['config', 'model', 'highValueFrom'],
        properties: {
          config: { type: 'object', description: 'Time unit, calibration window, horizon and value months.' },
          model: {
            type: 'object',
            description:
              'The fitted BG/NBD (`bgnbd`: r, alpha, a, b) and Gamma-Gamma (`gammaGamma`: p, q, v) parameters, each null with a `reason` when not fitted, what they were fitted on, and diagnostics. `boundary` ({kind, atLimit, note}) marks a boundary fit: `no-dropout` (the data show no drop-out yet; served as the NBD, a = 0, P(alive) = 1) or `parameter-limit`; absent for the BG/NBD proper.',
          },
          highValueFrom: { type: ['number', 'null'], description: 'The 80th percentile of predicted value.' },
        },
        description: 'The customer value models fitted on the same snapshot (absent in older models).',
      },
    },
    ['clv', 'sequence'],
    'A trained segmentation model: everything needed to score a profile as training did, explain each segment, and trace where it came from.',
  ),
  RetrainRun: closed(
    {
      runId: text(),
      startedAt: dateTime(),
      finishedAt: dateTime(),
      outcome: { enum: ['promoted', 'rejected', 'failed'] },
      reason: text(),
      trigger: { enum: ['schedule', 'drift', 'manual'] },
      modelVersion: { type: ['string', 'null'], description: 'The candidate model, promoted or not.' },
      previousVersion: { type: ['string', 'null'] },
      snapshot: { type: ['string', 'null'] },
      k: { type: ['integer', 'null'], minimum: 1 },
      metrics: { oneOf: [schema('ModelMetrics'), { type: 'null' }] },
      stability: { oneOf: [schema('StabilityReport'), { type: 'null' }] },
      drift: { oneOf: [schema('DriftReport'), { type: 'null' }] },
      timings: {
        type: 'object',
        description: 'Milliseconds by phase.',
        additionalProperties: count(),
      },
      reassigned: {
        oneOf: [
          closed(
            {
              shoppers: count(),
              changed: count(),
              segments: {
                type: 'object',
                additionalProperties: count(),
                description: 'Shoppers per segment id (prospects included) as the reassignment scored them.',
              },
            },
            ['segments'],
          ),
          { type: 'null' },
        ],
      },
    },
    [],
    'What one retrain did, promoted or not, and why.',
  ),
  ModelHistory: closed(
    {
      current: { type: ['string', 'null'], description: 'The serving model version; null before the first.' },
      runs: { type: 'array', items: schema('RetrainRun'), description: 'Newest first.' },
    },
    [],
  ),
  OpenApiDocument: {
    type: 'object',
    description: 'This document (OpenAPI 3.1).',
    required: ['openapi', 'info', 'paths'],
    properties: {
      openapi: { type: 'string', pattern: String.raw`^3\.1\.\d+$` },
      info: { type: 'object', required: ['title', 'version'] },
      paths: { type: 'object' },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Responses, parameters and headers shared by operations.

const errorResponse = (description: string, errorSchema: string, headers?: Record<string, Reference>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(schema(errorSchema)),
});

const responses: Record<string, ResponseObject> = {
  BadRequest: errorResponse('The request is malformed; `field` names the part at fault.', 'BadRequestError'),
  Unauthorized: errorResponse('The key is missing or wrong.', 'UnauthorizedError', {
    'WWW-Authenticate': header('WwwAuthenticate'),
  }),
  NotFound: errorResponse('No such route, shopper, segment or model.', 'NotFoundError'),
  MethodNotAllowed: errorResponse(
    'A method not described here on a known path, when the request reaches the service (the local server passes every method on; API Gateway answers an undeclared method itself, with its own 404 `{"message":"Not Found"}`).',
    'MethodNotAllowedError',
  ),
  PayloadTooLarge: errorResponse(
    'The decoded body is over the limit (32 KB for a single message, 500 KB for a batch, 16 KB for a policy), or the batch has more than 2,500 messages (`field: "batch"`). Decompression stops at the limit.',
    'PayloadTooLargeError',
  ),
  UnsupportedEncoding: errorResponse(
    'A `Content-Encoding` other than gzip, deflate, br or identity.',
    'UnsupportedEncodingError',
  ),
  Throttled: errorResponse(
    'Storage is throttled (`throttled`): retry the same request; a retry never counts twice.',
    'UnavailableError',
    { 'Retry-After': header('RetryAfter') },
  ),
  NoModel: errorResponse(
    'No segmentation model has been trained yet (`no_model`: run a retrain), or storage is throttled (`throttled`, with `Retry-After`).',
    'UnavailableError',
    { 'Retry-After': header('RetryAfter') },
  ),
  InternalError: errorResponse(
    'The request could not be completed (storage failure); retrying the same request is safe.',
    'InternalError',
  ),
};

const headers: Record<string, HeaderObject> = {
  WwwAuthenticate: {
    description: 'The authentication challenge: Basic on ingestion routes, Bearer on the others.',
    required: true,
    schema: {
      type: 'string',
      pattern: '^(Basic|Bearer) realm=',
      examples: ['Basic realm="segmentation"', 'Bearer realm="segmentation"'],
    },
  },
  RetryAfter: {
    description: 'Seconds to wait before retrying (sent with `throttled`).',
    schema: { type: 'string', pattern: String.raw`^\d+$` },
  },
  CsvDisposition: {
    description: 'CSV pages only: `attachment; filename="segment-members.csv"`.',
    schema: { type: 'string' },
  },
  NextCursor: {
    description: 'CSV pages only: the cursor of the next page; absent on the last page.',
    schema: { type: 'string', minLength: 1 },
  },
};

const idParameter = (name: string, description: string): ParameterObject => ({
  name,
  in: 'path',
  required: true,
  description: `${description} URL-encoded; 1–256 printable characters once decoded.`,
  schema: { type: 'string', minLength: 1, maxLength: 256, pattern: PRINTABLE },
});

const parameters: Record<string, ParameterObject> = {
  userId: idParameter('userId', 'The shopper id: the `userId`, else the `anonymousId`, of their messages.'),
  segmentId: idParameter('segmentId', 'A segment id from GET /v1/segments (`seg-<n>` or `prospects`).'),
  version: idParameter('version', 'A model version, as listed by GET /v1/models.'),
  correlationId: {
    name: 'x-correlation-id',
    in: 'header',
    description:
      "Tags this request's log lines (1–100 of `A-Za-z0-9_.:-`); the request id is used otherwise.",
    schema: { type: 'string', pattern: String.raw`^[\w.:-]{1,100}$` },
  },
  contentEncoding: {
    name: 'Content-Encoding',
    in: 'header',
    description: 'Compression of the body; limits apply to the decoded size.',
    schema: { enum: ['gzip', 'x-gzip', 'deflate', 'br', 'identity'] },
  },
  recommendations: {
    name: 'recommendations',
    in: 'query',
    description:
      'How many product recommendations to add to the answer (0–50). Without it the answer has no `recommendations` field.',
    schema: { type: 'integer', minimum: 0, maximum: 50 },
  },
  buyAgain: {
    name: 'buyAgain',
    in: 'query',
    description:
      "How many of the shopper's own products to add as likely re-orders (0–50), most likely first. Without it the answer has no `buyAgain` field.",
    schema: { type: 'integer', minimum: 0, maximum: 50 },
  },
  limit: {
    name: 'limit',
    in: 'query',
    description: 'Page size.',
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
  cursor: {
    name: 'cursor',
    in: 'query',
    description:
      "The previous page's `nextCursor` (or `x-next-cursor` header): opaque, and bound to its segment.",
    schema: { type: 'string', minLength: 1 },
  },
};

// ---------------------------------------------------------------------------------------------
// Operations.

const ingestDescription = (what: string, limit: string) =>
  `${what} Authenticate with the write key as HTTP basic user (empty password), or as \`writeKey\` in the body. The body is JSON whatever the \`Content-Type\` says (the RudderStack client labels gzip JSON as form-urlencoded); \`Content-Encoding: gzip\`, \`deflate\` or \`br\` is decoded first, and ${limit} applies to the decoded size. Every message is stored exactly once, so resending after an error or a timeout is always safe.`;

const SINGLE_EXAMPLES: Record<string, Record<string, unknown>> = {
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
  '413': response('PayloadTooLarge'),
  '415': response('UnsupportedEncoding'),
  '500': response('InternalError'),
  '503': response('Throttled'),
};

const singleIngestOperation = (type: (typeof MESSAGE_TYPES)[number]): Operation => {
  const name = `${type[0]?.toUpperCase()}${type.slice(1)}`;
  return {
    operationId: `ingest${name}`,
    summary: `Send one ${type} message`,
    description: ingestDescription(
      `One Segment \`${type}\` message; the path sets \`type\` (a \`type\` in the body is ignored).`,
      'the 32 KB (32,768 bytes) limit',
    ),
    tags: ['ingestion'],
    security: writeSecurity,
    parameters: [parameter('contentEncoding'), parameter('correlationId')],
    requestBody: {
      required: true,
      content: json(
        { allOf: [schema(`${name}Fields`), schema('WriteKeyInBody')] },
        { example: { value: SINGLE_EXAMPLES[type] } },
      ),
    },
    responses: {
      '200': {
        description: 'Accepted (`duplicates: 1` when it had been received before).',
        content: json(schema('SingleIngestResult'), {
          accepted: { value: { success: true, accepted: 1, duplicates: 0, rejected: [] } },
        }),
      },
      '400': {
        description:
          'Not JSON, not an object, or an invalid message (`invalid_event`, `field` names the field at fault).',
        content: json(schema('BadRequestError'), {
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
  };
};

const batchOperation: Operation = {
  operationId: 'ingestBatch',
  summary: 'Send a batch of messages',
  description: ingestDescription(
    'A Segment batch of track, identify, page, screen, group and alias messages, up to 2,500. Each message is validated on its own: valid ones are stored, invalid ones are listed in `rejected` by index.',
    'the 500 KB (512,000 bytes) limit',
  ),
  tags: ['ingestion'],
  security: writeSecurity,
  parameters: [parameter('contentEncoding'), parameter('correlationId')],
  requestBody: {
    required: true,
    content: json(schema('BatchRequest'), {
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
      content: json(schema('IngestResult'), {
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
      content: json({ oneOf: [schema('AllEventsRejected'), schema('BadRequestError')] }),
    },
    ...ingestErrorResponses,
  },
};

const readErrors = (options: { notFound?: boolean; noModel?: boolean; badRequest?: boolean } = {}) => ({
  ...(options.badRequest === false ? {} : { '400': response('BadRequest') }),
  '401': response('Unauthorized'),
  ...(options.notFound === false ? {} : { '404': response('NotFound') }),
  '500': response('InternalError'),
  '503': response(options.noModel ? 'NoModel' : 'Throttled'),
});

const readOperation = (
  operationId: string,
  summary: string,
  description: string,
  tag: string,
  ok: ResponseObject,
  errors: Record<string, ResponseObject | Reference>,
  extraParameters: readonly (ParameterObject | Reference)[] = [],
): Operation => ({
  operationId,
  summary,
  description: `${description} Needs \`Authorization: Bearer <read key>\` (the admin key also works).`,
  tags: [tag],
  security: readSecurity,
  parameters: [...extraParameters, parameter('correlationId')],
  responses: { '200': ok, ...errors },
});

const policyErrors = {
  '400': response('BadRequest'),
  '401': response('Unauthorized'),
  '404': response('NotFound'),
  '500': response('InternalError'),
  '503': response('NoModel'),
};

const policyBodyErrors = {
  '413': response('PayloadTooLarge'),
  '415': response('UnsupportedEncoding'),
};

const paths: Record<string, PathItem> = {
  '/v1/batch': { post: batchOperation },
  ...Object.fromEntries(MESSAGE_TYPES.map((type) => [`/v1/${type}`, { post: singleIngestOperation(type) }])),
  '/v1/users/{userId}': {
    parameters: [parameter('userId')],
    delete: {
      operationId: 'eraseShopper',
      summary: "Erase a shopper's data (right to erasure)",
      description:
        "Deletes the shopper's profile, raw events and segment history from every table; a later event starts a fresh profile. Idempotent: an unknown or already erased shopper answers 200 with zero counts. Retrain snapshots in S3 are not rewritten: they expire by the bucket's lifecycle rule (see the README). Needs `Authorization: Bearer <admin key>`; the read and write keys are refused.",
      tags: ['profiles'],
      security: adminSecurity,
      parameters: [parameter('correlationId')],
      responses: {
        '200': {
          description: 'Erased (or nothing was held).',
          content: json(schema('EraseResult'), {
            erased: { value: { shopperId: 'user-42', erased: { profile: true, events: 17, history: 2 } } },
          }),
        },
        '400': response('BadRequest'),
        '401': response('Unauthorized'),
        '500': response('InternalError'),
        '503': response('Throttled'),
      },
    },
  },
  '/v1/users/{userId}/profile': {
    parameters: [parameter('userId')],
    get: readOperation(
      'getProfile',
      "A shopper's live profile",
      'Lifetime counters and windowed figures (last 30, 90, 365 days), as of now, following the latest event.',
      'profiles',
      { description: 'The profile.', content: json(schema('Profile')) },
      readErrors(),
    ),
  },
  '/v1/users/{userId}/segment': {
    parameters: [parameter('userId')],
    get: readOperation(
      'lookupSegment',
      "A shopper's segment, why, and what to do",
      "Scored from the live profile against the current model on every request. A change from the recorded segment is recorded in the history and published. With `recommendations=N`, up to N products to show the shopper are added (none they bought); with `buyAgain=N`, up to N of their own products, by the chance their next order includes each (recency, frequency, the product's re-order rate). Both lists are empty until the model's recommendation index exists.",
      'segments',
      { description: 'The segment.', content: json(schema('SegmentLookup')) },
      readErrors({ noModel: true }),
      [parameter('recommendations'), parameter('buyAgain')],
    ),
  },
  '/v1/users/{userId}/history': {
    parameters: [parameter('userId')],
    get: readOperation(
      'getSegmentHistory',
      "A shopper's segment changes",
      'Every recorded segment change, oldest first (empty for a shopper never placed).',
      'segments',
      { description: 'The history.', content: json(schema('SegmentHistory')) },
      readErrors(),
    ),
  },
  '/v1/segments': {
    get: readOperation(
      'listSegments',
      "The current model's segments",
      "Every segment of the current model with its size, centroid, rules and marketing policy (the operator's override, else the default for its name), then the prospects.",
      'segments',
      { description: 'The catalogue.', content: json(schema('SegmentCatalogue')) },
      readErrors({ noModel: true, notFound: false, badRequest: false }),
    ),
  },
  '/v1/segments/{segmentId}/policy': {
    parameters: [parameter('segmentId')],
    put: {
      operationId: 'setSegmentPolicy',
      summary: "Override a segment's marketing policy",
      description:
        'Replaces the policy of a segment of the current model. Segment ids are stable across retrains, so the override follows the segment. Needs `Authorization: Bearer <admin key>`.',
      tags: ['segments'],
      security: adminSecurity,
      parameters: [parameter('correlationId')],
      requestBody: {
        required: true,
        content: json(schema('MarketingPolicyInput'), {
          winBack: {
            value: {
              action: 'win_back',
              channel: 'sms',
              coupon: { kind: 'percent', value: 30 },
              message: 'We miss you: 30% off this week.',
              priority: 1,
            },
          },
        }),
      },
      responses: {
        '200': { description: 'The policy now in force.', content: json(schema('SegmentPolicyOverride')) },
        ...policyErrors,
        ...policyBodyErrors,
      },
    },
    delete: {
      operationId: 'resetSegmentPolicy',
      summary: "Reset a segment's marketing policy to the default",
      description:
        'Removes the override (if any): the segment gets the default policy for its name again. Needs `Authorization: Bearer <admin key>`.',
      tags: ['segments'],
      security: adminSecurity,
      parameters: [parameter('correlationId')],
      responses: {
        '200': { description: 'The policy now in force.', content: json(schema('SegmentPolicyDefault')) },
        ...policyErrors,
      },
    },
  },
  '/v1/segments/{segmentId}/members': {
    parameters: [parameter('segmentId')],
    get: readOperation(
      'listSegmentMembers',
      'The shoppers in a segment, a page at a time',
      'For exports to e-mail and ad tools: the shoppers whose recorded segment this is, in shopper id order. JSON by default; with `Accept: text/csv` a CSV page (header line `shopperId,since,modelVersion`) with the next cursor in the `x-next-cursor` header.',
      'segments',
      {
        description: 'One page.',
        headers: {
          'x-next-cursor': header('NextCursor'),
          'Content-Disposition': header('CsvDisposition'),
        },
        content: {
          ...json(schema('SegmentMembersPage')),
          'text/csv': {
            schema: {
              type: 'string',
              pattern: String.raw`^shopperId,since,modelVersion(?:\r?\n|$)`,
              description: 'Header line `shopperId,since,modelVersion`, then one line per shopper.',
            },
          },
        },
      },
      readErrors({ noModel: true }),
      [parameter('limit'), parameter('cursor')],
    ),
  },
  '/v1/models': {
    get: readOperation(
      'listModels',
      'Retrain runs and the current model',
      'Every retrain run, newest first, with whether its model was promoted and why.',
      'models',
      { description: 'The runs.', content: json(schema('ModelHistory')) },
      readErrors({ notFound: false, badRequest: false }),
    ),
  },
  '/v1/models/{version}': {
    parameters: [parameter('version')],
    get: readOperation(
      'getModel',
      'One trained model',
      'A model as stored, promoted or not: transform, segments, metrics, stability, drift and lineage.',
      'models',
      { description: 'The model.', content: json(schema('SegmentModel')) },
      readErrors(),
    ),
  },
  '/openapi.json': {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This API description',
      description: 'Public: tools fetch it before they have a key.',
      tags: ['meta'],
      security: [],
      responses: {
        '200': { description: 'This document.', content: json(schema('OpenApiDocument')) },
      },
    },
  },
};

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  info: {
    title: 'Customer segmentation API',
    version: '1.0.0',
    summary:
      'Segment-compatible ingestion, live shopper profiles, K-means segments and what to do about them.',
    description: [
      'Shops send Segment Tracking API messages (the official Segment and RudderStack clients work as they are); the service keeps a live profile per shopper, places shoppers in segments trained by K-means on RFM and behaviour features, and tells shop tools which segment a shopper is in, why, and what to do.',
      '',
      '**Keys.** Ingestion takes the write key (HTTP basic user with an empty password, or `writeKey` in the body). Read endpoints take `Authorization: Bearer <read key>`; the admin key also grants reads. Policy changes and erasure take `Authorization: Bearer <admin key>`. GET /openapi.json is public.',
      '',
      '**Errors.** Every error the service answers is JSON `{ error, message, field? }`; a 5xx is safe to retry with the same request. Another method on a known path answers 405 (`components.responses.MethodNotAllowed`) and an unknown path 404 (`components.responses.NotFound`) on the local server; behind API Gateway both get API Gateway\'s own 404 `{"message":"Not Found"}`, and bodies over its 10 MB payload limit are refused before they reach the service.',
      '',
      '**CORS.** Every answer allows any origin; OPTIONS on any path is the preflight (204, answered by API Gateway in the stack).',
    ].join('\n'),
  },
  tags: [
    { name: 'ingestion', description: 'Segment Tracking API: behaviour in.' },
    { name: 'profiles', description: 'Live shopper profiles.' },
    { name: 'segments', description: 'Segment lookup, history, catalogue, policies and members.' },
    { name: 'models', description: 'Retrain runs and trained models.' },
    { name: 'meta', description: 'This description.' },
  ],
  paths,
  components: {
    schemas: {
      ...commonSchemas,
      ...ingestionSchemas,
      ...profileSchemas,
      ...eraseSchemas,
      ...segmentSchemas,
      ...modelSchemas,
    },
    responses,
    parameters,
    headers,
    securitySchemes: {
      writeKey: {
        type: 'http',
        scheme: 'basic',
        description:
          'The write key as user name, empty password (what the Segment clients send). The key can instead be sent as `writeKey` in the JSON body.',
      },
      readKey: {
        type: 'http',
        scheme: 'bearer',
        description: '`Authorization: Bearer <read key>`.',
      },
      adminKey: {
        type: 'http',
        scheme: 'bearer',
        description: '`Authorization: Bearer <admin key>`: grants reads too.',
      },
    },
  },
};
