/**
 * Predicted customer value: a BG/NBD model of repeat purchases and a Gamma-Gamma model of
 * order value, fitted together at retrain (`fitClvModel`, stored as JSON with the segment
 * model) and applied per shopper at lookup (`predictCustomerValue`).
 *
 * - P(alive): the probability the shopper has not dropped out by the end of their summary.
 * - Expected orders over the next `horizonDays` (default 90): BG/NBD eq. 10.
 * - Predicted value over the next `valueMonths` (default 12): expected orders over that
 *   period × the Gamma-Gamma expected value per order. Undiscounted by default; with a
 *   `monthlyDiscountRate` d, the orders expected in month m are discounted by (1 + d)^m.
 *   A month is 365.25/12 days. Spend is assumed independent of frequency (the Gamma-Gamma
 *   assumption); the value is in the currency of the summaries' order values.
 *
 * Every shop with enough repeat buyers gets purchase predictions: where the BG/NBD has no
 * interior maximum (typically a shop whose data show no drop-out yet) the fit is served at its
 * boundary and the model says so in `boundary` (see `fitBgNbd`). Fails gracefully otherwise:
 * too few repeat buyers (or data with no repeat purchase or no observation time), or a spend
 * fit that fails, leaves the model without that part and a `reason`; a prediction is either
 * all finite numbers or `{ ok: false, reason }`, never NaN or Infinity.
 */
import type { BgNbdParams } from './bgnbd';
import { type BgNbdBoundary, fitBgNbd } from './bgnbd-fit';
import { conditionalExpectedPurchases, probabilityAlive } from './bgnbd-predictions';
import { expectedAverageValue, fitGammaGamma, type GammaGammaParams } from './gamma-gamma';
import { convertSummary, type PurchaseSummary, type TimeUnit, UNIT_DAYS } from './summary';

export interface ClvConfig {
  /** Time unit of the fitted model (α is per unit). Days suit daily e-commerce data. */
  readonly unit: TimeUnit;
  /**
   * Calibration window for building summaries (`summariseOrders`' `calibrationDays`): only
   * the last this many days of orders up to the snapshot; null = all history.
   */
  readonly calibrationDays: number | null;
  /** Fewer repeat buyers than this (or, for the spend model, valued ones) and that model is not fitted. */
  readonly minRepeatBuyers: number;
  readonly horizonDays: number;
  readonly valueMonths: number;
  /** Discount rate per month for the predicted value; 0 = undiscounted. */
  readonly monthlyDiscountRate: number;
}

export const defaultClvConfig: ClvConfig = {
  unit: 'day',
  calibrationDays: null,
  minRepeatBuyers: 30,
  horizonDays: 90,
  valueMonths: 12,
  monthlyDiscountRate: 0,
};

export interface ClvModel {
  readonly unit: TimeUnit;
  /** null: no purchase predictions (see `reason`). a = 0 (with b = 1) at the no-drop-out limit. */
  readonly bgnbd: BgNbdParams | null;
  /**
   * Present when the purchase model is a boundary fit: `no-dropout` (the NBD, P(alive) = 1 for
   * everyone) or `parameter-limit`, with the parameters at their limit and a plain-language
   * note. Absent for the BG/NBD proper, and in models stored before boundary fits existed.
   */
  readonly boundary?: BgNbdBoundary;
  /** null: no value predictions (see `reason`). */
  readonly gammaGamma: GammaGammaParams | null;
  /** Why a part is missing; absent when both are fitted. */
  readonly reason?: string;
  readonly fittedOn: {
    readonly customers: number;
    readonly repeatBuyers: number;
    /** Repeat buyers with a positive mean order value: the Gamma-Gamma sample. */
    readonly valuedRepeatBuyers: number;
    /** Summaries left out as invalid (negative times, t_x > T, ...). */
    readonly invalidSummaries: number;
  };
  readonly diagnostics: {
    readonly bgnbdLogLikelihood: number | null;
    readonly gammaGammaLogLikelihood: number | null;
    readonly iterations: number;
  };
}

