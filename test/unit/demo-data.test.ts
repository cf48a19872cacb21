import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '#local/demo-catalogue';
import { CATEGORIES } from '#local/demo-catalogue.data';
import { type DemoShopper, demoTraffic } from '#local/demo-data';
import type { Persona } from '#local/demo-personas';
import type { SegmentMessage } from '#local/demo-sessions';
import { normaliseMessage } from '#shared/activation/domain/segment-message';

const END = new Date('2025-06-30T12:00:00.000Z');
const DAY = 86_400_000;

interface LineProps {
  product_id: string;
  name: string;
  category: string;
  price: number;
  quantity: number;
}
interface OrderProps {
  order_id: string;
  revenue: number;
  total: number;
  currency: string;
  discount?: number;
  coupon?: string;
  products: LineProps[];
}

const props = <T>(m: SegmentMessage): T => m.properties as unknown as T;
const cents = (amount: number): number => Math.round(amount * 100);
const ms = (m: SegmentMessage): number => Date.parse(m.timestamp);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);

// One default run shared by the read-only checks below: it is pure, so sharing is safe.
const demo = demoTraffic({ end: END });
const messagesOf = new Map<string, SegmentMessage[]>();
for (const m of demo.messages) messagesOf.set(m.userId, [...(messagesOf.get(m.userId) ?? []), m]);

const shoppersOf = (persona: Persona): DemoShopper[] => demo.shoppers.filter((s) => s.persona === persona);
const eventsOf = (userId: string, event: string): SegmentMessage[] =>
  (messagesOf.get(userId) ?? []).filter((m) => m.event === event);
const ordersOf = (userId: string): SegmentMessage[] => eventsOf(userId, 'Order Completed');
const perShopper = (persona: Persona, event: string): number =>
  mean(shoppersOf(persona).map((s) => eventsOf(s.userId, event).length));
const allOrders = (persona: Persona): OrderProps[] =>
  shoppersOf(persona).flatMap((s) => ordersOf(s.userId).map((m) => props<OrderProps>(m)));

describe('determinism', () => {
  it('gives byte-identical output for the same options', () => {
    expect(JSON.stringify(demoTraffic({ end: END }))).toBe(JSON.stringify(demo));
    const small = { end: END, seed: 7, shoppers: 25, days: 90 };
    expect(JSON.stringify(demoTraffic(small))).toBe(JSON.stringify(demoTraffic({ ...small })));
  });

  it('gives different traffic for a different seed', () => {
    const other = demoTraffic({ end: END, seed: 43 });
    expect(other.messages[0]?.messageId).toMatch(/^demo-43-/);
    expect(other.shoppers.map((s) => s.persona)).not.toEqual(demo.shoppers.map((s) => s.persona));
    const strip = (ms: SegmentMessage[]) => ms.map(({ messageId: _id, ...rest }) => rest);
    expect(JSON.stringify(strip(other.messages))).not.toBe(JSON.stringify(strip(demo.messages)));
  });
});

describe('defaults', () => {
  it('makes 300 shoppers in the intended persona mix with readable ids', () => {
    expect(demo.shoppers).toHaveLength(300);
    expect(demo.shoppers[0]?.userId).toBe('demo-user-0001');
    expect(demo.shoppers[299]?.userId).toBe('demo-user-0300');
    const mix = Object.fromEntries(
      (
        [
          'champion',
          'loyal_regular',
          'bargain_hunter',
          'window_shopper',
          'lapsed',
          'new_buyer',
          'one_time',
        ] as const
      ).map((p) => [p, shoppersOf(p).length]),
    );
    expect(mix).toEqual({
      champion: 30,
      loyal_regular: 45,
      bargain_hunter: 45,
      window_shopper: 60,
      lapsed: 45,
      new_buyer: 30,
      one_time: 45,
    });
    // Shuffled: the first ten ids are not all one persona.
    expect(new Set(demo.shoppers.slice(0, 10).map((s) => s.persona)).size).toBeGreaterThan(1);
  });

  it('stays small enough to load within a minute', () => {
    expect(demo.messages.length).toBeGreaterThan(15_000);
    expect(demo.messages.length).toBeLessThanOrEqual(30_000);
  });

  it('honours the shoppers option and allows none', () => {
    expect(demoTraffic({ end: END, shoppers: 0 })).toEqual({ shoppers: [], messages: [] });
    const few = demoTraffic({ end: END, shoppers: 7 });
    expect(few.shoppers).toHaveLength(7);
    expect(new Set(few.messages.map((m) => m.userId))).toEqual(new Set(few.shoppers.map((s) => s.userId)));
  });

  it('rejects options it cannot honour', () => {
    expect(() => demoTraffic({ end: new Date('not a date') })).toThrow(RangeError);
    expect(() => demoTraffic({ end: END, shoppers: -1 })).toThrow(RangeError);
    expect(() => demoTraffic({ end: END, days: 0 })).toThrow(RangeError);
  });
});

