/**
 * Realistic demo traffic for the local runtime's first start: a year of Segment HTTP Tracking
 * API messages (E-commerce Spec v2) from shoppers who each follow a persona, so the segments
 * the service finds have something real to separate.
 *
 * Pure and seeded: the same options always give byte-identical messages, including messageIds,
 * so loading the demo twice is idempotent (the service drops the duplicates).
 */

export type Persona =
  | 'champion'
  | 'bargain_hunter'
  | 'window_shopper'
  | 'lapsed'
  | 'new_buyer'
  | 'loyal_regular'
  | 'one_time';

export interface DemoOptions {
  seed?: number;
  shoppers?: number;
  /** The span ends here; no message is later. */
  end: Date;
  days?: number;
}

export interface DemoShopper {
  userId: string;
  persona: Persona;
}

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

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly category: Category;
  readonly price: number;
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness

type Rng = () => number;

/** mulberry32: tiny, fast and good enough for demo data; returns floats in [0, 1). */
const mulberry32 = (seed: number): Rng => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** Mixes two integers into a seed, so each shopper gets an independent stream. */
const mixSeed = (a: number, b: number): number => {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
};

const uniform = (rng: Rng, min: number, max: number): number => min + (max - min) * rng();
const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const chance = (rng: Rng, p: number): boolean => rng() < p;

const pick = <T>(rng: Rng, items: readonly T[]): T => {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};

const pickWeighted = <T>(rng: Rng, items: readonly T[], weights: readonly number[]): T => {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let r = rng() * total;
  for (const [i, item] of items.entries()) {
    r -= weights[i] ?? 0;
    if (r < 0) return item;
  }
  return pick(rng, items);
};

// ---------------------------------------------------------------------------------------------
// Catalogue

export const CATEGORIES = [
  'Electronics',
  'Books',
  'Home & Kitchen',
  'Fashion',
  'Beauty',
  'Sports',
  'Toys',
  'Grocery',
] as const;
export type Category = (typeof CATEGORIES)[number];

const PRODUCTS_BY_CATEGORY: Record<Category, readonly (readonly [string, number])[]> = {
  Electronics: [
    ['Wireless Earbuds', 79.99],
    ['Bluetooth Speaker', 49.99],
    ['USB-C Charger 65W', 24.99],
    ['Noise-Cancelling Headphones', 249.0],
    ['4K Streaming Stick', 39.99],
    ['Smartwatch', 199.0],
    ['Portable SSD 1TB', 109.99],
    ['Mechanical Keyboard', 89.0],
  ],
  Books: [
    ['Sourdough at Home', 18.99],
    ['A Field Guide to Birds', 24.5],
    ['The Quiet Orbit', 14.99],
    ['Practical TypeScript', 39.99],
    ['Atlas of Lost Cities', 29.0],
    ['Weeknight Vegetarian', 22.0],
    ['Mystery at Harbour Lane', 12.99],
    ["Kids' Picture Dictionary", 9.99],
  ],
  'Home & Kitchen': [
    ["Chef's Knife 8in", 59.0],
    ['Cast Iron Skillet', 34.99],
    ['French Press', 27.5],
    ['Linen Duvet Cover', 119.0],
    ['Ceramic Mug Set', 24.0],
    ['Air Fryer', 89.99],
    ['Bamboo Cutting Board', 19.99],
    ['Scented Candle', 16.0],
  ],
  Fashion: [
    ['Organic Cotton T-Shirt', 22.0],
    ['Slim Fit Jeans', 59.0],
    ['Merino Wool Sweater', 89.0],
    ['Leather Belt', 35.0],
    ['Rain Jacket', 129.0],
    ['Canvas Sneakers', 54.99],
    ['Silk Scarf', 45.0],
    ['Wool Socks 3-Pack', 18.0],
  ],
  Beauty: [
    ['Vitamin C Serum', 28.0],
    ['Hydrating Face Cream', 34.5],
    ['SPF 50 Sunscreen', 17.99],
    ['Argan Hair Oil', 21.0],
    ['Matte Lipstick', 14.0],
    ['Bamboo Toothbrush 4-Pack', 9.99],
    ['Eau de Parfum 50ml', 72.0],
    ['Clay Face Mask', 12.5],
  ],
  Sports: [
    ['Yoga Mat', 32.0],
    ['Adjustable Dumbbells', 149.0],
    ['Running Shoes', 119.99],
    ['Insulated Water Bottle', 24.99],
    ['Resistance Bands Set', 19.5],
    ['Cycling Helmet', 64.0],
    ['Tennis Balls 4-Pack', 8.99],
    ['Fitness Tracker', 79.0],
  ],
  Toys: [
    ['Building Blocks 500pc', 39.99],
    ['Wooden Train Set', 54.0],
    ['Plush Bear', 18.5],
    ['Jigsaw Puzzle 1000pc', 16.99],
    ['Remote Control Car', 44.99],
    ['Board Game: Island Traders', 34.0],
    ['Art & Craft Kit', 21.99],
    ["Kids' Science Kit", 29.5],
  ],
  Grocery: [
    ['Single-Origin Coffee Beans 1kg', 26.0],
    ['Extra Virgin Olive Oil 1L', 15.49],
    ['Matcha Green Tea', 19.0],
    ['Dark Chocolate Bar', 3.99],
    ['Mixed Nuts 500g', 11.49],
    ['Organic Honey', 9.5],
    ['Basmati Rice 2kg', 7.99],
    ['Sparkling Water 12-Pack', 6.49],
  ],
};

