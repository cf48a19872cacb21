/**
 * The API's answers as the dashboard reads them. Fields a newer service adds (the catalogue's
 * revenueShare/typical/totals, the segment profile, segments over time) are optional: each view
 * renders them when present and falls back to what older answers have.
 */

export interface Coupon {
  readonly kind: 'percent' | 'amount' | 'free_shipping';
  readonly value?: number;
}

export interface Policy {
  readonly action: string;
  readonly channel: string;
  readonly coupon: Coupon | null;
  readonly message: string;
  readonly priority: number;
  /** The share of the segment left untreated to measure the policy; absent or 0: off. */
  readonly holdout?: { readonly share: number };
}

/** PUT/DELETE /v1/segments/{id}/policy: every change starts a new policy version. */
export interface PolicyChange {
  readonly segmentId: string;
  readonly segmentName: string;
  readonly policy: Policy;
  readonly source: 'override' | 'default';
  readonly updatedAt?: string;
  readonly version?: string;
}

/** Set on a catalogue segment when its current policy measures significantly worse than its holdout. */
export interface PolicyFlag {
  readonly kind: 'underperforming';
  readonly version: string;
  readonly metrics: readonly ('conversion' | 'revenuePerShopper')[];
  readonly checkedAt: string;
}

export interface Forecast {
  readonly pAlive?: number | null;
  readonly expectedOrders?: number | null;
  readonly predictedValue?: number | null;
}

export interface Typical {
  readonly recencyDays: number;
  readonly orders365: number;
  readonly spend365: number;
  readonly averageOrderValue?: number;
}

export interface SegmentSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly size: number;
  readonly share: number;
  readonly centroid: Readonly<Record<string, number>>;
  readonly rules: readonly string[];
  readonly policy: Policy;
  readonly policySource: 'override' | 'default';
  readonly forecast: Forecast | null;
  readonly revenueShare?: number | null;
  readonly typical?: Typical | null;
  /** Newer services only; null or absent: nothing flagged. */
  readonly policyFlag?: PolicyFlag | null;
}

export interface Catalogue {
  readonly modelVersion: string;
  readonly asOf: string;
  readonly currency?: string;
  readonly totals?: {
    readonly shoppers: number;
    readonly buyers: number;
    readonly prospects: number;
  };
  readonly segments: readonly SegmentSummary[];
}

/** A feature's figure: a number, or the newer {median, mean}. */
export type Figure = number | { readonly median: number; readonly mean: number };

export interface SegmentProfile {
  readonly segmentId: string;
  readonly name: string;
  readonly description: string;
  readonly modelVersion: string;
  readonly currency?: string;
  readonly size: number;
  readonly share: number;
  readonly revenueShare?: number | null;
  readonly features: readonly {
    readonly feature: string;
    readonly label?: string;
    readonly segment: Figure;
    readonly population: Figure;
    readonly ratio: number | null;
  }[];
  readonly rules: readonly {
    readonly rule: string;
    readonly agreement?: number | null;
    readonly precision?: number | null;
    readonly coverage?: number | null;
  }[];
  readonly rulesAgreement?: number;
  readonly forecast?: Forecast | null;
  readonly predictedValue: {
    readonly currency?: string;
    readonly months?: number;
    readonly buckets: readonly {
      readonly from: number;
      readonly to: number | null;
      readonly shoppers: number;
    }[];
    readonly median: number;
    readonly mean: number;
  } | null;
  readonly topProducts: readonly {
    readonly productId: string;
    readonly category?: string | null;
    readonly buyers: number;
    readonly share?: number;
  }[];
  readonly policy: Policy;
  readonly policySource: 'override' | 'default';
}

export interface Member {
  readonly shopperId: string;
  readonly since: string;
  readonly modelVersion: string;
}

export interface MembersPage {
  readonly segmentId: string;
  readonly segmentName: string;
  readonly members: readonly Member[];
  readonly nextCursor: string | null;
}

export interface ShopperProfile {
  readonly shopperId: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly firstOrderAt: string | null;
  readonly lastOrderAt: string | null;
  readonly currency: string;
  readonly orders: number;
  readonly revenue: number;
  readonly refunds: number;
  readonly refundAmount: number;
  readonly units: number;
  readonly productViews: number;
  readonly cartAdds: number;
  readonly categories: readonly {
    readonly name: string;
    readonly orders: number;
    readonly revenue: number;
  }[];
}

export interface Recommendation {
  readonly productId: string;
  readonly score: number;
  readonly reason: string;
  readonly source: string;
  readonly category?: string | null;
}

export interface ShopperSegment {
  readonly shopperId: string;
  readonly segment: {
    readonly id: string;
    readonly name: string;
    readonly description: string;
    readonly rules: readonly string[];
  };
  readonly since: string | null;
  readonly confidence: number | null;
  readonly modelVersion: string;
  readonly features: readonly {
    readonly feature: string;
    readonly value: number;
    readonly typical: number;
  }[];
  readonly policy: Policy;
  readonly predictions: {
    readonly pAlive: number | null;
    readonly expectedOrders: number | null;
    readonly horizonDays: number;
    readonly predictedValue: number | null;
    readonly valueMonths: number;
    readonly currency: string;
    readonly outlook: string | null;
    readonly reason: string | null;
  } | null;
  readonly recommendations?: readonly Recommendation[];
  readonly buyAgain?: readonly Recommendation[];
}

