/**
 * What PUT /v1/segments/{segmentId}/policy accepts: a complete marketing policy, nothing unknown.
 * The descriptions and examples are the API reference: /openapi.json is generated from this schema.
 */
import * as z from 'zod';
import { MAX_HOLDOUT_SHARE } from '#shared/activation/domain/holdout';
import type { MarketingPolicy } from '#shared/activation/domain/marketing-policy';
import { badRequest } from './errors';

export const couponSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('percent'),
      value: z
        .number()
        .gt(0, { error: 'a percent coupon needs a value above 0' })
        .max(100, { error: 'a percent coupon is at most 100' }),
    }),
    z.strictObject({
      kind: z.literal('amount'),
      value: z
        .number()
        .gt(0, { error: 'an amount coupon needs a value above 0' })
        .max(1_000_000, { error: 'an amount coupon is at most 1000000' }),
    }),
    z.strictObject({
      kind: z.literal('free_shipping'),
      value: z.literal(0, { error: 'a free_shipping coupon has value 0 (or none)' }).default(0),
    }),
  ])
  .describe(
    'An offer: percent off (above 0, at most 100), an amount off in the shop currency (above 0), or free shipping (value 0, which a request may leave out).',
  );

export const marketingPolicySchema = z.strictObject({
  action: z
    .string()
    .min(1, { error: 'action must not be empty' })
    .max(64, { error: 'action is at most 64 characters' })
    .meta({ examples: ['win_back'] }),
  channel: z.enum(['email', 'sms', 'push', 'ads', 'onsite', 'none']),
  coupon: couponSchema.nullable().describe('The offer to make, or null for none.'),
  message: z.string().max(500, { error: 'message is at most 500 characters' }),
  priority: z
    .int()
    .min(1, { error: 'priority is 1 (act first) to 9' })
    .max(9, { error: 'priority is 1 (act first) to 9' })
    .describe('1 = act first.'),
  holdout: z
    .strictObject({
      share: z
        .number()
        .min(0, { error: `holdout.share is 0 (off) to ${MAX_HOLDOUT_SHARE}` })
        .max(MAX_HOLDOUT_SHARE, { error: `holdout.share is 0 (off) to ${MAX_HOLDOUT_SHARE}` })
        .meta({ examples: [0.1] }),
    })
    .optional()
    .describe(
      "Leave this share of the segment untreated to measure the policy (GET /v1/segments/{segmentId}/lift). A shopper's group is drawn from their id and the policy version, so it stays fixed while the version is in force; every PUT starts a new version.",
    ),
});

/** Validates a decoded body; the 400 names the first offending field (e.g. `coupon.value`). */
export const parseMarketingPolicy = (body: unknown): MarketingPolicy => {
  const parsed = marketingPolicySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const keys = issue && 'keys' in issue && Array.isArray(issue.keys) ? (issue.keys as string[]) : [];
  const path = [...(issue?.path ?? []), ...keys.slice(0, 1)].map(String).join('.');
  const field = path === '' ? 'body' : path;
  throw badRequest(`${field}: ${issue?.message ?? 'invalid'}`, field);
};