export const CATALOGUE: readonly Product[] = CATEGORIES.flatMap((category) =>
  PRODUCTS_BY_CATEGORY[category].map(([name, price]) => ({ name, price, category })),
).map((p, i) => ({ id: `sku-${String(i + 1).padStart(3, '0')}`, ...p }));

/** Each category's products, cheapest first, so price tastes can take a half of the list. */
const byCategory = new Map<Category, readonly Product[]>(
  CATEGORIES.map((c) => [c, CATALOGUE.filter((p) => p.category === c).sort((a, b) => a.price - b.price)]),
);

type PriceTaste = 'cheap' | 'any' | 'premium';

const pickProduct = (rng: Rng, taste: readonly number[], price: PriceTaste): Product => {
  const products = byCategory.get(pickWeighted(rng, CATEGORIES, taste)) ?? CATALOGUE;
  const half = Math.ceil(products.length / 2);
  // Tastes are leanings, not rules: a bargain hunter still buys the odd dear thing.
  if (price === 'cheap' && chance(rng, 0.85)) return pick(rng, products.slice(0, half));
  if (price === 'premium' && chance(rng, 0.6)) return pick(rng, products.slice(half));
  return pick(rng, products);
};

// ---------------------------------------------------------------------------------------------
// Personas

export const PERSONA_MIX: Readonly<Record<Persona, number>> = {
  champion: 0.1,
  loyal_regular: 0.15,
  bargain_hunter: 0.15,
  window_shopper: 0.2,
  lapsed: 0.15,
  new_buyer: 0.1,
  one_time: 0.15,
};

interface PersonaStyle {
  /** Weight of each entry of CATEGORIES. */
  readonly taste: readonly number[];
  /** Distinct products in a basket, min and max. */
  readonly lines: readonly [number, number];
  readonly maxQuantity: number;
  readonly price: PriceTaste;
  /** Chance that an order uses a coupon. */
  readonly coupon: number;
  /** Chance that a visit ends a product in the wishlist. */
  readonly wishlist: number;
}

