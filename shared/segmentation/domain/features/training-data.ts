/**
 * Profiles → what training takes, in one streaming pass with bounded memory: each buyer's raw
 * features and purchase summary (a seeded reservoir sample past `maxRows`), the prospect count,
 * the shop's currency, and a seeded sample of backtest rows for every horizon that might be
 * used (the right one is known only once the shop's history is, at the end of the pass).
 */

import { purchaseSummaryOfProfile } from '#shared/customer-value/domain/profile-summary';
import type { PurchaseSummary, TimeUnit } from '#shared/customer-value/domain/summary';
import type { Profile } from '#shared/ingestion/domain/profile';
import { mulberry32 } from '#shared/kernel/random';
import {
  BACKTEST_HORIZONS,
  type Backtest,
  type BacktestRow,
  backtestHorizon,
  backtestRow,
  cutOf,
} from '../training/backtest';
import { type RawFeatures, rawFeatures } from './features';

const DAY_MS = 86_400_000;
/** Backtest shoppers kept: enough for AUC and η² to a few thousandths, cheap to cluster 30 times. */
export const BACKTEST_SAMPLE = 20_000;
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

export interface TrainingDataOptions {
  readonly asOf: Date;
  readonly maxRows: number;
  readonly seed: number;
  readonly clv: { readonly unit: TimeUnit; readonly calibrationDays: number | null };
  readonly backtestSample?: number;
}

export class TrainingDataBuilder {
  private readonly rows: RawFeatures[] = [];
  private readonly purchases: (PurchaseSummary | null)[] = [];
  private readonly backtests: (BacktestRow | null)[][] = [];
  private readonly currencies = new Map<string, number>();
  private readonly rand: () => number;
  private readonly backtestRand: () => number;
  private readonly backtestSample: number;
  private prospects = 0;
  private buyers = 0;
  private firstOrder = Number.POSITIVE_INFINITY;

  constructor(private readonly options: TrainingDataOptions) {
    this.rand = mulberry32(options.seed);
    this.backtestRand = mulberry32(options.seed + 7);
    this.backtestSample = options.backtestSample ?? BACKTEST_SAMPLE;
  }

  add(profile: Profile): void {
    const { asOf, maxRows, clv } = this.options;
    const features = rawFeatures(profile, asOf);
    if (!features) {
      this.prospects += 1;
      return;
    }
    if (profile.currency)
      this.currencies.set(profile.currency, (this.currencies.get(profile.currency) ?? 0) + 1);
    if (profile.firstOrderAt) this.firstOrder = Math.min(this.firstOrder, Date.parse(profile.firstOrderAt));
    this.buyers += 1;
    const purchase = purchaseSummaryOfProfile(profile, asOf, clv.unit, clv.calibrationDays);
    const slot = this.rows.length < maxRows ? this.rows.length : Math.floor(this.rand() * this.buyers);
    if (slot < maxRows) {
      this.rows[slot] = features;
      this.purchases[slot] = purchase;
    }
    const backtestSlot =
      this.backtests.length < this.backtestSample
        ? this.backtests.length
        : Math.floor(this.backtestRand() * this.buyers);
    if (backtestSlot < this.backtestSample)
      this.backtests[backtestSlot] = BACKTEST_HORIZONS.map((h) => backtestRow(profile, asOf, h));
  }

  finish(): TrainingData {
    const currency =
      [...this.currencies.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'USD';
    return {
      rows: this.rows,
      purchases: this.purchases,
      prospects: this.prospects,
      total: this.buyers + this.prospects,
      currency,
      backtest: this.backtest(),
    };
  }

  private backtest(): Backtest | { unavailable: string } {
    const { asOf } = this.options;
    const historyDays = Number.isFinite(this.firstOrder) ? (asOf.getTime() - this.firstOrder) / DAY_MS : 0;
    const horizonDays = backtestHorizon(historyDays);
    if (horizonDays === null)
      return {
        unavailable: `orders span ${Math.floor(historyDays)} days, too little history for a backtest (needs ${3 * Math.min(...BACKTEST_HORIZONS)})`,
      };
    const at = BACKTEST_HORIZONS.indexOf(horizonDays as (typeof BACKTEST_HORIZONS)[number]);
    const rows = this.backtests.flatMap((rowsByHorizon) => {
      const row = rowsByHorizon[at];
      return row ? [row] : [];
    });
    const bought = rows.filter((r) => r.bought).length;
    if (rows.length < MIN_BACKTEST_ROWS || bought === 0 || bought === rows.length)
      return {
        unavailable: `the backtest over the last ${horizonDays} days has ${rows.length} buyers, ${bought} of whom bought again: too few to choose by`,
      };
    return { horizonDays, asOf: cutOf(asOf, horizonDays).toISOString(), rows };
  }
}
