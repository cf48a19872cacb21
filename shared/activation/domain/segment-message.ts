import { createHash } from 'node:crypto';
import * as z from 'zod';
import { MESSAGE_TYPES, type MessageType } from '#shared/contract/message-types';
import { behaviourOfTrack } from '#shared/ingestion/domain/behaviour';
import type { KeptTraits, ProductLine, ShopperEvent } from '#shared/ingestion/domain/shopper-event';
import { parseMoney } from '#shared/kernel/money';

export { MESSAGE_TYPES, type MessageType } from '#shared/contract/message-types';

/**
 * Product lines of one event whose detail (ids, categories, prices) is kept. Not a limit: lines
 * past it are validated and their units counted, but their detail is left out.
 */
export const MAX_PRODUCTS_PER_EVENT = 200;
const DEFAULT_MAX_FUTURE_MS = 24 * 60 * 60 * 1000;
const EARLIEST = Date.UTC(1970, 0, 1);

/** A printable identifier: no control characters, bounded so it fits a DynamoDB key. */
export const identifier = (max: number) =>
  z.union([
    z
      .string()
      .min(1, { error: 'must not be empty' })
      .max(max, { error: `must be at most ${max} characters` })
      .regex(/\S/, { error: 'must not be blank' })
      // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
      .regex(/^[^\u0000-\u001f\u007f]+$/, { error: 'must not contain control characters' })
      .refine(isWellFormed, { error: 'must be well-formed Unicode (no lone surrogates)' }),
    z
      .number()
      .int({ error: 'must be a string or an integer' })
      .nonnegative()
      .max(Number.MAX_SAFE_INTEGER)
      .transform(String),
  ]);

/** Lone UTF-16 surrogates cannot be stored as UTF-8: two such ids would collide in DynamoDB. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
export const isWellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Strict ISO 8601: impossible calendar dates (Feb 30) are errors, not rolled into March, and
 * a time without a zone is UTC, not the server's local time. Returns epoch ms or undefined.
 */
export const parseIsoTime = (s: string): number | undefined => {
  const m = ISO_TIME.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((v) =>
    Number(v ?? 0),
  );
  if (!year || !month || !day || month > 12 || (hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59)
    return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(Number(m[7] ?? 0) * 1000));
  if (new Date(utc).getUTCDate() !== day) return undefined;
  const zone = m[8];
  if (!zone || zone.toUpperCase() === 'Z') return utc;
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!z || Number(z[2]) > 23 || Number(z[3]) > 59) return undefined;
  const offset = (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  return z[1] === '+' ? utc - offset : utc + offset;
};

export const isoTime = z
  .string({ error: 'must be an ISO 8601 date-time string' })
  .max(64)
  .refine((s) => parseIsoTime(s) !== undefined, { error: 'must be a valid ISO 8601 date-time' });

/** Deeper nesting than any Segment message needs; checked without recursion. */
export const MAX_DEPTH = 32;
export const nestedDeeperThan = (value: unknown, limit: number): boolean => {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
};

const looseObject = z.record(z.string(), z.unknown(), { error: 'must be an object' });

/** A shopper id (`userId`, `anonymousId`): the profile key. */
export const shopperIdentifier = identifier(256).describe(
  'A string of 1–256 printable characters, not blank, or a non-negative integer.',
);

/**
 * The structural checks of one message; normaliseMessage adds those across fields (a shopper id,
 * a behaviour time, an event name on track calls) and reads the commerce properties.
 * shared/http/openapi/ingest-schemas.ts documents the whole from this schema.
 */
export const messageSchema = z.object({
  type: z.enum(MESSAGE_TYPES, { error: `must be one of ${MESSAGE_TYPES.join(', ')}` }),
  messageId: identifier(200).optional(),
  userId: shopperIdentifier.optional().nullable(),
  anonymousId: shopperIdentifier.optional().nullable(),
  /** alias: the id the shopper had before `userId`. */
  previousId: shopperIdentifier.optional().nullable(),
  event: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(200)
    .refine(isWellFormed, { error: 'must be well-formed Unicode (no lone surrogates)' })
    .optional(),
  name: z.string().max(500).optional().nullable(),
  timestamp: isoTime.optional(),
  originalTimestamp: isoTime.optional(),
  properties: looseObject.optional().nullable(),
  traits: looseObject.optional().nullable(),
  context: looseObject.optional().nullable(),
});

export type Rejection = { readonly field: string; readonly reason: string };
export type Normalised = { ok: true; event: ShopperEvent } | { ok: false; rejection: Rejection };