const STYLES: Readonly<Record<Persona, PersonaStyle>> = {
  // taste order: Electronics, Books, Home & Kitchen, Fashion, Beauty, Sports, Toys, Grocery.
  champion: {
    taste: [3, 1, 3, 2, 2, 2, 1, 2],
    lines: [2, 4],
    maxQuantity: 3,
    price: 'premium',
    coupon: 0.05,
    wishlist: 0.2,
  },
  loyal_regular: {
    taste: [1, 2, 2, 1, 2, 1, 1, 4],
    lines: [1, 3],
    maxQuantity: 2,
    price: 'any',
    coupon: 0.05,
    wishlist: 0.1,
  },
  bargain_hunter: {
    taste: [2, 1, 2, 3, 2, 1, 2, 2],
    lines: [1, 3],
    maxQuantity: 2,
    price: 'cheap',
    coupon: 0.85,
    wishlist: 0.35,
  },
  window_shopper: {
    taste: [4, 1, 2, 4, 2, 2, 1, 0.5],
    lines: [1, 3],
    maxQuantity: 1,
    price: 'premium',
    coupon: 0.1,
    wishlist: 0.4,
  },
  lapsed: {
    taste: [2, 2, 2, 2, 2, 2, 2, 1],
    lines: [1, 3],
    maxQuantity: 2,
    price: 'any',
    coupon: 0.1,
    wishlist: 0.1,
  },
  new_buyer: {
    taste: [2, 1, 2, 2, 3, 2, 1, 1],
    lines: [1, 2],
    maxQuantity: 2,
    price: 'any',
    coupon: 0.3,
    wishlist: 0.15,
  },
  one_time: {
    taste: [2, 2, 2, 1, 1, 1, 3, 1],
    lines: [1, 2],
    maxQuantity: 1,
    price: 'any',
    coupon: 0.15,
    wishlist: 0.05,
  },
};

/** Exact quotas by largest remainder, so 300 shoppers give exactly the intended mix. */
const personaQuotas = (shoppers: number): Persona[] => {
  const entries = Object.entries(PERSONA_MIX) as [Persona, number][];
  const counts = entries.map(([persona, share]) => ({
    persona,
    exact: share * shoppers,
    n: Math.floor(share * shoppers),
  }));
  let left = shoppers - counts.reduce((sum, c) => sum + c.n, 0);
  for (const c of [...counts].sort((a, b) => b.exact - b.n - (a.exact - a.n))) {
    if (left-- <= 0) break;
    c.n++;
  }
  return counts.flatMap((c) => Array.from({ length: c.n }, () => c.persona));
};

/** Shuffled so that user ids do not give the persona away. */
const assignPersonas = (rng: Rng, shoppers: number): Persona[] => {
  const personas = personaQuotas(shoppers);
  for (let i = personas.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [personas[i], personas[j]] = [personas[j] as Persona, personas[i] as Persona];
  }
  return personas;
};

// ---------------------------------------------------------------------------------------------
// Plans: when each shopper visits, in days before `end`

type Intent = 'buy' | 'abandon' | 'browse';

interface Visit {
  /** Days before the end of the span. */
  readonly ago: number;
  readonly intent: Intent;
}

interface Span {
  readonly days: number;
  /** New buyers are first seen within this many days. */
  readonly recent: number;
  /** Lapsed shoppers have not been seen for at least this many days. */
  readonly quiet: number;
}

/** Sessions start at least this long before `end`, so a whole session fits in the span. */
const MIN_AGO = 0.1;
/** Visits closer than this would interleave their funnels. */
const MIN_GAP = 0.1;

const clampAgo = (span: Span, ago: number): number => Math.min(Math.max(ago, MIN_AGO), span.days - 0.02);

/** Visits from `from` days ago towards the end, one every minGap..maxGap days. */
const every = (rng: Rng, from: number, minGap: number, maxGap: number, intent: Intent): Visit[] => {
  const visits: Visit[] = [];
  for (let ago = from; ago >= MIN_AGO; ago -= uniform(rng, minGap, maxGap)) visits.push({ ago, intent });
  return visits;
};

const scatter = (rng: Rng, count: number, from: number, to: number, intent: () => Intent): Visit[] =>
  Array.from({ length: count }, () => ({ ago: uniform(rng, to, from), intent: intent() }));

type Planner = (rng: Rng, span: Span) => Visit[];

