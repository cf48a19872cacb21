/**
 * The demo shoppers' sessions: a visit as the funnel of Segment calls a shop front-end sends (pages,
 * product views, wishlist, cart, checkout, order, and the odd cancellation or refund later), as the
 * messages POST /v1/batch accepts.
 */
import { type Product, pickProduct } from './demo-catalogue';
import { CATEGORIES } from './demo-catalogue.data';
import type { PersonaStyle } from './demo-personas';
import { chance, int, pick, pickWeighted, type Rng, uniform } from './demo-random';
import type { Intent } from './demo-visit-plans';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One message as POST /v1/batch accepts it. */
export interface SegmentMessage {
  type: 'track' | 'identify' | 'page';
  messageId: string;
  userId: string;
  timestamp: string;
  event?: string;
  /** The page name, on page calls. */
  name?: string;
  properties?: JsonObject;
  traits?: JsonObject;
}

export const DAY_MS = 86_400_000;
const SITE = 'https://shop.example.com';
const COUNTRIES = ['US', 'GB', 'CA', 'DE', 'FR', 'AU', 'NL', 'IE'] as const;
const COUNTRY_WEIGHTS = [50, 12, 10, 8, 6, 6, 4, 4];
const COUPONS = [
  { code: 'SAVE10', rate: 0.1 },
  { code: 'SPRING15', rate: 0.15 },
  { code: 'WELCOME20', rate: 0.2 },
  { code: 'FLASH25', rate: 0.25 },
] as const;
const REFUND_RATE = 0.03;
const CANCEL_RATE = 0.01;

export interface Draft {
  readonly ms: number;
  readonly message: Omit<SegmentMessage, 'messageId'>;
}

export interface ShopperContext {
  readonly rng: Rng;
  readonly seed: number;
  readonly userId: string;
  readonly number: string;
  readonly endMs: number;
  readonly style: PersonaStyle;
  /** The persona's taste with this shopper's favourite category boosted. */
  readonly taste: readonly number[];
  readonly out: Draft[];
  counters: { orders: number; carts: number };
}

interface Line {
  readonly product: Product;
  readonly quantity: number;
}

const slug = (s: string): string => s.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-');
const toCents = (amount: number): number => Math.round(amount * 100);
const fromCents = (cents: number): number => cents / 100;

const productProps = (p: Product): JsonObject => ({
  product_id: p.id,
  name: p.name,
  category: p.category,
  price: p.price,
  currency: 'USD',
});

const lineProps = (l: Line): JsonObject => ({
  product_id: l.product.id,
  name: l.product.name,
  category: l.product.category,
  price: l.product.price,
  quantity: l.quantity,
});

const emit = (
  ctx: ShopperContext,
  ms: number,
  message: Omit<SegmentMessage, 'messageId' | 'userId' | 'timestamp'>,
) => {
  ctx.out.push({
    ms,
    message: { ...message, userId: ctx.userId, timestamp: new Date(ms).toISOString() },
  });
};

export const emitIdentify = (ctx: ShopperContext, ms: number) =>
  emit(ctx, ms, {
    type: 'identify',
    traits: {
      createdAt: new Date(ms).toISOString(),
      email: `${ctx.userId}@example.com`,
      address: { country: pickWeighted(ctx.rng, COUNTRIES, COUNTRY_WEIGHTS) },
    },
  });

const basket = (ctx: ShopperContext): Line[] => {
  const { rng, style } = ctx;
  const wanted = int(rng, style.lines[0], style.lines[1]);
  const lines = new Map<string, Line>();
  // Bounded tries: a narrow taste may not have `wanted` distinct products to offer.
  for (let tries = 0; lines.size < wanted && tries < wanted * 5; tries++) {
    const product = pickProduct(rng, ctx.taste, style.price);
    if (!lines.has(product.id)) lines.set(product.id, { product, quantity: int(rng, 1, style.maxQuantity) });
  }
  return [...lines.values()];
};

/**
 * One visit: landing page, a category list, product pages, then as far down the funnel as the
 * intent goes. Calls are 15 s to 2.5 min apart, so a session lasts well under MIN_AGO
 * (demo-visit-plans.ts).
 */
