/**
 * fast-check arbitraries for the ingestion properties (issue 12): a few shoppers with Segment
 * message sequences, a delivery plan (permutation, split into batches, replays, repeats inside
 * a batch), and the model of what the service documents as order-sensitive, so that a run can
 * be compared with one in-order delivery. See test/integration/ingest-properties.test.ts.
 *
 * A scenario is abstract (indices, hours); `renderScenario(scenario, prefix)` turns it into
 * Segment messages whose ids all carry the prefix, so one service can hold every run.
 */
import fc from 'fast-check';

/** The service's pinned clock in these properties. */
export const PROPERTY_NOW = '2025-07-01T00:00:00Z';
/** Hour 0 of the scenarios: ~16 months before PROPERTY_NOW, so some days leave the 400-day horizon. */
const BASE_MS = Date.UTC(2024, 2, 1);
/** Orders and events happen up to here (2025-06-28); refunds up to 72 h later, before NOW. */
const LAST_HOUR = 11_600;

/**
 * The catalogue: 30 products (more than RECENT_CAP, far fewer than PURCHASED_CAP and
 * PURCHASE_HISTORY_CAP) in 6 categories (fewer than CATEGORY_CAP). A product always has the
 * same category (or none): see the order-sensitivity notes in the properties' header.
 */
export const PRODUCTS = 30;
const CATEGORY_NAMES = ['Books', 'Music', 'Garden', 'Toys', 'Kitchen', 'Sports'];
export const categoryOf = (product: number): string | undefined =>
  product % 7 === 6 ? undefined : CATEGORY_NAMES[product % CATEGORY_NAMES.length];

export interface OrderLine {
  readonly product: number;
  readonly quantity: number;
}

/** What an Order Completed says about its order (copies of one order may say different things). */
export interface OrderContent {
  /** `revenue`, in cents; absent: derived from priced lines, or no amount at all. */
  readonly revenueCents?: number;
  /** Whether the lines carry prices. */
  readonly priced: boolean;
  readonly lines: readonly OrderLine[];
  readonly coupon: boolean;
  readonly discountCents?: number;
}

export interface OrderSpec {
  readonly hour: number;
  /** The first copy and its re-sends under new messageIds (same order_id, same timestamp). */
  readonly copies: readonly OrderContent[];
}

export type Reversal = 'Order Refunded' | 'Order Cancelled';

export interface ReversalSpec {
  readonly event: Reversal;
  /** Index into the shopper's orders; `orders.length` or more names an order never placed. */
  readonly order: number;
  /** Behaviour time relative to the order's (negative: a skewed clock put it before the order). */
  readonly delayHours: number;
  /** Absent: the amount is the referenced order's, if known when the refund is applied. */
  readonly amountCents?: number;
}

export type OtherSpec =
  | { readonly kind: 'Product Viewed' | 'Product Added' | 'Product Removed'; readonly product: number }
  | { readonly kind: 'Product List Viewed' | 'Checkout Started' | 'Coupon Applied' | 'Custom' }
  | { readonly kind: 'page'; readonly withMessageId: boolean }
  | { readonly kind: 'identify'; readonly traits: readonly ('country' | 'email' | 'createdAt')[] };

export interface ShopperSpec {
  /** userId on every message, anonymousId on every message, or some of each (same id). */
  readonly identity: 'user' | 'anonymous' | 'mixed';
  /** One currency per shopper: implicit (the default USD), or named on every priced message. */
  readonly currency: 'implicit' | 'USD' | 'EUR';
  /** One value per trait per shopper; identify calls send subsets of them. */
  readonly country: string;
  readonly signedUpHour: number;
  readonly orders: readonly OrderSpec[];
  readonly reversals: readonly ReversalSpec[];
  readonly others: readonly {
    readonly hour: number;
    readonly anonymous: boolean;
    readonly spec: OtherSpec;
  }[];
}

export interface Scenario {
  readonly shoppers: readonly ShopperSpec[];
}

