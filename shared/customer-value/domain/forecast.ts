/**
 * The CLV models in the product: fitted at retrain on the snapshot's purchase summaries and
 * stored with the segment model (`StoredClv`), applied per shopper at lookup (`forecastFor`),
 * and summarised per segment to sharpen segment descriptions (`segmentForecasts`).
 *
 * Everything a response carries is a finite number or null with a reason: a model that could
 * not be fitted still gives an answer that says why. A boundary fit (e.g. a shop whose data show
 * no drop-out yet: P(alive) is 1 by construction) is served with its plain-language `note`, and
 * never calls anyone "likely to lapse".
 */

import type { Profile } from '#shared/ingestion/domain/profile';
import { sampleIndices } from '#shared/kernel/random';
import {
  type ClvConfig,
  type ClvModel,
  defaultClvConfig,
  fitClvModel,
  predictCustomerValue,
} from './predict';
import { purchaseSummaryOfProfile } from './profile-summary';
import type { PurchaseSummary } from './summary';

// The fit's cost grows with rows while its estimates settle long before: a seeded sample of
// this many buyers fits in well under a second and reproduces the full-data parameters to a few %.
const FIT_SAMPLE = 50_000;
const SEGMENT_SAMPLE = 20_000;
/** Below this P(alive) a shopper (or a segment on average) is "likely to lapse". */
export const LAPSE_THRESHOLD = 0.5;
/** The population percentile of predicted value from which a shopper counts as high value. */
const HIGH_VALUE_PERCENTILE = 0.8;

export interface StoredClv {
  readonly config: ClvConfig;
  readonly model: ClvModel;
  /** Predicted value at the 80th percentile of the fitted buyers: above it is "high predicted value". */
  readonly highValueFrom: number | null;
}

export interface CustomerForecast {
  /** Probability the shopper is still an active customer. */
  readonly pAlive: number | null;
  readonly expectedOrders: number | null;
  readonly horizonDays: number;
  readonly predictedValue: number | null;
  readonly valueMonths: number;
  readonly currency: string;
  /** "likely to lapse", "high predicted value", both joined with "; ", or null. */
  readonly outlook: string | null;
  /** Why a figure is null (no model, no order yet, fit failed); null when all are present. */
  readonly reason: string | null;
  /**
   * What to know about the figures when the model is a boundary fit (e.g. the shop shows no
   * drop-out yet, so P(alive) is 1 for everyone by construction); null otherwise.
   */
  readonly note: string | null;
}