export interface NormaliseOptions {
  readonly now: Date;
  readonly maxFutureMs?: number;
}

const reject = (field: string, reason: string): Normalised => ({ ok: false, rejection: { field, reason } });

/**
 * Validates one Segment message and turns it into a ShopperEvent, or names the first field
 * that is wrong. `forcedType` is the type implied by a single-message endpoint (/v1/track).
 */
export const normaliseMessage = (
  raw: unknown,
  options: NormaliseOptions,
  forcedType?: MessageType,
): Normalised => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return reject('(event)', 'must be a JSON object');
  const input = forcedType ? { ...(raw as Record<string, unknown>), type: forcedType } : raw;
  const parsed = messageSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return reject(issue?.path.join('.') || '(event)', issue?.message ?? 'is invalid');
  }
  const msg = parsed.data;
  const shopperId = msg.userId ?? msg.anonymousId;
  if (!shopperId) return reject('userId', 'userId or anonymousId is required');
  if (msg.type === 'track' && !msg.event) return reject('event', 'is required for a track call');

  const when = msg.timestamp ?? msg.originalTimestamp;
  if (!when) return reject('timestamp', 'timestamp or originalTimestamp is required (behaviour time)');
  const at = parseIsoTime(when) ?? Number.NaN;
  const maxFuture = options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
  if (at > options.now.getTime() + maxFuture) return reject('timestamp', 'is too far in the future');
  if (at < EARLIEST) return reject('timestamp', 'is before 1970');

  const behaviour =
    msg.type === 'track'
      ? behaviourOfTrack(msg.event ?? '')
      : msg.type === 'identify'
        ? 'identify'
        : msg.type === 'page' || msg.type === 'screen'
          ? 'page'
          : 'activity';
  const props = msg.properties ?? {};
  const commerce =
    behaviour === 'identify' || behaviour === 'page' || behaviour === 'activity'
      ? undefined
      : readCommerce(props, behaviour);
  if (commerce && !commerce.ok) return reject(`properties.${commerce.field}`, commerce.reason);

  const messageId = msg.messageId ?? contentId(raw);
  const traits =
    msg.type === 'identify'
      ? keptTraits({ ...(msg.context?.traits as object | undefined), ...msg.traits })
      : undefined;
  // Ids the message says are this shopper too: identity stitching folds them in (docs/identity.md).
  const links = [
    ...new Set(
      [msg.userId ? msg.anonymousId : undefined, msg.type === 'alias' ? msg.previousId : undefined].filter(
        (id): id is string => typeof id === 'string' && id !== shopperId,
      ),
    ),
  ];
  const event: ShopperEvent = {
    messageId,
    shopperId,
    anonymous: !msg.userId,
    ...(links.length > 0 ? { links } : {}),
    type: msg.type,
    ...(msg.event ? { event: msg.event } : {}),
    behaviour,
    at: new Date(at).toISOString(),
    products: [],
    ...(commerce?.ok ? commerce.value : {}),
    ...(traits ? { traits } : {}),
  };
  return { ok: true, event };
};

type Commerce = Pick<
  ShopperEvent,
  'orderId' | 'amount' | 'currency' | 'discount' | 'coupon' | 'products' | 'omittedUnits'
>;
type CommerceParse = { ok: true; value: Commerce } | { ok: false; field: string; reason: string };

const optionalString = (value: unknown, max: number): string | undefined | null => {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string' || value.length > max || !isWellFormed(value)) return null;
  return value.trim() || undefined;
};

