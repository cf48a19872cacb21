/** The segment lookup (GET /v1/users/{userId}/segment), its query parameters, and the history. */
import * as z from 'zod';
import {
  amount,
  count,
  dateTime,
  FeatureName,
  fraction,
  MarketingPolicy,
  SegmentRef,
  text,
} from './common-schemas';

/**
 * `recommendations` and `buyAgain`: whole numbers 0–50, as functions/read-api.ts parses them
 * (`intParam(query, name, 0, 50)`; the test checks the two agree on valid and invalid values).
 */
export const listSizeQuery = z.int().min(0).max(50);

const nullableNumber = (schema: z.ZodNumber, description: string) => schema.nullable().describe(description);

export const CustomerForecast = z
  .strictObject({
    pAlive: nullableNumber(
      z.number().min(0).max(1),
      'Probability the shopper is still an active customer (BG/NBD). 1 for a shopper with a single order: the model assumes a customer can only lapse after a repeat purchase.',
    ),
    expectedOrders: nullableNumber(
      z.number().min(0),
      'Expected purchase days in the next `horizonDays` (BG/NBD).',
    ),
    horizonDays: count(),
    predictedValue: nullableNumber(
      z.number().min(0),
      'Expected spend over the next `valueMonths`: expected orders × the Gamma-Gamma expected order value, in `currency`.',
    ),
    valueMonths: amount(),
    currency: text(),
    outlook: z
      .string()
      .nullable()
      .describe('`likely to lapse` (P(alive) < 0.5), `high predicted value` (top 20%), both, or null.'),
    reason: z
      .string()
      .nullable()
      .describe('Why a figure is null (no order yet, too few repeat buyers to fit, ...); null when none is.'),
    note: z
      .string()
      .nullable()
      .describe(
        'What to know about the figures when the model is a boundary fit, e.g. the shop shows no drop-out yet, so P(alive) is 1 for everyone by construction (`clv.model.boundary` in the model); null otherwise.',
      ),
  })
  .describe(
    "The shopper's predicted customer value. Never NaN: a figure the models cannot give is null, with the reason.",
  );

export const SegmentForecast = z
  .strictObject({
    pAlive: fraction('Mean P(alive) of the segment’s buyers.'),
    expectedOrders: amount('Mean expected orders over the horizon (90 days by default).'),
    predictedValue: z.number().nullable().describe('Mean predicted value over 12 months (by default).'),
  })
  .describe("The segment's mean customer value forecast at training (a seeded sample of its buyers).");

export const Recommendation = z.strictObject({
  productId: text(),
  score: amount(),
  reason: text('Why, for a person ("Bought by 32% of Champions").'),
  source: z
    .enum(['co-purchase', 'segment', 'global', 'buy-again'])
    .describe(
      '`co-purchase`: bought with your products; `segment`: popular in your segment; `global`: popular with all shoppers; `buy-again`: your own product.',
    ),
  category: text().optional(),
});

export const FeatureExplanation = z.strictObject({
  feature: FeatureName,
  value: amount("The shopper's value, in real units."),
  typical: z.number().nullable().describe("The segment centroid's value, in the same units."),
});

const recommendationList = (description: string) =>
  z.array(Recommendation).max(50).describe(description).optional();

export const SegmentLookup = z
  .strictObject({
    shopperId: text(),
    segment: z.strictObject({ id: text(), name: text(), description: text(), rules: z.array(z.string()) }),
    since: dateTime('Since when the shopper is in this segment.'),
    distance: z
      .number()
      .min(0)
      .nullable()
      .describe("Distance to the segment's centroid in the scaled feature space; null for prospects."),
    confidence: fraction('How much nearer this centroid is than the next one.'),
    modelVersion: text(),
    asOf: dateTime(),
    changed: z.boolean().describe('Whether this lookup found and recorded a segment change.'),
    features: z.array(FeatureExplanation),
    policy: MarketingPolicy.describe(
      'What to do: the segment\'s policy, or no action (`action` "none") for a shopper its holdout leaves out.',
    ),
    group: z
      .enum(['treatment', 'holdout'])
      .describe(
        "`holdout`: do nothing for this shopper, so the policy's lift can be measured (GET /v1/segments/{segmentId}/lift). Drawn from the shopper id and the policy version. `treatment` when the policy has no holdout.",
      ),
    policyVersion: text("The operator's policy version in force; null for the default policy.").nullable(),
    predictions: CustomerForecast,
    recommendations: recommendationList('Present only when `recommendations` is asked for.'),
    buyAgain: recommendationList('Present only when `buyAgain` is asked for.'),
  })
  .describe(
    "The shopper's segment scored from the live profile against the current model, why, since when, and what to do.",
  );

export const SegmentChange = z
  .strictObject({
    shopperId: text(),
    from: SegmentRef.nullable().describe('Null for the first placement.'),
    to: SegmentRef,
    at: dateTime(),
    reason: z
      .enum(['retrain', 'behaviour'])
      .describe('A retrain reassigned the shopper, or their own behaviour moved them.'),
    modelVersion: text(),
  })
  .describe('One segment change (also published as a "Segment Changed" event).');

export const SegmentHistory = z.strictObject({
  shopperId: text(),
  changes: z.array(SegmentChange).describe('Oldest first.'),
});
