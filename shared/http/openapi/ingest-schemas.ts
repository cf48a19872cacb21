/**
 * The Segment Tracking API as the ingest function takes it: messages, batches and answers.
 *
 * The message fields are the handler's own `messageSchema` (shared/activation/domain/segment-message.ts).
 * What it checks in code rather than in zod is stated here in JSON Schema terms: the calendar
 * check of a timestamp as a pattern, "userId or anonymousId" and "timestamp or originalTimestamp"
 * as `anyOf`s, and the commerce properties normaliseMessage reads field by field.
 */
import * as z from 'zod';
import {
  identifier,
  isoTime,
  MAX_PRODUCTS_PER_EVENT,
  MESSAGE_TYPES,
  type MessageType,
  messageSchema,
  shopperIdentifier,
} from '#shared/activation/domain/segment-message';
import { MAX_AMOUNT } from '#shared/kernel/money';
import { count, text } from './common-schemas';

/** ISO 8601 as the ingestion accepts it (calendar validity is checked too: no 30 February). */
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?$/;
/** Money strings shop front-ends send: 19.99, "19.99", "$19.99", "1,299.00 USD", "€5". */
const MONEY_STRING =
  /^\s*(?:[A-Z]{3}\s*)?[$€£¥]?\s*(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:[A-Z]{3})?\s*$/;
/** How many messages a batch may hold (functions/ingest.ts `MAX_BATCH_EVENTS`; the test checks they agree). */
const MAX_BATCH_MESSAGES = 2500;

export const Identifier = shopperIdentifier;

export const IsoTimestamp = isoTime
  .regex(ISO_8601)
  .describe(
    'ISO 8601 date or date-time; a time without a zone is UTC. At most 24 h in the future, not before 1970.',
  )
  .meta({ examples: ['2026-06-01T10:00:00Z', '2026-06-01T12:00:00+02:00', '2026-06-01'] });

const eventName = messageSchema.shape.event.unwrap().regex(/\S/);
const anyObject = () => z.record(z.string(), z.unknown());
const open = (description: string) => anyObject().describe(description);
const openOrNull = (description: string) => anyObject().nullable().describe(description).optional();
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const MessageFields = messageSchema
  .omit({ type: true })
  .extend({
    messageId: identifier(200)
      .describe(
        'The dedupe key (1–200 printable characters, or an integer). Without one, an id is derived from the content less `sentAt` and `writeKey`, so an identical resend is still recognised.',
      )
      .optional(),
    timestamp: IsoTimestamp.optional(),
    originalTimestamp: IsoTimestamp.optional(),
    event: eventName.describe('The event name: required on track calls, checked on all.').optional(),
    properties: openOrNull('Properties: read on track calls, checked on all.'),
    traits: openOrNull('Traits: read on identify calls, checked on all.'),
    context: openOrNull('Accepted; `context.traits` is read on identify calls.'),
    sentAt: z.string().describe('Accepted and ignored.').optional(),
    integrations: open('Accepted and ignored.').optional(),
  })
  .meta({
    description:
      'Fields every Segment message may carry. The profile key is `userId`, else `anonymousId`; the behaviour time is `timestamp`, else `originalTimestamp` (`sentAt` and the receive time are never used). Unknown fields are accepted and ignored.',
    // Checked across fields by normaliseMessage, which zod's object schema cannot say.
    allOf: [
      {
        description: '`userId` or `anonymousId` is required.',
        anyOf: [
          { required: ['userId'], properties: { userId: ref('Identifier') } },
          { required: ['anonymousId'], properties: { anonymousId: ref('Identifier') } },
        ],
      },
      {
        description: '`timestamp` or `originalTimestamp` is required.',
        anyOf: [{ required: ['timestamp'] }, { required: ['originalTimestamp'] }],
      },
    ],
  });

const moneyValue = (description: string) =>
  z
    .union([z.number().min(0).max(MAX_AMOUNT), z.string().regex(MONEY_STRING)])
    .describe(
      `${description} A number, or a money string such as "19.99", "$19.99" or "1,299.00 USD"; not negative, at most ${MAX_AMOUNT}.`,
    )
    .optional();

const shortString = (max: number, description: string) =>
  z
    .union([z.string().max(max), z.int(), z.null()])
    .describe(description)
    .optional();

export const Product = z
  .object({
    product_id: shortString(200, 'Also read from `productId`, `sku` or `id`.'),
    category: z.string().max(200).nullable().optional(),
    price: moneyValue('Unit price.'),
    quantity: z
      .union([z.int().min(0).max(1_000_000), z.string().regex(/^\d+$/), z.null()])
      .describe('An integer from 0 to 1000000 (default 1), or such an integer as a string.')
      .optional(),
  })
  .describe('A product line (Segment E-commerce Spec v2). Unknown fields are ignored.');

export const TrackProperties = z
  .object({
    order_id: shortString(200, 'Also read from `orderId` or `id`.'),
    revenue: moneyValue('The order amount (else `total`, else `value`; else the sum of the products).'),
    total: moneyValue('Used when `revenue` is absent.'),
    value: moneyValue('Used when `revenue` and `total` are absent.'),
    discount: moneyValue('Discount on the order.'),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/)
      .nullable()
      .describe('ISO 4217 code; the default currency when absent.')
      .optional(),
    coupon: shortString(200, 'Also read from `coupon_id` or `coupon_name`.'),
    products: z
      .array(Product)
      .nullable()
      .describe(
        `Any number of lines within the 32 KB event limit. Every line is validated and counts toward the order's units (and its revenue when that is the sum of the products); product-level detail (category figures, recent and purchased products) is kept for the first ${MAX_PRODUCTS_PER_EVENT} lines only.`,
      )
      .optional(),
  })
  .describe(
    'Event properties (or null). The E-commerce Spec v2 fields below feed the profile; product events (Product Viewed, Product Added, …) may carry one product at the top level instead of `products`. Other fields are accepted and ignored.',
  );