describe('messages', () => {
  it('has unique, seed-prefixed messageIds', () => {
    const ids = demo.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^demo-42-\d+$/.test(id))).toBe(true);
  });

  it('keeps every timestamp inside the span, as ISO strings, sorted', () => {
    const start = END.getTime() - 365 * DAY;
    const times = demo.messages.map(ms);
    expect(demo.messages.every((m) => new Date(m.timestamp).toISOString() === m.timestamp)).toBe(true);
    expect(Math.max(...times)).toBeLessThanOrEqual(END.getTime());
    expect(Math.min(...times)).toBeGreaterThanOrEqual(start);
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] ?? 0))).toBe(true);
  });

  it('keeps a short span inside its bounds too', () => {
    const end = new Date('2025-01-10T08:30:15.250Z');
    const { messages } = demoTraffic({ end, shoppers: 60, days: 10, seed: 3 });
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) {
      expect(ms(m)).toBeLessThanOrEqual(end.getTime());
      expect(ms(m)).toBeGreaterThanOrEqual(end.getTime() - 10 * DAY);
    }
  });

  it('is accepted by the service as valid Segment messages', () => {
    for (const m of demo.messages) {
      const result = normaliseMessage(m, { now: END });
      expect(result.ok, `${m.messageId} ${m.event ?? m.type}`).toBe(true);
      if (result.ok && m.event === 'Order Completed') {
        expect(result.event.behaviour).toBe('order_completed');
        expect(result.event.amount).toBe(props<OrderProps>(m).revenue);
      }
    }
  });

  it('identifies each shopper once, at first sight, with realistic traits', () => {
    for (const { userId } of demo.shoppers) {
      const own = messagesOf.get(userId) ?? [];
      const identifies = own.filter((m) => m.type === 'identify');
      expect(identifies).toHaveLength(1);
      expect(own[0]?.type).toBe('identify');
      const traits = identifies[0]?.traits as {
        createdAt: string;
        email: string;
        address: { country: string };
      };
      expect(traits.email).toBe(`${userId}@example.com`);
      expect(traits.createdAt).toBe(own[0]?.timestamp);
      expect(traits.address.country).toMatch(/^[A-Z]{2}$/);
    }
  });

  it('only names products from the catalogue, with their real category and price', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(55);
    expect(CATALOGUE.length).toBeLessThanOrEqual(70);
    expect(new Set(CATALOGUE.map((p) => p.category))).toEqual(new Set(CATEGORIES));
    expect(CATALOGUE[0]?.id).toBe('sku-001');
    const byId = new Map(CATALOGUE.map((p) => [p.id, p]));
    const lines = demo.messages.flatMap((m) => {
      const p = m.properties as { product_id?: string; products?: LineProps[] } | undefined;
      return [...(p?.products ?? []), ...(p?.product_id ? [p as LineProps] : [])];
    });
    expect(lines.length).toBeGreaterThan(1000);
    for (const line of lines) {
      const product = byId.get(line.product_id);
      expect(product, line.product_id).toBeDefined();
      expect([line.name, line.category, line.price]).toEqual([
        product?.name,
        product?.category,
        product?.price,
      ]);
    }
  });
});