const readCommerce = (props: Record<string, unknown>, behaviour: string): CommerceParse => {
  const fail = (field: string, reason: string): CommerceParse => ({ ok: false, field, reason });
  const orderIdRaw = props.order_id ?? props.orderId ?? props.id;
  const orderId = optionalString(orderIdRaw, 200);
  if (orderId === null) return fail('order_id', 'must be a string of at most 200 characters');

  const lines: ProductLine[] = [];
  const list = props.products;
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) return fail('products', 'must be an array');
    // Every line is validated, even past the detail bound: its quantity still counts.
    for (const [i, item] of list.entries()) {
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        return fail(`products.${i}`, 'must be an object');
      const line = readProduct(item as Record<string, unknown>);
      if (!line.ok) return fail(`products.${i}.${line.field}`, line.reason);
      lines.push(line.value);
    }
  } else if (behaviour.startsWith('product_') || behaviour === 'wishlist_added') {
    // Product events carry the product at the top level of properties.
    const line = readProduct(props);
    if (!line.ok) return fail(line.field, line.reason);
    lines.push(line.value);
  }
  // The bound is not an API limit (a big order must not lose its revenue): it keeps the stored
  // event and the per-line work small. Lines past it only add their units.
  const products = lines.slice(0, MAX_PRODUCTS_PER_EVENT);
  const omitted = lines.slice(MAX_PRODUCTS_PER_EVENT);

  let amount: number | undefined;
  const amountField = ['revenue', 'total', 'value'].find((f) => props[f] !== undefined && props[f] !== null);
  if (amountField) {
    const money = parseMoney(props[amountField]);
    if (!money.ok) return fail(amountField, money.reason);
    amount = money.value;
  } else if (behaviour === 'order_completed' && lines.some((p) => p.price !== undefined)) {
    amount = lines.reduce((sum, p) => sum + (p.price ?? 0) * p.quantity, 0);
    amount = Math.round(amount * 10_000) / 10_000;
  }

  let discount: number | undefined;
  if (props.discount !== undefined && props.discount !== null) {
    const money = parseMoney(props.discount);
    if (!money.ok) return fail('discount', money.reason);
    discount = money.value;
  }

  const currency = props.currency;
  if (
    currency !== undefined &&
    currency !== null &&
    (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency))
  )
    return fail('currency', 'must be a 3-letter ISO 4217 code');

  const coupon = optionalString(props.coupon ?? props.coupon_id ?? props.coupon_name, 200);
  if (coupon === null) return fail('coupon', 'must be a string of at most 200 characters');

  return {
    ok: true,
    value: {
      ...(orderId ? { orderId } : {}),
      ...(amount !== undefined ? { amount } : {}),
      ...(typeof currency === 'string' ? { currency: currency.toUpperCase() } : {}),
      ...(discount !== undefined ? { discount } : {}),
      ...(coupon ? { coupon } : {}),
      products,
      ...(omitted.length > 0 ? { omittedUnits: omitted.reduce((sum, p) => sum + p.quantity, 0) } : {}),
    },
  };
};

type ProductParse = { ok: true; value: ProductLine } | { ok: false; field: string; reason: string };

const readProduct = (p: Record<string, unknown>): ProductParse => {
  const productId = optionalString(p.product_id ?? p.productId ?? p.sku ?? p.id, 200);
  if (productId === null)
    return { ok: false, field: 'product_id', reason: 'must be a string of at most 200 characters' };
  const category = optionalString(p.category, 200);
  if (category === null)
    return { ok: false, field: 'category', reason: 'must be a string of at most 200 characters' };
  let price: number | undefined;
  if (p.price !== undefined && p.price !== null) {
    const money = parseMoney(p.price);
    if (!money.ok) return { ok: false, field: 'price', reason: money.reason };
    price = money.value;
  }
  let quantity = 1;
  if (p.quantity !== undefined && p.quantity !== null) {
    const q = typeof p.quantity === 'string' && /^\d+$/.test(p.quantity) ? Number(p.quantity) : p.quantity;
    if (typeof q !== 'number' || !Number.isInteger(q) || q < 0 || q > 1_000_000)
      return { ok: false, field: 'quantity', reason: 'must be an integer from 0 to 1000000' };
    quantity = q;
  }
  return {
    ok: true,
    value: {
      ...(productId ? { productId } : {}),
      ...(category ? { category } : {}),
      ...(price !== undefined ? { price } : {}),
      quantity,
    },
  };
};

const keptTraits = (traits: Record<string, unknown>): KeptTraits | undefined => {
  const kept: { signedUpAt?: string; country?: string; hasEmail?: boolean } = {};
  const created = traits.createdAt ?? traits.created_at;
  if (typeof created === 'string' && !Number.isNaN(Date.parse(created)))
    kept.signedUpAt = new Date(Date.parse(created)).toISOString();
  const address = traits.address;
  const country =
    typeof address === 'object' && address !== null
      ? (address as Record<string, unknown>).country
      : traits.country;
  if (typeof country === 'string' && country.trim().length > 0 && country.length <= 56)
    kept.country = country.trim();
  if (typeof traits.email === 'string' && traits.email.includes('@')) kept.hasEmail = true;
  return Object.keys(kept).length > 0 ? kept : undefined;
};

/**
 * A message without a messageId gets one derived from its content, so that resending the
 * same message is still recognised as a duplicate. `sentAt` and `writeKey` change between
 * deliveries and are left out.
 */
const contentId = (raw: unknown): string => {
  const { sentAt: _s, writeKey: _w, ...rest } = raw as Record<string, unknown>;
  return `content-${createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 32)}`;
};

const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
};