const hour = fc.integer({ min: 0, max: LAST_HOUR });
const cents = fc.integer({ min: 0, max: 50_000 });

interface Sizes {
  readonly minOrders: number;
  readonly maxOrders: number;
  readonly maxLines: number;
}

const orderContent = (sizes: Sizes): fc.Arbitrary<OrderContent> =>
  fc.record(
    {
      revenueCents: cents,
      priced: fc.boolean(),
      lines: fc.array(
        fc.record({
          product: fc.integer({ min: 0, max: PRODUCTS - 1 }),
          quantity: fc.integer({ min: 0, max: 4 }),
        }),
        { minLength: 0, maxLength: sizes.maxLines },
      ),
      coupon: fc.boolean(),
      discountCents: fc.integer({ min: 0, max: 2_000 }),
    },
    { requiredKeys: ['priced', 'lines', 'coupon'] },
  );

const orderSpec = (sizes: Sizes): fc.Arbitrary<OrderSpec> =>
  fc
    .tuple(
      hour,
      orderContent(sizes),
      // Re-sends: none mostly; an identical copy or a different one (another amount, other lines).
      fc.array(fc.oneof(fc.constant('same' as const), orderContent(sizes)), { maxLength: 2 }),
    )
    .map(([h, first, resends]) => ({
      hour: h,
      copies: [first, ...resends.map((r) => (r === 'same' ? first : r))],
    }));

const otherSpec: fc.Arbitrary<OtherSpec> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom('Product Viewed' as const, 'Product Added' as const, 'Product Removed' as const),
      product: fc.integer({ min: 0, max: PRODUCTS - 1 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'Product List Viewed' as const,
        'Checkout Started' as const,
        'Coupon Applied' as const,
        'Custom' as const,
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('page' as const), withMessageId: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('identify' as const),
      traits: fc.subarray(['country', 'email', 'createdAt'] as const, { minLength: 1 }),
    }),
  },
);

const shopperSpec = (sizes: Sizes): fc.Arbitrary<ShopperSpec> =>
  fc.record({
    identity: fc.constantFrom('user' as const, 'anonymous' as const, 'mixed' as const),
    currency: fc.constantFrom('implicit' as const, 'USD' as const, 'EUR' as const),
    country: fc.constantFrom('FR', 'US', 'DE', 'Japan'),
    signedUpHour: hour,
    orders: fc.array(orderSpec(sizes), { minLength: sizes.minOrders, maxLength: sizes.maxOrders }),
    reversals: fc.array(
      fc.record(
        {
          event: fc.constantFrom('Order Refunded' as const, 'Order Cancelled' as const),
          order: fc.integer({ min: 0, max: 4 }),
          delayHours: fc.integer({ min: -24, max: 72 }),
          amountCents: fc.integer({ min: 1, max: 20_000 }),
        },
        { requiredKeys: ['event', 'order', 'delayHours'] },
      ),
      { maxLength: 3 },
    ),
    others: fc.array(fc.record({ hour, anonymous: fc.boolean(), spec: otherSpec }), {
      minLength: 1,
      maxLength: 12,
    }),
  });

/** 1 to 3 shoppers, each with `minOrders` to `maxOrders` orders of up to `maxLines` lines. */
export const scenarioArbitraryOf = (sizes: Partial<Sizes> = {}): fc.Arbitrary<Scenario> =>
  fc.record({
    shoppers: fc.array(shopperSpec({ minOrders: 0, maxOrders: 4, maxLines: 3, ...sizes }), {
      minLength: 1,
      maxLength: 3,
    }),
  });

export const scenarioArbitrary: fc.Arbitrary<Scenario> = scenarioArbitraryOf();

/** One message of a rendered scenario, with what the model needs to know about it. */
export interface PlannedMessage {
  /** Index in the scenario's message list (the same for every prefix). */
  readonly index: number;
  readonly shopper: number;
  readonly hour: number;
  readonly kind: 'order' | 'reversal' | 'other';
  /** Order index within the shopper (orders and reversals). */
  readonly order?: number;
  /** Which copy of its order this message is. */
  readonly copy?: number;
  readonly amountless?: boolean;
}

