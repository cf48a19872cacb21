/** The lift report (GET /v1/segments/{segmentId}/lift): a policy version's treatment against its holdout. */
import * as z from 'zod';
import { amount, count, dateTime, fraction, MarketingPolicy, text } from './common-schemas';

export const LiftVerdict = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('significant'),
      direction: z.enum(['positive', 'negative']).describe('Better (positive) or worse than the holdout.'),
    }),
    z.strictObject({
      kind: z.literal('not_yet'),
      neededPerGroup: count(
        'About this many shoppers per group would detect the observed difference at 80% power (two-sided, 5%); at least 30 before any verdict.',
      ),
    }),
    z.strictObject({ kind: z.literal('inconclusive'), reason: text() }),
  ])
  .describe('Significant at 5% (two-sided), not yet (with the sample still needed), or inconclusive.');

const interval = (description: string) => z.tuple([z.number(), z.number()]).describe(description);

export const LiftComparison = z
  .strictObject({
    treatment: amount("The treatment group's value."),
    holdout: amount("The holdout group's value."),
    difference: amount('Treatment minus holdout.'),
    interval: interval("The difference's 95% interval."),
    relativeLift: z.number().nullable().describe('Difference over the holdout value; null when that is 0.'),
    relativeInterval: interval("The relative lift's 95% interval.")
      .nullable()
      .describe("The relative lift's 95% interval; null when it is not defined (no conversions in a group)."),
    pValue: fraction('Fixed-sample p-value (two-sided): valid for one look at the report.'),
    verdict: LiftVerdict,
    sequentialPValue: fraction(
      'Always-valid p-value (mixture sequential probability ratio test, effects scaled to ±20% of the groups’ average): stays valid however often the version is checked. It is what flags an underperforming policy at each retrain.',
    ),
  })
  .describe(
    'Conversion: two-proportion z-test, unpooled (Wald) interval, relative lift from the log risk ratio. Per-shopper amounts: Welch t-test and interval.',
  );

export const LiftGroup = z.strictObject({
  shoppers: count('Shoppers first looked up under the version in this group (or in the sample of them).'),
  converted: count('Of them, shoppers with at least one order from exposure to the end of the window.'),
  conversionRate: fraction().nullable(),
  ordersPerShopper: z.number().min(0).nullable(),
  revenuePerShopper: amount(
    "Net of refunds and cancellations, in the report's currency, over the shoppers whose amounts are in it.",
  ).nullable(),
});

export const VersionLift = z.strictObject({
  version: text('The policy version (PUT /v1/segments/{segmentId}/policy answers it).'),
  policy: MarketingPolicy.nullable().describe(
    "The version's policy; null for the default (an override was removed).",
  ),
  holdoutShare: fraction(),
  window: z
    .strictObject({
      from: dateTime(),
      to: dateTime('When the next version started, or now while this one is in force.'),
      active: z.boolean(),
    })
    .describe('When the version was in force: outcomes are counted from each exposure to `to`.'),
  sampled: z
    .boolean()
    .describe(
      'True when more shoppers were exposed than the report reads: the figures are a uniform sample.',
    ),
  groups: z
    .strictObject({ treatment: LiftGroup, holdout: LiftGroup })
    .nullable()
    .describe('Null without a holdout.'),
  conversion: LiftComparison.nullable(),
  ordersPerShopper: LiftComparison.nullable(),
  revenuePerShopper: LiftComparison.nullable(),
  verdict: LiftVerdict.describe("The verdict on conversion, the report's primary metric."),
  underperforming: z
    .boolean()
    .describe(
      'Conversion or revenue per shopper below the holdout by the always-valid test (`sequentialPValue` < 0.05, at least 30 shoppers per group). Nothing is switched off.',
    ),
});

export const SegmentLift = z
  .strictObject({
    segmentId: text(),
    segmentName: text(),
    currency: text("Revenue figures' currency: the model's."),
    asOf: dateTime(),
    sampleLimit: count('At most this many exposed shoppers are read per version.'),
    versions: z
      .array(VersionLift)
      .describe("The segment's newest policy versions (at most 10), newest first."),
  })
  .describe(
    "Does the segment's policy pay? Per policy version: the shoppers first looked up under it, treatment against holdout.",
  );