const PLANS: Readonly<Record<Persona, Planner>> = {
  // Joined a good while ago and still orders every one to three weeks, so the last order is recent.
  champion: (rng, { days }) => {
    const first = uniform(rng, 0.55 * days, days);
    return [
      { ago: first, intent: 'browse' },
      ...every(rng, first - uniform(rng, 0.5, 4), 7, 21, 'buy'),
      ...scatter(rng, int(rng, 2, 5), first, MIN_AGO, () => 'browse'),
    ];
  },
  loyal_regular: (rng, { days }) => {
    const first = uniform(rng, 0.5 * days, days);
    return [
      { ago: first, intent: 'browse' },
      ...every(rng, first - uniform(rng, 1, 10), 26, 34, 'buy'),
      ...scatter(rng, int(rng, 2, 5), first, MIN_AGO, () => 'browse'),
    ];
  },
  // Waits for deals: buys every few weeks, and fills carts it leaves until a coupon turns up.
  bargain_hunter: (rng, { days }) => {
    const first = uniform(rng, 0.35 * days, days);
    return [
      { ago: first, intent: 'browse' },
      ...every(rng, first - uniform(rng, 1, 7), 18, 45, 'buy'),
      ...scatter(rng, int(rng, 3, 7), first, MIN_AGO, () => (chance(rng, 0.4) ? 'abandon' : 'browse')),
    ];
  },
  window_shopper: (rng, { days }) => {
    const first = uniform(rng, 0.1 * days, days);
    const visits: Visit[] = [
      { ago: first, intent: 'browse' },
      ...scatter(rng, int(rng, 8, 16), first, MIN_AGO, () => (chance(rng, 0.65) ? 'abandon' : 'browse')),
    ];
    if (chance(rng, 0.1)) visits.push({ ago: uniform(rng, MIN_AGO, first), intent: 'buy' });
    return visits;
  },
  // Several orders early in the span, then silence.
  lapsed: (rng, { days, quiet }) => {
    const last = Math.min(quiet + uniform(rng, 5, 45), 0.7 * days);
    const first = uniform(rng, (last + days) / 2, days);
    const orders = int(rng, 3, 6);
    const stride = (first - last) / orders;
    return [
      { ago: first, intent: 'browse' },
      ...Array.from(
        { length: orders },
        (_, k): Visit => ({ ago: last + stride * (k + uniform(rng, 0.1, 0.9)), intent: 'buy' }),
      ),
      ...scatter(rng, int(rng, 0, 3), first, last, () => 'browse'),
    ];
  },
  new_buyer: (rng, { recent }) => {
    const first = uniform(rng, Math.min(1, recent / 2), recent - 0.5);
    const browsedFirst = chance(rng, 0.4);
    const firstOrder = browsedFirst ? first - uniform(rng, 0.2, 3) : first;
    const visits: Visit[] = [{ ago: firstOrder, intent: 'buy' }];
    if (browsedFirst) visits.push({ ago: first, intent: 'browse' });
    if (chance(rng, 0.4) && firstOrder - 1 > MIN_AGO)
      visits.push({ ago: uniform(rng, MIN_AGO, firstOrder - 1), intent: 'buy' });
    return visits;
  },
  // One order some time ago; may have come back to look, never to buy.
  one_time: (rng, { days }) => {
    const first = uniform(rng, Math.min(60, 0.3 * days), days);
    const browsedFirst = chance(rng, 0.5);
    const order = browsedFirst ? first - uniform(rng, 0.2, 3) : first;
    return [
      ...(browsedFirst ? [{ ago: first, intent: 'browse' as const }] : []),
      { ago: order, intent: 'buy' },
      ...scatter(rng, int(rng, 0, 2), order, MIN_AGO, () => 'browse'),
    ];
  },
};