describe('orders', () => {
  const orders = demo.messages.filter((m) => m.event === 'Order Completed').map((m) => props<OrderProps>(m));

  it('has revenue equal to the product lines minus the discount, in USD', () => {
    expect(orders.length).toBeGreaterThan(500);
    for (const o of orders) {
      const lines = o.products.reduce((sum, l) => sum + cents(l.price) * l.quantity, 0);
      expect(cents(o.revenue)).toBe(lines - cents(o.discount ?? 0));
      expect(o.revenue).toBe(cents(o.revenue) / 100);
      expect(o.total).toBe(o.revenue);
      expect(o.currency).toBe('USD');
      expect(o.coupon === undefined).toBe(o.discount === undefined);
      expect(o.products.every((l) => Number.isInteger(l.quantity) && l.quantity >= 1)).toBe(true);
    }
    expect(new Set(orders.map((o) => o.order_id)).size).toBe(orders.length);
  });

  it('runs the funnel before each order', () => {
    for (const { userId } of demo.shoppers) {
      const own = messagesOf.get(userId) ?? [];
      for (const [i, m] of own.entries()) {
        if (m.event !== 'Order Completed') continue;
        const order = props<OrderProps>(m);
        const before = own.slice(0, i);
        expect(
          before.some(
            (b) => b.event === 'Checkout Started' && props<OrderProps>(b).order_id === order.order_id,
          ),
        ).toBe(true);
        expect(before.some((b) => b.type === 'page')).toBe(true);
        expect(
          before.some((b) => b.event === 'Product List Viewed' && typeof b.properties?.category === 'string'),
        ).toBe(true);
        for (const line of order.products) {
          const added = before.filter(
            (b) => b.event === 'Product Added' && b.properties?.product_id === line.product_id,
          );
          expect(added.at(-1)?.properties?.quantity).toBe(line.quantity);
          expect(
            before.some((b) => b.event === 'Product Viewed' && b.properties?.product_id === line.product_id),
          ).toBe(true);
        }
      }
    }
  });

  it('refunds about 3% and cancels about 1% of orders, after the order, for earlier orders', () => {
    const placed = new Map<string, { at: number; revenue: number; userId: string }>();
    let refunds = 0;
    let cancels = 0;
    for (const m of demo.messages) {
      const p = props<OrderProps>(m);
      if (m.event === 'Order Completed')
        placed.set(p.order_id, { at: ms(m), revenue: p.revenue, userId: m.userId });
      if (m.event !== 'Order Refunded' && m.event !== 'Order Cancelled') continue;
      const original = placed.get(p.order_id);
      expect(original?.userId).toBe(m.userId);
      expect(ms(m)).toBeGreaterThan(original?.at ?? Number.POSITIVE_INFINITY);
      if (m.event === 'Order Refunded') {
        refunds++;
        expect(p.total).toBe(original?.revenue);
      } else cancels++;
    }
    expect(refunds / orders.length).toBeGreaterThan(0.01);
    expect(refunds / orders.length).toBeLessThan(0.06);
    expect(cancels).toBeGreaterThan(0);
    expect(cancels / orders.length).toBeLessThan(0.03);
  });
});