export interface Rendered {
  readonly messages: readonly Record<string, unknown>[];
  readonly planned: readonly PlannedMessage[];
  readonly userIds: readonly string[];
}

const isoOf = (h: number) => new Date(BASE_MS + h * 3_600_000).toISOString();
const money = (c: number) => c / 100;
const pad = (n: number) => String(n).padStart(4, '0');

/** The abstract message list of a scenario, in a fixed order (independent of any prefix). */
export const planMessages = (scenario: Scenario): PlannedMessage[] => {
  const out: PlannedMessage[] = [];
  scenario.shoppers.forEach((s, shopper) => {
    s.orders.forEach((o, order) => {
      o.copies.forEach((_, copy) => {
        out.push({ index: out.length, shopper, hour: o.hour, kind: 'order', order, copy });
      });
    });
    for (const r of s.reversals) {
      const placed = s.orders[r.order];
      out.push({
        index: out.length,
        shopper,
        hour: Math.min(Math.max(0, (placed?.hour ?? LAST_HOUR) + r.delayHours), LAST_HOUR + 72),
        kind: 'reversal',
        order: r.order,
        amountless: r.amountCents === undefined,
      });
    }
    for (const o of s.others) out.push({ index: out.length, shopper, hour: o.hour, kind: 'other' });
  });
  return out;
};

export interface RenderOptions {
  /** Order copies to send with another copy's content: copy index by `${shopper}/${order}`. */
  readonly orderContentFrom?: ReadonlyMap<string, number>;
  /** Amounts (cents) to send on amount-less refunds and cancellations, by message index. */
  readonly reversalAmounts?: ReadonlyMap<number, number>;
}

export const userIdOf = (prefix: string, shopper: number) => `${prefix}-s${shopper}`;

