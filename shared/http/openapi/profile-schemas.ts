/** A shopper's live profile (GET /v1/users/{userId}/profile) and what an erase removed. */
import * as z from 'zod';
import {
  CATEGORY_CAP,
  MERGED_CAP,
  PURCHASE_HISTORY_CAP,
  PURCHASED_CAP,
  RECENT_CAP,
} from '#shared/ingestion/domain/profile';
import { amount, count, dateTime, nullableDateTime, text } from './common-schemas';

const CURRENCY = /^[A-Z]{3}$/;

export const WindowFigures = z
  .strictObject({
    days: z.literal([30, 90, 365]),
    orders: count(),
    revenue: amount(),
    units: count(),
    refundAmount: amount(),
    productViews: count(),
    cartAdds: count(),
    activeDays: count(),
  })
  .describe('Figures over the last N UTC days, counting the as-of day itself.');

export const CategoryAffinity = z.strictObject({
  name: text(),
  views: count(),
  cartAdds: count(),
  orders: count(),
  units: count(),
  revenue: amount(),
});

export const RecentPurchase = z.strictObject({
  productId: text(),
  at: dateTime(),
  category: text().optional(),
});

const day = (description: string) => z.string().meta({ format: 'date', description });

export const PurchasedItem = z
  .strictObject({
    productId: text(),
    orders: count('Orders that included it.'),
    first: day('First day (UTC) an order included it.'),
    last: day('Last day (UTC) an order included it.'),
  })
  .describe('One product the shopper bought, as buy-again ranking reads it.');

export const ForeignCurrencyTotals = z.strictObject({
  orders: count(),
  revenue: amount(),
  refundAmount: amount(),
});

export const SegmentStamp = z
  .strictObject({
    id: text(),
    name: text(),
    since: dateTime(),
    modelVersion: text(),
    modelSequence: count(
      "The stamping model's place in promotion order: no earlier model replaces the stamp (absent on older stamps).",
    ).optional(),
  })
  .describe("The shopper's segment as last recorded (by a retrain or a live re-score).");

export const KeptTraits = z
  .object({
    signedUpAt: dateTime().optional(),
    country: z.string().max(56).optional(),
    hasEmail: z.boolean().optional(),
  })
  .catchall(z.unknown())
  .describe('Identify traits kept as derived facts; other traits are never stored.');

export const Profile = z
  .strictObject({
    shopperId: text(),
    segment: SegmentStamp.optional(),
    anonymous: z.boolean().describe('Keyed by `anonymousId` (no `userId` seen).'),
    firstSeen: dateTime(),
    lastSeen: dateTime(),
    firstOrderAt: nullableDateTime(),
    lastOrderAt: nullableDateTime(),
    currency: z
      .string()
      .regex(CURRENCY)
      .nullable()
      .describe("Currency of `revenue`: that of the shopper's first priced order."),
    orders: count(),
    revenue: amount(),
    refunds: count(),
    refundAmount: amount(),
    cancellations: count(),
    orderUpdates: count(),
    units: count(),
    productViews: count(),
    listViews: count(),
    cartAdds: count(),
    cartRemoves: count(),
    cartViews: count(),
    checkoutsStarted: count(),
    wishlistAdds: count(),
    couponsApplied: count(),
    ordersWithCoupon: count(),
    discountTotal: amount(),
    pageViews: count(),
    otherEvents: count(),
    duplicateOrders: count('Orders whose order id had already been counted under another messageId.'),
    otherCurrencies: z
      .record(z.string().regex(CURRENCY), ForeignCurrencyTotals)
      .describe('Amounts in currencies other than `currency`, by currency: never summed into revenue.'),
    categories: z.array(CategoryAffinity).max(CATEGORY_CAP),
    recentPurchases: z.array(RecentPurchase).max(RECENT_CAP),
    purchasedProducts: z
      .array(z.string())
      .max(PURCHASED_CAP)
      .describe(`Distinct product ids bought (the first ${PURCHASED_CAP}).`),
    purchaseHistory: z
      .array(PurchasedItem)
      .max(PURCHASE_HISTORY_CAP)
      .describe(
        `Per product: orders, first and last day; the ${PURCHASE_HISTORY_CAP} most recently bought (then most often), newest first. Absent in a profile not updated since it was introduced.`,
      )
      .optional(),
    traits: KeptTraits,
    merged: z
      .array(z.string())
      .max(MERGED_CAP)
      .describe(
        `Ids folded into this shopper by identity stitching (anonymous ids that logged in as this shopper, alias \`previousId\`s), oldest first; at most ${MERGED_CAP}. Absent until the first link.`,
      )
      .optional(),
    asOf: dateTime('The time the figures are computed for.'),
    netRevenue: amount('Revenue less refunds.'),
    averageOrderValue: z
      .number()
      .nullable()
      .describe('Revenue per order priced in `currency`; null before the first such order.'),
    activeDays: count('Days with any event, ever.'),
    distinctProducts: count(),
    windows: z.strictObject({
      last30Days: WindowFigures,
      last90Days: WindowFigures,
      last365Days: WindowFigures,
    }),
  })
  .describe(
    "A shopper's live profile: lifetime counters and windowed figures, as of the service clock's now. Amounts are in `currency`.",
  );

export const EraseResult = z
  .strictObject({
    shopperId: text(),
    erased: z.strictObject({
      profile: z.boolean().describe('Whether a profile existed and was deleted.'),
      events: count('Raw event ledger items deleted (normalised events and order markers).'),
      history: count('Segment-change history entries deleted.'),
      linkedIds: count(
        'Ids folded into the shopper by identity stitching, erased with it (their links, events and history).',
      ),
    }),
  })
  .describe(
    'What the erase removed. Zero counts and `profile: false` when nothing of the shopper was held (also on a repeated erase).',
  );