describe('personas', () => {
  it('champions order far more often, with bigger baskets, and recently', () => {
    expect(perShopper('champion', 'Order Completed')).toBeGreaterThan(
      (3 * perShopper('loyal_regular', 'Order Completed')) / 2,
    );
    expect(perShopper('champion', 'Order Completed')).toBeGreaterThan(
      10 * perShopper('one_time', 'Order Completed'),
    );
    const basket = (persona: Persona) =>
      mean(allOrders(persona).map((o) => o.products.reduce((n, l) => n + l.quantity, 0)));
    expect(basket('champion')).toBeGreaterThan(1.5 * basket('loyal_regular'));
    for (const { userId } of shoppersOf('champion')) {
      const last = ordersOf(userId).at(-1);
      expect(END.getTime() - (last ? ms(last) : 0)).toBeLessThan(30 * DAY);
    }
  });

  it('loyal regulars order steadily about once a month', () => {
    const gaps = shoppersOf('loyal_regular').flatMap(({ userId }) => {
      const times = ordersOf(userId).map(ms);
      return times.slice(1).map((t, i) => (t - (times[i] ?? t)) / DAY);
    });
    expect(gaps.length).toBeGreaterThan(100);
    expect(Math.min(...gaps)).toBeGreaterThan(20);
    expect(Math.max(...gaps)).toBeLessThan(40);
  });

  it('window shoppers view and fill carts a lot but rarely order', () => {
    expect(perShopper('window_shopper', 'Product Viewed')).toBeGreaterThan(20);
    expect(perShopper('window_shopper', 'Product Added')).toBeGreaterThan(10);
    expect(perShopper('window_shopper', 'Product Removed')).toBeGreaterThan(2);
    expect(perShopper('window_shopper', 'Cart Viewed')).toBeGreaterThan(3);
    expect(perShopper('window_shopper', 'Checkout Started')).toBeGreaterThan(1);
    expect(perShopper('window_shopper', 'Order Completed')).toBeLessThan(0.3);
    const added = (p: Persona) =>
      perShopper(p, 'Product Added') / Math.max(perShopper(p, 'Order Completed'), 0.01);
    expect(added('window_shopper')).toBeGreaterThan(10 * added('loyal_regular'));
  });

  it('bargain hunters mostly order with coupons, and buy cheaper things', () => {
    const orders = allOrders('bargain_hunter');
    const withCoupon = orders.filter((o) => o.coupon !== undefined && (o.discount ?? 0) > 0);
    expect(withCoupon.length / orders.length).toBeGreaterThan(0.7);
    expect(allOrders('champion').filter((o) => o.coupon).length / allOrders('champion').length).toBeLessThan(
      0.2,
    );
    const applied = shoppersOf('bargain_hunter').reduce(
      (n, s) => n + eventsOf(s.userId, 'Coupon Applied').length,
      0,
    );
    expect(applied).toBe(withCoupon.length);
    const unitPrice = (persona: Persona) =>
      mean(allOrders(persona).flatMap((o) => o.products.map((l) => l.price)));
    expect(unitPrice('bargain_hunter')).toBeLessThan(0.6 * unitPrice('champion'));
  });

  it('lapsed shoppers bought several times early and have been silent for the last 150 days', () => {
    for (const { userId } of shoppersOf('lapsed')) {
      expect(ordersOf(userId).length).toBeGreaterThanOrEqual(3);
      const last = (messagesOf.get(userId) ?? []).at(-1);
      expect(END.getTime() - (last ? ms(last) : END.getTime())).toBeGreaterThan(150 * DAY);
    }
  });

  it('new buyers were first seen within the last 30 days and ordered once or twice', () => {
    for (const { userId } of shoppersOf('new_buyer')) {
      const first = (messagesOf.get(userId) ?? [])[0];
      expect(END.getTime() - (first ? ms(first) : 0)).toBeLessThanOrEqual(30 * DAY);
      expect(ordersOf(userId).length).toBeGreaterThanOrEqual(1);
      expect(ordersOf(userId).length).toBeLessThanOrEqual(2);
    }
  });

  it('one-time buyers ordered exactly once, some time ago', () => {
    for (const { userId } of shoppersOf('one_time')) {
      const orders = ordersOf(userId);
      expect(orders).toHaveLength(1);
      expect(END.getTime() - ms(orders[0] as SegmentMessage)).toBeGreaterThan(45 * DAY);
    }
  });

  it('have category tastes', () => {
    const share = (persona: Persona, category: string) => {
      const lines = allOrders(persona).flatMap((o) => o.products);
      return lines.filter((l) => l.category === category).length / lines.length;
    };
    expect(share('loyal_regular', 'Grocery')).toBeGreaterThan(1.5 * share('champion', 'Grocery'));
    expect(share('one_time', 'Toys')).toBeGreaterThan(share('loyal_regular', 'Toys'));
  });
});