export interface SegmentForecast {
  readonly pAlive: number;
  readonly expectedOrders: number;
  readonly predictedValue: number | null;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Fits both models on a seeded sample of the buyers' summaries (null summaries are prospects). */
export const fitStoredClv = (
  summaries: readonly (PurchaseSummary | null)[],
  config: Partial<ClvConfig>,
  seed: number,
): StoredClv => {
  const settings = { ...defaultClvConfig, ...config };
  const buyers = summaries.filter((s): s is PurchaseSummary => s !== null);
  const sample = [...sampleIndices(buyers.length, FIT_SAMPLE, seed)].map((i) => buyers[i] as PurchaseSummary);
  const model = fitClvModel(sample, settings);
  const values = sample
    .map((s) => predict({ config: settings, model, highValueFrom: null }, s))
    .flatMap((p) => (p.ok && p.predictedValue !== null ? [p.predictedValue] : []))
    .sort((a, b) => a - b);
  const highValueFrom =
    values.length > 0 ? (values[Math.floor(HIGH_VALUE_PERCENTILE * (values.length - 1))] as number) : null;
  return { config: settings, model, highValueFrom };
};

const predict = (clv: StoredClv, summary: PurchaseSummary | null) =>
  predictCustomerValue(clv.model, summary, {
    horizonDays: clv.config.horizonDays,
    valueMonths: clv.config.valueMonths,
    monthlyDiscountRate: clv.config.monthlyDiscountRate,
  });

/** Whether P(alive) says anything: not at the no-drop-out limit, where it is 1 by construction. */
const modelsDropout = (clv: StoredClv): boolean => clv.model.boundary?.kind !== 'no-dropout';

const outlookOf = (clv: StoredClv, pAlive: number, value: number | null): string | null => {
  const notes = [
    ...(modelsDropout(clv) && pAlive < LAPSE_THRESHOLD ? ['likely to lapse'] : []),
    ...(value !== null && clv.highValueFrom !== null && value > clv.highValueFrom
      ? ['high predicted value']
      : []),
  ];
  return notes.length > 0 ? notes.join('; ') : null;
};

/** One shopper's forecast from their purchase summary (null: no order yet). */
export const forecastFor = (
  clv: StoredClv | undefined,
  summary: PurchaseSummary | null,
  currency: string,
): CustomerForecast => {
  const horizonDays = clv?.config.horizonDays ?? defaultClvConfig.horizonDays;
  const valueMonths = clv?.config.valueMonths ?? defaultClvConfig.valueMonths;
  const none = (reason: string): CustomerForecast => ({
    pAlive: null,
    expectedOrders: null,
    horizonDays,
    predictedValue: null,
    valueMonths,
    currency,
    outlook: null,
    reason,
    note: null,
  });
  if (!clv) return none('the current model was trained without customer value predictions');
  const prediction = predict(clv, summary);
  if (!prediction.ok) return none(prediction.reason);
  const value = prediction.predictedValue === null ? null : round(prediction.predictedValue, 2);
  return {
    pAlive: round(prediction.pAlive, 4),
    expectedOrders: round(prediction.expectedOrders, 4),
    horizonDays,
    predictedValue: value,
    valueMonths,
    currency,
    outlook: outlookOf(clv, prediction.pAlive, prediction.predictedValue),
    reason: value === null ? (clv.model.reason ?? 'no spend model') : null,
    note: clv.model.boundary?.note ?? null,
  };
};

/** One shopper's forecast from their profile as of a date, summarised as the model was fitted. */
export const forecastOfProfile = (
  clv: StoredClv | undefined,
  profile: Profile,
  asOf: Date,
  currency: string,
): CustomerForecast =>
  forecastFor(
    clv,
    clv ? purchaseSummaryOfProfile(profile, asOf, clv.config.unit, clv.config.calibrationDays) : null,
    currency,
  );

/**
 * Mean forecasts per segment over a seeded sample of the trained rows (`labels[i]` is row i's
 * segment index); null for a segment with no predictable member in the sample.
 */
export const segmentForecasts = (
  clv: StoredClv,
  summaries: readonly (PurchaseSummary | null)[],
  labels: ArrayLike<number>,
  segments: number,
  seed: number,
): (SegmentForecast | null)[] => segmentPredictions(clv, summaries, labels, segments, seed).forecasts;

/**
 * `segmentForecasts`, and the predicted values behind each mean (per segment, the sampled
 * members' predicted values over the value months, in sample order): one pass of predictions.
 */
export const segmentPredictions = (
  clv: StoredClv,
  summaries: readonly (PurchaseSummary | null)[],
  labels: ArrayLike<number>,
  segments: number,
  seed: number,
): { forecasts: (SegmentForecast | null)[]; values: number[][] } => {
  const values: number[][] = Array.from({ length: segments }, () => []);
  if (clv.model.bgnbd === null) return { forecasts: values.map(() => null), values };
  const sums = Array.from({ length: segments }, () => ({ n: 0, pAlive: 0, orders: 0, valued: 0, value: 0 }));
  for (const i of sampleIndices(summaries.length, SEGMENT_SAMPLE, seed)) {
    const sum = sums[labels[i] as number];
    const prediction = predict(clv, summaries[i] ?? null);
    if (!sum || !prediction.ok) continue;
    sum.n += 1;
    sum.pAlive += prediction.pAlive;
    sum.orders += prediction.expectedOrders;
    if (prediction.predictedValue !== null) {
      sum.valued += 1;
      sum.value += prediction.predictedValue;
      values[labels[i] as number]?.push(prediction.predictedValue);
    }
  }
  const forecasts = sums.map((s) =>
    s.n === 0
      ? null
      : {
          pAlive: round(s.pAlive / s.n, 4),
          expectedOrders: round(s.orders / s.n, 4),
          predictedValue: s.valued === 0 ? null : round(s.value / s.valued, 2),
        },
  );
  return { forecasts, values };
};

/** A sentence for the segment description when the forecast says something a marketer acts on. */
export const forecastSentence = (
  clv: StoredClv,
  forecast: SegmentForecast | null,
  currency: string,
): string | null => {
  if (!forecast) return null;
  const notes: string[] = [];
  if (modelsDropout(clv) && forecast.pAlive < LAPSE_THRESHOLD)
    notes.push(
      `Likely to lapse: on average ${Math.round(forecast.pAlive * 100)}% chance of still being active.`,
    );
  if (
    forecast.predictedValue !== null &&
    clv.highValueFrom !== null &&
    forecast.predictedValue > clv.highValueFrom
  )
    notes.push(
      `High predicted value: about ${Math.round(forecast.predictedValue)} ${currency} each over the next ${clv.config.valueMonths} months.`,
    );
  return notes.length > 0 ? notes.join(' ') : null;
};
