/** The segment catalogue, policy answers and members pages (GET /v1/segments…, PUT|DELETE …/policy). */
import * as z from 'zod';
import { count, dateTime, FeatureValues, fraction, MarketingPolicy, text } from './common-schemas';
import { SegmentForecast } from './lookup-schemas';

/** `limit`: whole numbers 1–1000, default 100, as functions/read-api.ts parses it. */
export const limitQuery = z.int().min(1).max(1000).default(100);
/** `cursor`: what functions/read-api.ts and listSegmentMembers accept (an opaque, non-empty string). */
export const cursorQuery = z.string().min(1);

export const SegmentSummary = z.strictObject({
  id: text('Stable across retrains; `prospects` for the rule-based segment of shoppers with no order.'),
  name: text(),
  description: text(),
  size: count(
    "Shoppers in the segment: every shopper of the model's snapshot as its reassignment scored them (until that completes, the training sample's count scaled to the population).",
  ),
  share: fraction('Share of all shoppers of the snapshot, prospects included.'),
  centroid: FeatureValues,
  rules: z.array(z.string()),
  policy: MarketingPolicy,
  policySource: z.enum(['default', 'override']),
  forecast: SegmentForecast.nullable(),
});

export const SegmentCatalogue = z
  .strictObject({
    modelVersion: text(),
    asOf: dateTime('The date the model was trained as of.'),
    segments: z.array(SegmentSummary).describe('Clusters, then prospects.'),
  })
  .describe("The current model's segments.");

export const SegmentPolicyOverride = z
  .strictObject({
    segmentId: text(),
    segmentName: text(),
    policy: MarketingPolicy,
    source: z.literal('override'),
    updatedAt: dateTime(),
  })
  .describe("The segment's policy is now the operator's.");

export const SegmentPolicyDefault = z
  .strictObject({
    segmentId: text(),
    segmentName: text(),
    policy: MarketingPolicy,
    source: z.literal('default'),
  })
  .describe("The segment's policy is back to the default for its name.");

export const SegmentMember = z.strictObject({
  shopperId: text(),
  since: dateTime(),
  modelVersion: text('The model that placed the shopper.'),
});

export const SegmentMembersPage = z
  .strictObject({
    segmentId: text(),
    segmentName: text(),
    modelVersion: text('The current model.'),
    members: z.array(SegmentMember).max(1000),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
  })
  .describe('One page of the shoppers in a segment, in shopper id order.');

/** The same page as CSV (shared/http/members-csv.ts). */
export const SegmentMembersCsv = z
  .string()
  .regex(/^shopperId,since,modelVersion(?:\r?\n|$)/)
  .describe('Header line `shopperId,since,modelVersion`, then one line per shopper.');