export const IdentifyTraits = z
  .object({
    email: z.string().describe('Kept only as `hasEmail`.').optional(),
    createdAt: z.string().describe('Sign-up time (also `created_at`).').optional(),
    country: z.string().optional(),
    address: z.object({ country: z.string().optional() }).optional(),
  })
  .describe(
    'Traits (or null). Only these are kept, and only as derived facts (sign-up time, country, whether an e-mail is known): no personal data is stored. Others are accepted and dropped.',
  );

/** A message type's own fields on top of MessageFields (an allOf of the two in the document). */
const messageOf = <S extends z.ZodRawShape>(description: string, shape: S) =>
  z.intersection(MessageFields, z.object(shape)).describe(description);

const screenName = z.string().max(500).nullable().optional();
const otherId = z.union([z.string(), z.int(), z.null()]).optional();

export const TrackFields = messageOf('A track call: what the shopper did.', {
  event: eventName
    .describe(
      'The event name. E-commerce Spec v2 names (Order Completed, Product Viewed, Product Added, Checkout Started, Order Refunded, …) are recognised ignoring case, spaces and underscores; others count as activity.',
    )
    .meta({ examples: ['Order Completed'] }),
  properties: TrackProperties.nullable().optional(),
});
export const IdentifyFields = messageOf('An identify call: who the shopper is.', {
  traits: IdentifyTraits.nullable().optional(),
});
export const PageFields = messageOf('A page call: a page view.', {
  name: screenName,
  properties: openOrNull('Page properties (accepted, not stored).'),
});
export const ScreenFields = messageOf('A screen call: a mobile screen view, counted as a page view.', {
  name: screenName,
  properties: openOrNull('Screen properties (accepted, not stored).'),
});
export const GroupFields = messageOf('A group call: counted as activity.', {
  groupId: otherId,
  traits: openOrNull('Group traits (accepted, not stored).'),
});
export const AliasFields = messageOf(
  'An alias call: `previousId` is folded into `userId` (identity stitching, once; see docs/identity.md), and the call counts as activity.',
  {
    previousId: otherId,
  },
);

export const messageFieldsByType = {
  track: TrackFields,
  identify: IdentifyFields,
  page: PageFields,
  screen: ScreenFields,
  group: GroupFields,
  alias: AliasFields,
} as const satisfies Record<MessageType, z.ZodType>;

export const BatchMessage = z
  .xor(
    MESSAGE_TYPES.map((type) =>
      z.intersection(z.object({ type: z.literal(type) }), messageFieldsByType[type]),
    ),
  )
  .describe('One message of a batch, of any type; `type` says which.');

export const WriteKeyInBody = z.object({
  writeKey: z
    .string()
    .meta({ description: 'The write key, when no `Authorization: Basic` header is sent.', writeOnly: true })
    .optional(),
});

export const BatchRequest = z
  .intersection(
    WriteKeyInBody,
    z.object({
      batch: z.array(BatchMessage).max(MAX_BATCH_MESSAGES),
      sentAt: z.string().describe('Accepted and ignored.').optional(),
      context: open('Accepted and ignored.').optional(),
      integrations: open('Accepted and ignored.').optional(),
    }),
  )
  .describe(
    'A Segment batch: up to 2,500 messages and 500 KB (512,000 bytes) decoded. A message over 32 KB is rejected on its own (listed in `rejected`).',
  );

/** The body of POST /v1/<type>: one message of that type, the write key possibly in it. */
export const singleMessageRequest = (type: MessageType) =>
  z.intersection(messageFieldsByType[type], WriteKeyInBody);

// -- Answers ------------------------------------------------------------------------------------

export const Rejection = z
  .strictObject({
    index: count('Position of the message in the batch (0 for a single message).'),
    field: text('The field at fault, or `(event)` for the message as a whole.'),
    reason: text(),
  })
  .describe('Why one message was not accepted.');

export const IngestResult = z
  .strictObject({
    success: z.literal(true),
    accepted: count('Messages accepted, duplicates included.'),
    duplicates: count('Accepted messages that had been received before: stored once, counted once.'),
    rejected: z.array(Rejection),
  })
  .describe(
    'The answer to a batch with at least one valid message (or none at all): the others are listed in `rejected` by index.',
  );

export const SingleIngestResult = z
  .strictObject({
    success: z.literal(true),
    accepted: z.literal(1),
    duplicates: z.literal([0, 1]),
    rejected: z.array(Rejection).max(0),
  })
  .describe('The answer to a valid single message.');

export const AllEventsRejected = z
  .strictObject({
    error: z.literal('all_events_rejected'),
    message: text(),
    success: z.literal(false),
    accepted: z.literal(0),
    duplicates: z.literal(0),
    rejected: z.array(Rejection).min(1),
  })
  .describe('A batch none of whose messages is valid: the ingest answer with an error code.');
