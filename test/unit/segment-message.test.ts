import { describe, expect, it } from 'vitest';
import {
  MAX_PRODUCTS_PER_EVENT,
  nestedDeeperThan,
  normaliseMessage,
  parseIsoTime,
} from '#shared/activation/domain/segment-message';

const now = new Date('2025-07-01T00:00:00Z');
const base = { type: 'track', userId: 'u1', messageId: 'm1', timestamp: '2025-06-30T10:00:00Z' };
const normalise = (msg: unknown) => normaliseMessage(msg, { now });

describe('normaliseMessage', () => {
  it('reads an Order Completed per the E-commerce Spec v2', () => {
    const result = normalise({
      ...base,
      event: 'Order Completed',
      properties: {
        order_id: 'o-1',
        total: '$30.00',
        currency: 'eur',
        discount: 2.5,
        coupon: 'SPRING',
        products: [
          { product_id: 'p1', category: 'Books', price: '10', quantity: 2 },
          { sku: 'p2', price: 10 },
        ],
      },
    });
    expect(result).toEqual({
      ok: true,
      event: {
        messageId: 'm1',
        shopperId: 'u1',
        anonymous: false,
        type: 'track',
        event: 'Order Completed',
        behaviour: 'order_completed',
        at: '2025-06-30T10:00:00.000Z',
        orderId: 'o-1',
        amount: 30,
        currency: 'EUR',
        discount: 2.5,
        coupon: 'SPRING',
        products: [
          { productId: 'p1', category: 'Books', price: 10, quantity: 2 },
          { productId: 'p2', price: 10, quantity: 1 },
        ],
      },
    });
  });

  it('prefers revenue over total, and takes the order id from id or orderId too', () => {
    const a = normalise({ ...base, event: 'Order Completed', properties: { id: 'x', revenue: 5, total: 9 } });
    const b = normalise({ ...base, event: 'order_completed', properties: { orderId: 7, total: 9 } });
    expect(a.ok && [a.event.orderId, a.event.amount]).toEqual(['x', 5]);
    expect(b.ok && [b.event.behaviour, b.event.orderId, b.event.amount]).toEqual(['order_completed', '7', 9]);
  });

  it('uses timestamp, then originalTimestamp, never sentAt', () => {
    const r = normalise({
      type: 'page',
      userId: 'u',
      originalTimestamp: '2025-01-02T03:04:05Z',
      sentAt: '2025-06-01T00:00:00Z',
    });
    expect(r.ok && r.event.at).toBe('2025-01-02T03:04:05.000Z');
    const missing = normalise({ type: 'page', userId: 'u', sentAt: '2025-06-01T00:00:00Z' });
    expect(missing).toMatchObject({ ok: false, rejection: { field: 'timestamp' } });
  });

  it('rejects a timestamp far in the future but accepts old ones', () => {
    expect(normalise({ ...base, event: 'x', timestamp: '2025-07-03T00:00:00Z' })).toMatchObject({
      ok: false,
      rejection: { field: 'timestamp' },
    });
    expect(normalise({ ...base, event: 'x', timestamp: '1997-01-01T00:00:00Z' }).ok).toBe(true);
  });

  it('falls back to anonymousId and marks the shopper anonymous', () => {
    const r = normalise({
      type: 'track',
      anonymousId: 'anon-1',
      event: 'Product Viewed',
      timestamp: base.timestamp,
      properties: { product_id: 'p' },
    });
    expect(r.ok && [r.event.shopperId, r.event.anonymous, r.event.products]).toEqual([
      'anon-1',
      true,
      [{ productId: 'p', quantity: 1 }],
    ]);
  });

  it('derives the same messageId for the same content when none is sent', () => {
    const msg = {
      type: 'track',
      userId: 'u',
      event: 'Product Viewed',
      timestamp: base.timestamp,
      sentAt: '2025-06-30T10:00:01Z',
    };
    const a = normalise(msg);
    const b = normalise({ ...msg, sentAt: '2025-06-30T11:00:00Z' });
    const c = normalise({ ...msg, event: 'Product Added' });
    expect(a.ok && b.ok && a.event.messageId === b.event.messageId).toBe(true);
    expect(a.ok && c.ok && a.event.messageId !== c.event.messageId).toBe(true);
  });

  it('keeps only non-identifying traits from identify', () => {
    const r = normalise({
      type: 'identify',
      userId: 'u',
      timestamp: base.timestamp,
      traits: {
        email: 'ada@example.com',
        name: 'Ada',
        phone: '123',
        createdAt: '2024-01-01',
        address: { country: 'GB', street: '1 Lane' },
      },
    });
    expect(r.ok && r.event.traits).toEqual({
      signedUpAt: '2024-01-01T00:00:00.000Z',
      country: 'GB',
      hasEmail: true,
    });
    expect(JSON.stringify(r)).not.toContain('ada@');
  });

  describe('an order with more product lines than the detail bound', () => {
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        product_id: `p${i}`,
        price: 0.25 * (1 + (i % 8)),
        quantity: i % 4,
      }));
    const orderOf = (products: unknown[]) =>
      normalise({ ...base, event: 'Order Completed', properties: { products } });

    it('keeps the first lines, counts the units of the rest and derives revenue from every line', () => {
      const all = lines(MAX_PRODUCTS_PER_EVENT + 50);
      const r = orderOf(all);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.event.products).toEqual(
        all
          .slice(0, MAX_PRODUCTS_PER_EVENT)
          .map((l) => ({ productId: l.product_id, price: l.price, quantity: l.quantity })),
      );
      const tail = all.slice(MAX_PRODUCTS_PER_EVENT);
      expect(r.event.omittedUnits).toBe(tail.reduce((sum, l) => sum + l.quantity, 0));
      expect(r.event.amount).toBe(all.reduce((sum, l) => sum + l.price * l.quantity, 0));
    });

    it('leaves omittedUnits out when every line is kept, as in events stored before it existed', () => {
      const r = orderOf(lines(MAX_PRODUCTS_PER_EVENT));
      expect(r.ok && r.event.products.length).toBe(MAX_PRODUCTS_PER_EVENT);
      expect(r.ok && 'omittedUnits' in r.event).toBe(false);
    });

    it('records that lines were left out even when they hold no units', () => {
      const r = orderOf([...lines(MAX_PRODUCTS_PER_EVENT), { product_id: 'x', quantity: 0 }]);
      expect(r.ok && r.event.omittedUnits).toBe(0);
    });

    it('still validates every line, naming the one at fault', () => {
      const all: unknown[] = lines(MAX_PRODUCTS_PER_EVENT + 60);
      all[250] = { product_id: 'bad', quantity: 'many' };
      expect(orderOf(all)).toMatchObject({
        ok: false,
        rejection: { field: 'properties.products.250.quantity' },
      });
      all[250] = null;
      expect(orderOf(all)).toMatchObject({ ok: false, rejection: { field: 'properties.products.250' } });
    });
  });

  it.each([
    [{ ...base, type: 'bogus' }, 'type'],
    [{ ...base, event: undefined }, 'event'],
    [{ ...base, event: 'x', userId: '' }, 'userId'],
    [{ ...base, event: 'x', userId: { a: 1 } }, 'userId'],
    [{ ...base, event: 'x', userId: 'a\u0000b' }, 'userId'],
    [{ ...base, event: 'x', userId: 'u'.repeat(257) }, 'userId'],
    [{ ...base, event: 'x', userId: undefined }, 'userId'],
    [{ ...base, event: 'x', timestamp: 'yesterday' }, 'timestamp'],
    [{ ...base, event: 'Order Completed', properties: { revenue: -5 } }, 'properties.revenue'],
    [{ ...base, event: 'Order Completed', properties: { revenue: 'lots' } }, 'properties.revenue'],
    [{ ...base, event: 'Order Completed', properties: { currency: 'dollars' } }, 'properties.currency'],
    [{ ...base, event: 'Order Completed', properties: { products: {} } }, 'properties.products'],
    [
      { ...base, event: 'Order Completed', properties: { products: [{ quantity: 1.5 }] } },
      'properties.products.0.quantity',
    ],
    [{ ...base, event: 'Product Viewed', properties: { price: 1e300 } }, 'properties.price'],
    [{ ...base, event: 'x', properties: [] }, 'properties'],
  ])('rejects %j naming %s', (msg, field) => {
    expect(normalise(msg)).toMatchObject({ ok: false, rejection: { field } });
  });
});