/** Keeps every purchase, drops other visits too close to a kept one, and sorts oldest first. */
const schedule = (span: Span, visits: readonly Visit[]): Visit[] => {
  const clamped = visits.map((v) => ({ ...v, ago: clampAgo(span, v.ago) }));
  const kept = clamped.filter((v) => v.intent === 'buy');
  for (const v of clamped) {
    if (v.intent !== 'buy' && kept.every((k) => Math.abs(k.ago - v.ago) >= MIN_GAP)) kept.push(v);
  }
  return kept.sort((a, b) => b.ago - a.ago);
};

// ---------------------------------------------------------------------------------------------
// Sessions: a visit as the funnel of Segment calls a shop front-end sends

const DAY_MS = 86_400_000;
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

interface Draft {
  readonly ms: number;
  readonly message: Omit<SegmentMessage, 'messageId'>;
}

interface ShopperContext {
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

const emitIdentify = (ctx: ShopperContext, ms: number) =>
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
 * intent goes. Calls are 15 s to 2.5 min apart, so a session lasts well under MIN_AGO.
 */
const runSession = (ctx: ShopperContext, startMs: number, intent: Intent) => {
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

// ---------------------------------------------------------------------------------------------
// The generator

const shopperTaste = (rng: Rng, style: PersonaStyle): number[] => {
  const favourite = pickWeighted(rng, CATEGORIES, style.taste);
  return CATEGORIES.map((c, i) => (style.taste[i] ?? 0) * (c === favourite ? 3 : 1));
};

const simulateShopper = (base: Omit<ShopperContext, 'taste' | 'counters'>, persona: Persona, span: Span) => {
  const taste = shopperTaste(base.rng, base.style);
  const ctx: ShopperContext = { ...base, taste, counters: { orders: 0, carts: 0 } };
  const visits = schedule(span, PLANS[persona](base.rng, span));
  // Whole seconds, floored, so a visit never moves past `end` or before the span's start.
  const at = (ago: number) => Math.floor((base.endMs - ago * DAY_MS) / 1000) * 1000;
  const first = visits[0];
  if (first) emitIdentify(ctx, at(first.ago));
  for (const visit of visits) runSession(ctx, at(visit.ago), visit.intent);
};

const validate = (options: DemoOptions) => {
  const { seed = 42, shoppers = 300, days = 365, end } = options;
  if (!(end instanceof Date) || Number.isNaN(end.getTime())) throw new RangeError('end must be a valid Date');
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  if (!Number.isInteger(shoppers) || shoppers < 0)
    throw new RangeError('shoppers must be a non-negative integer');
  if (!Number.isFinite(days) || days < 1) throw new RangeError('days must be at least 1');
  return { seed, shoppers, days, endMs: end.getTime() };
};

export const demoTraffic = (
  options: DemoOptions,
): { shoppers: DemoShopper[]; messages: SegmentMessage[] } => {
  const { seed, shoppers: count, days, endMs } = validate(options);
  const span: Span = { days, recent: Math.min(30, days), quiet: Math.min(180, days / 2) };
  const personas = assignPersonas(mulberry32(seed), count);
  const drafts: Draft[][] = [];
  const shoppers = personas.map((persona, i): DemoShopper => {
    const number = String(i + 1).padStart(4, '0');
    const userId = `demo-user-${number}`;
    const out: Draft[] = [];
    // A stream per shopper: one persona's rules can change without reshuffling everyone else.
    const rng = mulberry32(mixSeed(seed, i));
    simulateShopper({ rng, seed, userId, number, endMs, style: STYLES[persona], out }, persona, span);
    drafts.push(out);
    return { userId, persona };
  });
  // Sorted by time. The sort is stable, so ties keep shopper then emission order and an
  // identify stays ahead of the page call of the same instant.
  const ordered = drafts.flat().sort((a, b) => a.ms - b.ms);
  const messages = ordered.map(({ message }, n): SegmentMessage => {
    const { type, userId, timestamp, ...rest } = message;
    return { type, messageId: `demo-${seed}-${String(n + 1).padStart(6, '0')}`, userId, timestamp, ...rest };
  });
  return { shoppers, messages };
};
