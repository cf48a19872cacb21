/**
 * Seeded synthetic shopper profiles at scale, built by the real reducer (applyEvents) from a
 * handful of events per shopper drawn from persona-like behaviours. Used by the benches,
 * where ingesting a million shoppers through the API would measure the emulator, not us.
 */
import { applyEvents, type EventToApply } from '#shared/ingestion/domain/apply-events';
import type { Profile } from '#shared/ingestion/domain/profile';
import { mulberry32 } from '#shared/kernel/random';

const DAY = 86_400_000;
const CATEGORIES = ['Books', 'Music', 'Electronics', 'Home', 'Fashion', 'Toys', 'Sports', 'Beauty'];

interface Persona {
  readonly weight: number;
  readonly orders: [number, number];
  readonly recencyDays: [number, number];
  readonly spanDays: [number, number];
  readonly basket: [number, number];
  readonly coupon: number;
  readonly views: [number, number];
}

const PERSONAS: readonly Persona[] = [
  {
    weight: 0.1,
    orders: [8, 30],
    recencyDays: [0, 20],
    spanDays: [200, 365],
    basket: [80, 400],
    coupon: 0.1,
    views: [20, 80],
  },
  {
    weight: 0.2,
    orders: [4, 12],
    recencyDays: [0, 45],
    spanDays: [150, 365],
    basket: [30, 120],
    coupon: 0.15,
    views: [10, 40],
  },
  {
    weight: 0.15,
    orders: [3, 10],
    recencyDays: [0, 60],
    spanDays: [100, 365],
    basket: [10, 50],
    coupon: 0.85,
    views: [10, 50],
  },
  {
    weight: 0.2,
    orders: [2, 6],
    recencyDays: [180, 360],
    spanDays: [30, 120],
    basket: [20, 150],
    coupon: 0.2,
    views: [5, 20],
  },
  {
    weight: 0.1,
    orders: [1, 2],
    recencyDays: [0, 30],
    spanDays: [0, 20],
    basket: [20, 100],
    coupon: 0.3,
    views: [3, 15],
  },
  {
    weight: 0.25,
    orders: [1, 1],
    recencyDays: [30, 360],
    spanDays: [0, 0],
    basket: [10, 80],
    coupon: 0.2,
    views: [1, 10],
  },
];

export const syntheticProfiles = function* (count: number, asOf: Date, seed = 1): Generator<Profile> {
  const rand = mulberry32(seed);
  const between = ([lo, hi]: [number, number]) => lo + rand() * (hi - lo);
  const int = (range: [number, number]) => Math.round(between(range));
  const cumulative = PERSONAS.map((_, i) => PERSONAS.slice(0, i + 1).reduce((n, p) => n + p.weight, 0));
  for (let n = 0; n < count; n++) {
    const u = rand();
    const persona = PERSONAS[cumulative.findIndex((c) => u <= c)] ?? (PERSONAS[0] as Persona);
    const shopperId = `bench-${n}`;
    const orders = int(persona.orders);
    const last = asOf.getTime() - int(persona.recencyDays) * DAY;
    const span = int(persona.spanDays) * DAY;
    const items: EventToApply[] = [];
    for (let o = 0; o < orders; o++) {
      const at = new Date(orders === 1 ? last : last - span + (span * o) / (orders - 1)).toISOString();
      const amount = Math.round(between(persona.basket) * 100) / 100;
      const coupon = rand() < persona.coupon;
      items.push({
        event: {
          messageId: `${shopperId}-o${o}`,
          shopperId,
          anonymous: false,
          type: 'track',
          behaviour: 'order_completed',
          at,
          orderId: `${shopperId}-${o}`,
          amount,
          ...(coupon ? { coupon: 'SAVE', discount: Math.round(amount * 15) / 100 } : {}),
          products: [
            {
              productId: `sku-${int([1, 500])}`,
              category: CATEGORIES[int([0, 7])] as string,
              price: amount,
              quantity: 1,
            },
          ],
        },
      });
    }
    const views = int(persona.views);
    items.push({
      event: {
        messageId: `${shopperId}-v`,
        shopperId,
        anonymous: false,
        type: 'track',
        behaviour: 'product_viewed',
        at: new Date(last - DAY).toISOString(),
        products: [{ productId: 'sku-1', category: 'Books', quantity: 1 }],
      },
    });
    const profile = applyEvents(undefined, items, { now: asOf, defaultCurrency: 'USD' });
    profile.productViews += views;
    yield profile;
  }
};
