/** Builders for Segment messages used across tests, and a seeded random batch. */
import { mulberry32 } from '#shared/kernel/random';

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}-${Math.floor(Math.random() * 1e9)}`;

export const track = (
  userId: string,
  event: string,
  properties: Record<string, unknown> = {},
  at = '2025-03-01T12:00:00Z',
) => ({
  type: 'track',
  messageId: nextId('msg'),
  userId,
  event,
  timestamp: at,
  properties,
});

export const order = (
  userId: string,
  orderId: string,
  revenue: number,
  at = '2025-03-01T12:00:00Z',
  extra: Record<string, unknown> = {},
) =>
  track(
    userId,
    'Order Completed',
    {
      order_id: orderId,
      revenue,
      currency: 'USD',
      products: [{ product_id: `p-${orderId}`, category: 'Books', price: revenue, quantity: 1 }],
      ...extra,
    },
    at,
  );

/** Tests that need many events get the same ones on every run: the product's own seeded random. */
export const seededRandom = mulberry32;

const NAMES = [
  'Product Viewed',
  'Product Added',
  'Product Removed',
  'Checkout Started',
  'Order Completed',
  'Order Refunded',
  'Coupon Applied',
];
const CATEGORIES = ['Books', 'Music', 'Garden', 'Toys'];

/** A deterministic mixed batch over a few shoppers, with repeated order ids and refunds. */
export const randomBatch = (seed: number, shoppers: number, size: number, prefix = `s${seed}`) => {
  const rand = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  return Array.from({ length: size }, (_, i) => {
    const userId = `${prefix}-user-${Math.floor(rand() * shoppers)}`;
    const event = pick(NAMES);
    const day = 1 + Math.floor(rand() * 180);
    const at = new Date(Date.UTC(2025, 0, day, Math.floor(rand() * 24))).toISOString();
    const price = Math.round(rand() * 10_000) / 100;
    const product = {
      product_id: `sku-${Math.floor(rand() * 30)}`,
      category: pick(CATEGORIES),
      price,
      quantity: 1 + Math.floor(rand() * 3),
    };
    const properties: Record<string, unknown> =
      event === 'Order Completed' || event === 'Order Refunded'
        ? {
            order_id: `${prefix}-order-${Math.floor(rand() * size)}`,
            revenue: price * product.quantity,
            products: [product],
          }
        : { ...product };
    return { type: 'track', messageId: `${prefix}-m-${i}`, userId, event, timestamp: at, properties };
  });
};