export const runSession = (ctx: ShopperContext, startMs: number, intent: Intent) => {
  const { rng } = ctx;
  let ms = startMs;
  const next = () => {
    ms += int(rng, 15, 150) * 1000;
    return ms;
  };
  const lines = intent === 'browse' ? [] : basket(ctx);
  const lookedAt = [
    ...lines.map((l) => l.product),
    ...Array.from({ length: intent === 'browse' ? int(rng, 1, 3) : int(rng, 0, 1) }, () =>
      pickProduct(rng, ctx.taste, ctx.style.price),
    ),
  ];
  const category = lookedAt[0]?.category ?? pickWeighted(rng, CATEGORIES, ctx.taste);

  emit(ctx, ms, {
    type: 'page',
    name: category,
    properties: {
      path: `/c/${slug(category)}`,
      url: `${SITE}/c/${slug(category)}`,
      title: `${category} | Demo Shop`,
    },
  });
  emit(ctx, next(), {
    type: 'track',
    event: 'Product List Viewed',
    properties: { list_id: slug(category), category },
  });
  for (const product of lookedAt)
    emit(ctx, next(), { type: 'track', event: 'Product Viewed', properties: productProps(product) });
  const liked = lookedAt.at(-1);
  if (liked && chance(rng, ctx.style.wishlist))
    emit(ctx, next(), {
      type: 'track',
      event: 'Product Added to Wishlist',
      properties: { wishlist_id: `wl-${ctx.number}`, wishlist_name: 'Favourites', ...productProps(liked) },
    });
  if (intent === 'browse' || lines.length === 0) return;

  const cartId = `cart-${ctx.seed}-${ctx.number}-${++ctx.counters.carts}`;
  for (const line of lines)
    emit(ctx, next(), {
      type: 'track',
      event: 'Product Added',
      properties: { cart_id: cartId, ...lineProps(line) },
    });
  if (intent === 'abandon') abandonCart(ctx, next, cartId, lines);
  else checkout(ctx, next, cartId, lines);
};

/** Cart abandonment: looks at the cart, maybe takes something out, maybe starts checkout, leaves. */
const abandonCart = (ctx: ShopperContext, next: () => number, cartId: string, lines: Line[]) => {
  const { rng } = ctx;
  let cart = lines;
  if (chance(rng, 0.8))
    emit(ctx, next(), {
      type: 'track',
      event: 'Cart Viewed',
      properties: { cart_id: cartId, products: cart.map(lineProps) },
    });
  const dropped = cart[0];
  if (dropped && chance(rng, 0.5)) {
    emit(ctx, next(), {
      type: 'track',
      event: 'Product Removed',
      properties: { cart_id: cartId, ...lineProps(dropped) },
    });
    cart = cart.slice(1);
  }
  if (cart.length > 0 && chance(rng, 0.45)) {
    const subtotal = fromCents(cart.reduce((sum, l) => sum + toCents(l.product.price) * l.quantity, 0));
    emit(ctx, next(), {
      type: 'track',
      event: 'Checkout Started',
      properties: { cart_id: cartId, value: subtotal, currency: 'USD', products: cart.map(lineProps) },
    });
  }
};

const checkout = (ctx: ShopperContext, next: () => number, cartId: string, lines: Line[]) => {
  const { rng } = ctx;
  const orderId = `ord-${ctx.seed}-${ctx.number}-${String(++ctx.counters.orders).padStart(2, '0')}`;
  // A fresh array per message, so that no two messages share (and could mutate) one object.
  const products = () => lines.map(lineProps);
  // Integer cents, so revenue is exactly the lines minus the discount.
  const subtotalCents = lines.reduce((sum, l) => sum + toCents(l.product.price) * l.quantity, 0);
  const coupon = chance(rng, ctx.style.coupon) ? pick(rng, COUPONS) : undefined;
  const discountCents = coupon ? Math.round(subtotalCents * coupon.rate) : 0;
  const revenue = fromCents(subtotalCents - discountCents);

  emit(ctx, next(), {
    type: 'track',
    event: 'Cart Viewed',
    properties: { cart_id: cartId, products: products() },
  });
  emit(ctx, next(), {
    type: 'track',
    event: 'Checkout Started',
    properties: {
      order_id: orderId,
      cart_id: cartId,
      value: fromCents(subtotalCents),
      currency: 'USD',
      products: products(),
    },
  });
  if (coupon)
    emit(ctx, next(), {
      type: 'track',
      event: 'Coupon Applied',
      properties: {
        order_id: orderId,
        cart_id: cartId,
        coupon_id: coupon.code,
        coupon_name: coupon.code,
        discount: fromCents(discountCents),
      },
    });
  const orderMs = next();
  emit(ctx, orderMs, {
    type: 'track',
    event: 'Order Completed',
    properties: {
      order_id: orderId,
      // Prices include tax and shipping is free, so total and revenue agree.
      revenue,
      total: revenue,
      currency: 'USD',
      ...(coupon ? { discount: fromCents(discountCents), coupon: coupon.code } : {}),
      products: products(),
    },
  });
  afterOrder(ctx, orderMs, orderId, revenue);
};

/** A few orders go wrong later; events that would fall after the span are simply not sent yet. */
const afterOrder = (ctx: ShopperContext, orderMs: number, orderId: string, total: number) => {
  const r = ctx.rng();
  if (r < CANCEL_RATE) {
    const at = orderMs + Math.round(uniform(ctx.rng, 0.5, 6) * 3_600_000);
    if (at <= ctx.endMs)
      emit(ctx, at, { type: 'track', event: 'Order Cancelled', properties: { order_id: orderId } });
  } else if (r < CANCEL_RATE + REFUND_RATE) {
    const at = orderMs + Math.round(uniform(ctx.rng, 2, 10) * DAY_MS);
    if (at <= ctx.endMs)
      emit(ctx, at, {
        type: 'track',
        event: 'Order Refunded',
        properties: { order_id: orderId, total, currency: 'USD' },
      });
  }
};