const DAYS_PER_MONTH = 365.25 / 12;

/**
 * Fits both models on calibration summaries (converted to `config.unit`). Never throws on
 * data: invalid summaries are skipped and counted in `fittedOn.invalidSummaries`.
 */
export const fitClvModel = (
  summaries: readonly PurchaseSummary[],
  config: Partial<ClvConfig> = {},
): ClvModel => {
  const settings = { ...defaultClvConfig, ...config };
  const rows = summaries.map((s) => snapTx(convertSummary(s, settings.unit))).filter(validSummary);
  const skipped = summaries.length - rows.length;
  const repeatBuyers = rows.filter((s) => s.x > 0).length;
  const valued = rows.filter((s) => s.x > 0 && s.meanValue !== null && s.meanValue > 0);
  const fittedOn = {
    customers: rows.length,
    repeatBuyers,
    valuedRepeatBuyers: valued.length,
    invalidSummaries: skipped,
  };
  const skippedNote = skipped > 0 ? ` (${skipped} invalid summaries skipped)` : '';
  const empty = {
    unit: settings.unit,
    bgnbd: null,
    gammaGamma: null,
    fittedOn,
    diagnostics: { bgnbdLogLikelihood: null, gammaGammaLogLikelihood: null, iterations: 0 },
  };

  if (repeatBuyers < settings.minRepeatBuyers) {
    return {
      ...empty,
      reason: `too few repeat buyers to fit: ${repeatBuyers} of ${rows.length} customers, need ${settings.minRepeatBuyers}${skippedNote}`,
    };
  }
  const purchases = fitBgNbd(rows);
  if (!purchases.ok) return { ...empty, reason: `${purchases.reason}${skippedNote}` };

  const base = {
    unit: settings.unit,
    bgnbd: purchases.params,
    ...(purchases.boundary ? { boundary: purchases.boundary } : {}),
    fittedOn,
  };
  if (valued.length < settings.minRepeatBuyers) {
    return {
      ...base,
      gammaGamma: null,
      reason: `too few repeat buyers with a positive order value for the spend model: ${valued.length}, need ${settings.minRepeatBuyers}${skippedNote}`,
      diagnostics: {
        bgnbdLogLikelihood: purchases.logLikelihood,
        gammaGammaLogLikelihood: null,
        iterations: purchases.iterations,
      },
    };
  }
  const spend = fitGammaGamma(valued.map((s) => ({ x: s.x, meanValue: s.meanValue as number })));
  if (!spend.ok) {
    return {
      ...base,
      gammaGamma: null,
      reason: `${spend.reason}${skippedNote}`,
      diagnostics: {
        bgnbdLogLikelihood: purchases.logLikelihood,
        gammaGammaLogLikelihood: null,
        iterations: purchases.iterations,
      },
    };
  }
  return {
    ...base,
    gammaGamma: spend.params,
    diagnostics: {
      bgnbdLogLikelihood: purchases.logLikelihood,
      gammaGammaLogLikelihood: spend.logLikelihood,
      iterations: purchases.iterations + spend.iterations,
    },
  };
};

/** Rounding in a unit conversion can put t_x a hair past T; more than that stays invalid. */
const snapTx = (s: PurchaseSummary): PurchaseSummary =>
  s.tx > s.T && s.tx - s.T <= 1e-9 * Math.max(1, s.T) ? { ...s, tx: s.T } : s;

const validSummary = (s: PurchaseSummary): boolean =>
  Number.isInteger(s.x) &&
  s.x >= 0 &&
  Number.isFinite(s.T) &&
  Number.isFinite(s.tx) &&
  s.tx >= 0 &&
  s.T >= 0 &&
  s.tx <= s.T &&
  (s.x > 0 || s.tx === 0);

export interface PredictOptions {
  readonly horizonDays: number;
  readonly valueMonths: number;
  readonly monthlyDiscountRate: number;
}