/** Segment messages for a scenario; every id carries `prefix`. */
export const renderScenario = (scenario: Scenario, prefix: string, options: RenderOptions = {}): Rendered => {
  const planned = planMessages(scenario);
  const reversalIndex = new Map<number, number>();
  const otherIndex = new Map<number, number>();
  const messages = planned.map((m): Record<string, unknown> => {
    const s = scenario.shoppers[m.shopper] as ShopperSpec;
    const userId = userIdOf(prefix, m.shopper);
    const orderId = `${prefix}-s${m.shopper}-o${m.order}`;
    const currency = s.currency === 'implicit' ? {} : { currency: s.currency };
    const base = (anonymous: boolean) => ({
      messageId: `${prefix}-m${pad(m.index)}`,
      ...(anonymous ? { anonymousId: userId } : { userId }),
      timestamp: isoOf(m.hour),
    });
    const anonymousFor = (flag: boolean) => s.identity === 'anonymous' || (s.identity === 'mixed' && flag);
    if (m.kind === 'order') {
      const order = s.orders[m.order as number] as OrderSpec;
      const from = options.orderContentFrom?.get(`${m.shopper}/${m.order}`) ?? (m.copy as number);
      const c = order.copies[from] as OrderContent;
      return {
        type: 'track',
        event: 'Order Completed',
        ...base(anonymousFor(m.copy === 1)),
        properties: {
          order_id: orderId,
          ...(c.revenueCents === undefined ? {} : { revenue: money(c.revenueCents) }),
          ...currency,
          ...(c.coupon ? { coupon: 'WELCOME' } : {}),
          ...(c.discountCents === undefined ? {} : { discount: money(c.discountCents) }),
          products: c.lines.map((line) => ({
            product_id: `sku-${line.product}`,
            ...(categoryOf(line.product) ? { category: categoryOf(line.product) } : {}),
            ...(c.priced ? { price: money(199 + line.product * 100) } : {}),
            quantity: line.quantity,
          })),
        },
      };
    }
    if (m.kind === 'reversal') {
      const k = reversalIndex.get(m.shopper) ?? 0;
      reversalIndex.set(m.shopper, k + 1);
      const r = s.reversals[k] as ReversalSpec;
      const amount = r.amountCents !== undefined ? r.amountCents : options.reversalAmounts?.get(m.index);
      return {
        type: 'track',
        event: r.event,
        ...base(anonymousFor(k % 2 === 1)),
        properties: {
          order_id: orderId,
          ...(amount === undefined ? {} : { revenue: money(amount) }),
          ...currency,
        },
      };
    }
    const k = otherIndex.get(m.shopper) ?? 0;
    otherIndex.set(m.shopper, k + 1);
    const other = s.others[k] as ShopperSpec['others'][number];
    const msg = base(anonymousFor(other.anonymous));
    const spec = other.spec;
    switch (spec.kind) {
      case 'page': {
        const { messageId: _dropped, ...withoutId } = msg;
        // Without a messageId the service derives one from the content (unique by its path).
        return {
          type: 'page',
          ...(spec.withMessageId ? msg : withoutId),
          name: 'Home',
          properties: { path: `/p/${m.index}` },
        };
      }
      case 'identify':
        return {
          type: 'identify',
          ...msg,
          traits: {
            ...(spec.traits.includes('country') ? { address: { country: s.country } } : {}),
            ...(spec.traits.includes('email') ? { email: `${userId}@example.com` } : {}),
            ...(spec.traits.includes('createdAt') ? { createdAt: isoOf(s.signedUpHour) } : {}),
          },
        };
      case 'Product Viewed':
      case 'Product Added':
      case 'Product Removed':
        return {
          type: 'track',
          event: spec.kind,
          ...msg,
          properties: {
            product_id: `sku-${spec.product}`,
            ...(categoryOf(spec.product) ? { category: categoryOf(spec.product) } : {}),
            price: money(199 + spec.product * 100),
          },
        };
      case 'Custom':
        return { type: 'track', event: 'Newsletter Subscribed', ...msg, properties: {} };
      default:
        return { type: 'track', event: spec.kind, ...msg, properties: {} };
    }
  });
  return {
    messages,
    planned,
    userIds: scenario.shoppers.map((_, i) => userIdOf(prefix, i)),
  };
};

/** How the messages are delivered: requests of message indices, in order. */
export interface DeliveryPlan {
  readonly permutation: readonly number[];
  /** Per gap of the permutation: whether a new batch starts there. */
  readonly cuts: readonly boolean[];
  /** Extra requests: a batch replayed, or a handful of messages sent again, at some position. */
  readonly extras: readonly {
    readonly position: number;
    readonly replay: { readonly batch: number } | { readonly messages: readonly number[] };
  }[];
  /** Messages sent twice inside their own batch. */
  readonly repeatsInBatch: readonly number[];
}

export const planArbitrary = (messageCount: number): fc.Arbitrary<DeliveryPlan> => {
  const indices = Array.from({ length: messageCount }, (_, i) => i);
  return fc.record({
    permutation: fc.shuffledSubarray(indices, { minLength: messageCount, maxLength: messageCount }),
    // About one batch per 8 messages.
    cuts: fc.array(
      fc.integer({ min: 0, max: 7 }).map((x) => x === 0),
      { minLength: Math.max(0, messageCount - 1), maxLength: Math.max(0, messageCount - 1) },
    ),
    extras: fc.array(
      fc.record({
        position: fc.nat(),
        replay: fc.oneof(
          fc.record({ batch: fc.nat() }),
          fc.record({ messages: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }),
        ),
      }),
      { maxLength: 3 },
    ),
    repeatsInBatch: fc.array(fc.nat(), { maxLength: 2 }),
  });
};

