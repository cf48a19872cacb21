/**
 * What training takes: each sampled buyer's raw features and purchase summary, the prospect and
 * buyer counts, the shop's currency, and the backtest for the horizon the shop's history allows.
 * It is read off a training summary (training-summary.ts), which is built from profiles in one
 * streaming pass with bounded memory and merges across the parts of a snapshot.
 *
 * `TrainingDataBuilder` is the one-pass form: a summary builder whose `finish()` is
 * `trainingDataOf(summary())`.
 */

import type { PurchaseSummary } from '#shared/customer-value/domain/summary';
import { BACKTEST_HORIZONS, type Backtest, backtestHorizon, cutOf } from '../training/backtest';
import type { RawFeatures } from './features';
import {
  historyDaysOf,
  type TrainingSummary,
  TrainingSummaryBuilder,
  type TrainingSummaryOptions,
} from './training-summary';

export { BACKTEST_SAMPLE } from './training-summary';

/** Fewer backtest buyers than this and its figures are too noisy to choose by. */
const MIN_BACKTEST_ROWS = 200;

export interface TrainingData {
  readonly rows: RawFeatures[];
  /** Row i's purchase summary for the customer value models. */
  readonly purchases: (PurchaseSummary | null)[];
  readonly prospects: number;
  readonly total: number;
  readonly currency: string;
  readonly backtest: Backtest | { readonly unavailable: string };
}

export type TrainingDataOptions = TrainingSummaryOptions;

/** The shop's currency: that of the most buyers, ties to the first code in locale order; USD with none. */
const currencyOf = (currencies: Readonly<Record<string, number>>): string =>
  Object.entries(currencies).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'USD';

/** The backtest at the horizon the summary's history allows, from its sampled buyers with an order before the cut. */
const backtestOf = (summary: TrainingSummary): Backtest | { unavailable: string } => {
  const asOf = new Date(summary.asOf);
  const historyDays = historyDaysOf(asOf, summary.firstOrderTime);
  const horizonDays = backtestHorizon(historyDays);
  if (horizonDays === null)
    return {
      unavailable: `orders span ${Math.floor(historyDays)} days, too little history for a backtest (needs ${3 * Math.min(...BACKTEST_HORIZONS)})`,
    };
  const at = BACKTEST_HORIZONS.indexOf(horizonDays as (typeof BACKTEST_HORIZONS)[number]);
  const rows = summary.backtest.flatMap((entry) => {
    if (entry.rows.length <= at)
      throw new Error(`training summary's backtest lacks the ${horizonDays}-day horizon its history allows`);
    const row = entry.rows[at];
    return row ? [row] : [];
  });
  const bought = rows.filter((r) => r.bought).length;
  if (rows.length < MIN_BACKTEST_ROWS || bought === 0 || bought === rows.length)
    return {
      unavailable: `the backtest over the last ${horizonDays} days has ${rows.length} buyers, ${bought} of whom bought again: too few to choose by`,
    };
  return { horizonDays, asOf: cutOf(asOf, horizonDays).toISOString(), rows };
};

/** What training takes from a summary (the backtest's horizon chosen from its first order time). */
export const trainingDataOf = (summary: TrainingSummary): TrainingData => ({
  rows: summary.rows.map((r) => r.features),
  purchases: summary.rows.map((r) => r.purchase),
  prospects: summary.prospects,
  total: summary.buyers + summary.prospects,
  currency: currencyOf(summary.currencies),
  backtest: backtestOf(summary),
});

/**
 * Profiles → training data in one streaming pass, holding at most `maxRows` training rows and
 * `backtestSample` backtest entries (bottom-k samples on a hash of the shopper id past those).
 */
export class TrainingDataBuilder extends TrainingSummaryBuilder {
  finish(): TrainingData {
    return trainingDataOf(this.summary());
  }
}