export type ClvPrediction =
  | {
      readonly ok: true;
      /** Probability the shopper is still active. */
      readonly pAlive: number;
      /** Expected orders (purchase days) in the next `horizonDays`. */
      readonly expectedOrders: number;
      readonly horizonDays: number;
      /** Expected value over the next `valueMonths`; null when the model has no spend part. */
      readonly predictedValue: number | null;
      readonly valueMonths: number;
      /** Expected value per order (Gamma-Gamma); null when the model has no spend part. */
      readonly expectedOrderValue: number | null;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * The shopper's predictions from their summary at the model's calibration end (or any later
 * as-of time: T and t_x measured to it). `summary` null: the shopper has not bought yet.
 */
export const predictCustomerValue = (
  model: ClvModel,
  summary: PurchaseSummary | null,
  options: Partial<PredictOptions> = {},
): ClvPrediction => {
  const settings = {
    horizonDays: options.horizonDays ?? defaultClvConfig.horizonDays,
    valueMonths: options.valueMonths ?? defaultClvConfig.valueMonths,
    monthlyDiscountRate: options.monthlyDiscountRate ?? defaultClvConfig.monthlyDiscountRate,
  };
  if (model.bgnbd === null) return { ok: false, reason: model.reason ?? 'model has no purchase predictions' };
  if (summary === null)
    return { ok: false, reason: 'no purchase yet: the models predict from the first purchase on' };
  if (!(settings.horizonDays >= 0 && Number.isFinite(settings.horizonDays))) {
    return { ok: false, reason: 'horizonDays must be a finite number >= 0' };
  }
  if (!(settings.valueMonths >= 0 && Number.isFinite(settings.valueMonths))) {
    return { ok: false, reason: 'valueMonths must be a finite number >= 0' };
  }
  if (!(settings.monthlyDiscountRate >= 0 && Number.isFinite(settings.monthlyDiscountRate))) {
    return { ok: false, reason: 'monthlyDiscountRate must be a finite number >= 0' };
  }
  const s = convertSummary(summary, model.unit);
  const row = snapTx(s);
  if (!validSummary(row))
    return { ok: false, reason: 'invalid summary: need integer x >= 0 and 0 <= tx <= T' };

  const params = model.bgnbd;
  const unitDays = UNIT_DAYS[model.unit];
  const expectedWithin = (days: number): number =>
    conditionalExpectedPurchases(params, days / unitDays, row.x, row.tx, row.T);

  const pAlive = probabilityAlive(params, row.x, row.tx, row.T);
  const expectedOrders = expectedWithin(settings.horizonDays);

  let expectedOrderValue: number | null = null;
  let predictedValue: number | null = null;
  if (model.gammaGamma !== null) {
    expectedOrderValue = expectedAverageValue(model.gammaGamma, row.x, row.meanValue);
    predictedValue =
      expectedOrderValue *
      discountedOrders(expectedWithin, settings.valueMonths, settings.monthlyDiscountRate);
  }
  const numbers = [pAlive, expectedOrders, expectedOrderValue ?? 0, predictedValue ?? 0];
  if (!numbers.every(Number.isFinite)) {
    return { ok: false, reason: 'numerical failure evaluating the model for this summary' };
  }
  return {
    ok: true,
    pAlive,
    expectedOrders,
    horizonDays: settings.horizonDays,
    predictedValue,
    valueMonths: settings.valueMonths,
    expectedOrderValue,
  };
};

/** Σ over months m of (orders expected in month m) / (1 + d)^m; the plain total when d = 0. */
const discountedOrders = (expectedWithin: (days: number) => number, months: number, rate: number): number => {
  if (rate === 0) return expectedWithin(months * DAYS_PER_MONTH);
  let total = 0;
  let previous = 0;
  const whole = Math.floor(months);
  const steps = whole < months ? whole + 1 : whole;
  for (let m = 1; m <= steps; m++) {
    const cumulative = expectedWithin(Math.min(m, months) * DAYS_PER_MONTH);
    total += (cumulative - previous) / (1 + rate) ** m;
    previous = cumulative;
  }
  return total;
};