export interface SegmentChange {
  readonly from: { readonly id: string; readonly name: string } | null;
  readonly to: { readonly id: string; readonly name: string } | null;
  readonly at: string;
  readonly reason: string;
  readonly modelVersion: string;
}

export interface History {
  readonly shopperId: string;
  readonly changes: readonly SegmentChange[];
}

export interface Stability {
  readonly ari: number;
  readonly migration: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly matched: number;
  readonly retired: readonly string[];
  readonly added: readonly string[];
}

export interface Drift {
  readonly features: Readonly<Record<string, number>>;
  readonly maxFeaturePsi: number;
  readonly segmentSharesPsi: number | null;
}

export interface Metrics {
  readonly k: number;
  readonly silhouette: number;
  readonly daviesBouldin: number;
  readonly inertia: number;
  readonly rulesAgreement: number;
  readonly selection?: {
    readonly method: string;
    readonly reason?: string;
    readonly horizonDays?: number;
    readonly shoppers?: number;
    readonly baseline?: { readonly auc: number; readonly etaSquared: number };
    readonly chosen?: {
      readonly k: number;
      readonly features: readonly string[];
      readonly auc: number;
      readonly etaSquared: number;
      readonly score: number;
    };
    readonly features?: readonly {
      readonly feature: string;
      readonly used: boolean;
      readonly reason: string;
    }[];
  };
}

export interface RetrainRun {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcome: 'promoted' | 'rejected' | 'failed';
  readonly reason: string;
  readonly trigger: string;
  readonly modelVersion: string | null;
  readonly previousVersion: string | null;
  readonly k: number | null;
  readonly metrics: Metrics | null;
  readonly stability: Stability | null;
  readonly drift: Drift | null;
  readonly reassigned: {
    readonly shoppers: number;
    readonly changed: number;
    readonly segments?: Readonly<Record<string, number>>;
  } | null;
}

export interface ModelsList {
  readonly current: string | null;
  readonly runs: readonly RetrainRun[];
}

export interface Model {
  readonly version: string;
  readonly sequence?: number;
  readonly createdAt: string;
  readonly asOf: string;
  readonly segments: readonly {
    readonly id: string;
    readonly name: string;
    readonly size: number;
    readonly share: number;
  }[];
  readonly prospects: { readonly size: number; readonly share: number };
  readonly metrics: Metrics;
  readonly stability: Stability | null;
  readonly drift: Drift | null;
}

export interface OverTime {
  readonly models: readonly {
    readonly version: string;
    readonly trainedAt: string;
    readonly asOf: string;
    readonly sequence?: number | null;
    readonly segments: readonly {
      readonly id: string;
      readonly name: string;
      readonly size: number;
      readonly share: number;
    }[];
  }[];
  readonly migration: {
    readonly from: string;
    readonly to: string;
    readonly cells: readonly { readonly from: string; readonly to: string; readonly shoppers: number }[];
  } | null;
}

/** GET /v1/segments/{id}/lift: per policy version, treatment against holdout. */
export type LiftVerdict =
  | { readonly kind: 'significant'; readonly direction: 'positive' | 'negative' }
  | { readonly kind: 'not_yet'; readonly neededPerGroup: number }
  | { readonly kind: 'inconclusive'; readonly reason: string };

export interface LiftComparison {
  readonly treatment: number;
  readonly holdout: number;
  readonly difference: number;
  readonly interval: readonly [number, number];
  readonly relativeLift: number | null;
  readonly relativeInterval: readonly [number, number] | null;
  readonly pValue: number;
  readonly verdict: LiftVerdict;
}

export interface LiftGroup {
  readonly shoppers: number;
  readonly converted: number;
  readonly conversionRate: number | null;
  readonly ordersPerShopper: number | null;
  readonly revenuePerShopper: number | null;
}

export interface VersionLift {
  readonly version: string;
  readonly policy: Policy | null;
  readonly holdoutShare: number;
  readonly window: { readonly from: string; readonly to: string; readonly active: boolean };
  readonly sampled: boolean;
  readonly groups: { readonly treatment: LiftGroup; readonly holdout: LiftGroup } | null;
  readonly conversion: LiftComparison | null;
  readonly ordersPerShopper: LiftComparison | null;
  readonly revenuePerShopper: LiftComparison | null;
  /** On conversion, the primary metric. */
  readonly verdict: LiftVerdict;
  readonly underperforming: boolean;
}

export interface SegmentLift {
  readonly segmentId: string;
  readonly segmentName: string;
  readonly currency: string;
  readonly asOf: string;
  readonly sampleLimit: number;
  /** Newest first, at most 10. */
  readonly versions: readonly VersionLift[];
}