describe('parseIsoTime', () => {
  it.each([
    ['2024-02-29T10:00:00Z', Date.UTC(2024, 1, 29, 10)],
    ['2024-01-01T10:00:00', Date.UTC(2024, 0, 1, 10)],
    ['2024-01-01T10:00:00+02:00', Date.UTC(2024, 0, 1, 8)],
    ['2024-01-01T10:00:00.250-0130', Date.UTC(2024, 0, 1, 11, 30, 0, 250)],
    ['2024-01-01', Date.UTC(2024, 0, 1)],
  ])('reads %s', (text, expected) => {
    expect(parseIsoTime(text)).toBe(expected);
  });

  it.each([
    ['2024-02-30T10:00:00Z'],
    ['2023-02-29'],
    ['2024-04-31T00:00:00Z'],
    ['2024-13-01'],
    ['2024-01-01T24:00:00Z'],
    ['yesterday'],
    ['2024-01-01T10:00:00+25:00'],
  ])('rejects %s', (text) => {
    expect(parseIsoTime(text)).toBeUndefined();
  });
});

describe('nestedDeeperThan', () => {
  it('measures depth without recursion, even 100,000 levels deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nestedDeeperThan(deep, 32)).toBe(true);
    expect(nestedDeeperThan({ a: { b: [1, { c: 2 }] } }, 4)).toBe(false);
    expect(nestedDeeperThan({ a: { b: [1, { c: {} }] } }, 4)).toBe(true);
  });
});