/** The requests a plan makes: lists of message indices, in delivery order. */
export const requestsOf = (plan: DeliveryPlan, messageCount: number): number[][] => {
  const batches: number[][] = [];
  plan.permutation.forEach((index, i) => {
    if (i === 0 || plan.cuts[i - 1]) batches.push([]);
    (batches[batches.length - 1] as number[]).push(index);
  });
  for (const r of plan.repeatsInBatch) {
    if (messageCount === 0) break;
    const index = r % messageCount;
    const batch = batches.find((b) => b.includes(index));
    batch?.splice(r % (batch.length + 1), 0, index);
  }
  const requests = batches.map((b) => [...b]);
  for (const extra of plan.extras) {
    const replay =
      'batch' in extra.replay
        ? [...(batches[extra.replay.batch % batches.length] ?? [])]
        : extra.replay.messages.map((m) => m % messageCount);
    if (replay.length > 0) requests.splice(extra.position % (requests.length + 1), 0, replay);
  }
  return requests;
};

/** The amount (cents) the service reads from an Order Completed: revenue, else its priced lines, else 0. */
export const orderAmountCents = (c: OrderContent): number =>
  c.revenueCents ??
  (c.priced ? c.lines.reduce((sum, line) => sum + (199 + line.product * 100) * line.quantity, 0) : 0);

/**
 * The documented order-sensitive outcomes of a delivery, by replaying the service's rules on
 * the plan: per request, per shopper (chunks of `chunkSize` in request order), the events not
 * applied before are applied in behaviour-time order (then messageId); the first applied
 * Order Completed of an order_id counts; an amount-less refund or cancellation takes the amount
 * of its order only if that order counted before it (else it reverses nothing).
 * Returns render options for a reference that does not depend on arrival: every copy of an
 * order carries the counted copy's content, every amount-less reversal the amount it took.
 */
export const resolveDelivery = (
  scenario: Scenario,
  planned: readonly PlannedMessage[],
  requests: readonly (readonly number[])[],
  chunkSize = 200,
): Required<RenderOptions> => {
  const applied = new Set<number>();
  const counted = new Map<string, number>();
  const reversalAmounts = new Map<number, number>();
  // messageIds are `${prefix}-m${index padded}`: within one prefix they sort as the indices.
  const byTimeThenId = (a: number, b: number) =>
    (planned[a] as PlannedMessage).hour - (planned[b] as PlannedMessage).hour || a - b;
  for (const request of requests) {
    const byShopper = new Map<number, number[]>();
    const seen = new Set<number>();
    for (const index of request) {
      if (seen.has(index)) continue;
      seen.add(index);
      const shopper = (planned[index] as PlannedMessage).shopper;
      byShopper.set(shopper, [...(byShopper.get(shopper) ?? []), index]);
    }
    for (const events of byShopper.values()) {
      for (let i = 0; i < events.length; i += chunkSize) {
        const fresh = events
          .slice(i, i + chunkSize)
          .filter((e) => !applied.has(e))
          .sort(byTimeThenId);
        for (const index of fresh) {
          applied.add(index);
          const m = planned[index] as PlannedMessage;
          const key = `${m.shopper}/${m.order}`;
          if (m.kind === 'order' && !counted.has(key)) counted.set(key, m.copy as number);
          if (m.kind === 'reversal' && m.amountless) {
            const copy = counted.get(key);
            const order = scenario.shoppers[m.shopper]?.orders[m.order as number];
            const content = copy === undefined ? undefined : order?.copies[copy];
            reversalAmounts.set(index, content ? orderAmountCents(content) : 0);
          }
        }
      }
    }
  }
  return { orderContentFrom: counted, reversalAmounts };
};

/** The scenario's messages in behaviour-time order (ties: scenario order), as one batch. */
export const inTimeOrder = (rendered: Rendered): Record<string, unknown>[] =>
  rendered.planned
    .map((m) => m)
    .sort((a, b) => a.hour - b.hour || a.index - b.index)
    .map((m) => rendered.messages[m.index] as Record<string, unknown>);
