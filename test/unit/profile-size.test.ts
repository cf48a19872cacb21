/**
 * The worst-case profile item stays well under DynamoDB's 400 KB item limit. The size is
 * computed with DynamoDB's rules (attribute names + values; numbers ~ digits/2 + 1 bytes)
 * on a profile filled to every bound with maximum-length identifiers.
 */
import { describe, expect, it } from 'vitest';
import { applyEvents, type EventToApply } from '#shared/ingestion/domain/apply-events';
import {
  CATEGORY_CAP,
  HORIZON_DAYS,
  PURCHASE_HISTORY_CAP,
  PURCHASED_CAP,
  RECENT_CAP,
} from '#shared/ingestion/domain/profile';

const dynamoSize = (value: unknown): number => {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + dynamoSize(v), 0);
  return (
    3 + Object.entries(value as object).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k) + dynamoSize(v), 0)
  );
};

const long = (prefix: string, i: number) => `${prefix}${i}`.padEnd(200, 'x');

describe('profile item size', () => {
  it('is bounded in the worst case', () => {
    const now = new Date('2025-12-31T00:00:00Z');
    const items: EventToApply[] = [];
    for (let d = 0; d < HORIZON_DAYS + 30; d++) {
      const at = new Date(now.getTime() - d * 86_400_000).toISOString();
      items.push({
        event: {
          messageId: long('m', d),
          shopperId: 'u'.repeat(256),
          anonymous: false,
          type: 'track',
          behaviour: 'order_completed',
          at,
          orderId: long('o', d),
          amount: 123456.7891,
          currency:
            d % 2
              ? 'USD'
              : `C${String.fromCharCode(65 + (d % 26))}${String.fromCharCode(65 + ((d >> 5) % 26))}`,
          discount: 12.3456,
          products: [
            { productId: long('p', d), category: long('c', d), price: 99999.9999, quantity: 999_999 },
          ],
        },
      });
    }
    const profile = applyEvents(undefined, items, { now, defaultCurrency: 'USD' });
    expect(Object.keys(profile.days).length).toBe(HORIZON_DAYS);
    expect(profile.categories).toHaveLength(CATEGORY_CAP);
    expect(profile.recentPurchases).toHaveLength(RECENT_CAP);
    expect(profile.purchasedProducts).toHaveLength(PURCHASED_CAP);
    expect(profile.purchaseHistory).toHaveLength(PURCHASE_HISTORY_CAP);

    // The most a profile can hold as pending: one chunk of 200 events, each a new order.
    const pending = Array.from({ length: 200 }, (_, i) => `m#${long('k', i)}`);
    const pendingOrders = Array.from({ length: 200 }, (_, i) => ({
      key: `o#${long('o', i)}`,
      messageId: long('k', i),
      at: '2026-11-28T12:34:56.789Z',
      amount: 123456.7891,
      currency: 'USD',
    }));
    const item = { ...profile, pk: profile.shopperId, v: 123456, pending, pendingOrders };
    const size = dynamoSize(item);
    console.log(
      `[profile-size] worst case ${(size / 1024).toFixed(1)} KB (without pending keys ${(dynamoSize(profile) / 1024).toFixed(1)} KB)`,
    );
    // DynamoDB's item limit is 400 KB; a quarter of it is kept as headroom.
    expect(size).toBeLessThan(300 * 1024);
  });
});
