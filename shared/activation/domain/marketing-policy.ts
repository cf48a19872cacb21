/**
 * What to do about a segment: the default marketing policy for each RFM name. Operators can
 * override it per segment id (which is stable across retrains, so an override follows it).
 */
export interface MarketingPolicy {
  readonly action: string;
  readonly channel: 'email' | 'sms' | 'push' | 'ads' | 'onsite' | 'none';
  readonly coupon: { readonly kind: 'percent' | 'amount' | 'free_shipping'; readonly value: number } | null;
  readonly message: string;
  /** 1 = act first. */
  readonly priority: number;
  /**
   * The share of the segment's shoppers this policy version leaves untreated, to measure what it
   * does (holdout.ts, docs/lift.md). Absent or 0: everyone is treated.
   */
  readonly holdout?: { readonly share: number };
}

const policy = (p: MarketingPolicy) => p;

export const DEFAULT_POLICIES: Record<string, MarketingPolicy> = {
  Champions: policy({
    action: 'reward',
    channel: 'email',
    coupon: null,
    message: 'Early access and loyalty rewards; ask for reviews.',
    priority: 3,
  }),
  Loyal: policy({
    action: 'upsell',
    channel: 'email',
    coupon: null,
    message: 'Recommend higher-value products; invite to the loyalty programme.',
    priority: 4,
  }),
  'Potential loyalists': policy({
    action: 'nurture',
    channel: 'email',
    coupon: { kind: 'free_shipping', value: 0 },
    message: 'Membership offer and personalised picks.',
    priority: 4,
  }),
  New: policy({
    action: 'onboard',
    channel: 'email',
    coupon: { kind: 'percent', value: 10 },
    message: 'Welcome series; 10% off the second order.',
    priority: 3,
  }),
  Promising: policy({
    action: 'engage',
    channel: 'onsite',
    coupon: { kind: 'percent', value: 5 },
    message: 'Build the habit with small offers.',
    priority: 5,
  }),
  'Need attention': policy({
    action: 'reactivate',
    channel: 'email',
    coupon: { kind: 'percent', value: 10 },
    message: 'Limited-time offer on categories they like.',
    priority: 3,
  }),
  'About to sleep': policy({
    action: 'reactivate',
    channel: 'email',
    coupon: { kind: 'percent', value: 15 },
    message: 'Share popular products and a discount before they lapse.',
    priority: 2,
  }),
  'At risk': policy({
    action: 'win_back',
    channel: 'email',
    coupon: { kind: 'percent', value: 20 },
    message: 'Personal win-back message with a strong offer.',
    priority: 1,
  }),
  "Can't lose": policy({
    action: 'win_back',
    channel: 'sms',
    coupon: { kind: 'percent', value: 25 },
    message: 'Reach out personally; best offer; ask what went wrong.',
    priority: 1,
  }),
  Hibernating: policy({
    action: 'reactivate',
    channel: 'ads',
    coupon: { kind: 'percent', value: 15 },
    message: 'Retarget with relevant products; low spend.',
    priority: 5,
  }),
  Lost: policy({
    action: 'suppress',
    channel: 'ads',
    coupon: null,
    message: 'Low-cost retargeting only; exclude from expensive campaigns.',
    priority: 6,
  }),
  Prospects: policy({
    action: 'convert',
    channel: 'onsite',
    coupon: { kind: 'percent', value: 10 },
    message: 'First-order offer on the products they viewed.',
    priority: 4,
  }),
};

/** No action: for segments without a policy, and what a holdout shopper gets. */
export const NO_ACTION: MarketingPolicy = {
  action: 'none',
  channel: 'none',
  coupon: null,
  message: '',
  priority: 9,
};

/** The override for the segment id, else the default for its name (a suffixed name such as "Loyal (2)" uses "Loyal"). */
export const policyFor = (
  segmentId: string,
  name: string,
  overrides: Readonly<Record<string, MarketingPolicy>> = {},
): MarketingPolicy =>
  (Object.hasOwn(overrides, segmentId) ? overrides[segmentId] : undefined) ??
  DEFAULT_POLICIES[name] ??
  DEFAULT_POLICIES[name.replace(/\s*\(.*\)$/, '')] ??
  NO_ACTION;
