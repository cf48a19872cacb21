/**
 * Does the customer value forecast hold up on a real shop? The product's own path, as of the
 * calibration date: each buyer's purchase summary from the live profile
 * (`purchaseSummaryOfProfile`), the fit the retrain stores (`fitStoredClv`, default
 * configuration, the retrain's seed) and the lookup's forecast (`forecastFor`) of expected
 * orders over the data set's horizon, compared with the purchase days each buyer actually had
 * in the horizon (BG/NBD counts purchase days, so several orders on one day are one).
 *
 * Baseline ("naive rate", as in shared/customer-value/domain/holdout.ts): each buyer goes on at their
 * calibration repeat rate, x / T (repeat purchase days per day since their first purchase, T to
 * the as-of date), for the whole horizon; nobody drops out; a buyer with no repeat purchase
 * (x = 0) is predicted 0.
 */
import type { BgNbdParams } from '#shared/customer-value/domain/bgnbd';
import type { BgNbdBoundary } from '#shared/customer-value/domain/bgnbd-fit';
import { fitStoredClv, forecastFor } from '#shared/customer-value/domain/forecast';
import type { GammaGammaParams } from '#shared/customer-value/domain/gamma-gamma';
import { type ClvConfig, defaultClvConfig } from '#shared/customer-value/domain/predict';
import { purchaseSummaryOfProfile } from '#shared/customer-value/domain/profile-summary';
import { type PurchaseSummary, UNIT_DAYS } from '#shared/customer-value/domain/summary';
import { defaultTrainingConfig } from '#shared/segmentation/domain/training/train-model';
import type { Replay } from './replay';
import { type Target, targetsTable } from './targets';

/** Relative error of the total the forecast may have (issue 11). */
export const TOTAL_TOLERANCE = 0.2;
const MAX_BUCKET = 7;

export const NAIVE_DEFINITION =
  'each buyer goes on at their calibration repeat rate x/T (repeat purchase days per day since their first purchase) for the whole horizon; x = 0 predicts 0; nobody drops out';

export interface ForecastScore {
  readonly predictedTotal: number;
  /** predicted / actual − 1 */
  readonly relativeError: number;
  /** Mean over buyers of |predicted − actual|. */
  readonly meanAbsoluteError: number;
  /** √(mean (predicted − actual)²): the error an expected value minimises (informational). */
  readonly rootMeanSquaredError: number;
}

export interface CustomerValueBucket {
  /** Calibration repeat purchase days: '0', '1', ..., '7+'. */
  readonly label: string;
  readonly customers: number;
  readonly meanActual: number;
  readonly meanPredicted: number | null;
  readonly meanNaive: number;
}

/** MAE of the product's forecast against the naive rate's, customer by customer. */
export interface MaeComparison {
  /** Mean over buyers of |product − actual| − |naive − actual|: below 0, the product is better. */
  readonly difference: number;
  /** Its standard error (paired: the same buyers, the same outcomes). */
  readonly standardError: number;
  /** The MAEs on buyers with a repeat purchase day in calibration (x > 0) ... */
  readonly repeatBuyers: { readonly customers: number; readonly product: number; readonly naive: number };
  /** ... and on those without (x = 0), whom the naive rate predicts 0. */
  readonly noRepeatYet: { readonly customers: number; readonly product: number; readonly naive: number };
}

export interface CustomerValueEvaluation {
  readonly dataset: string;
  readonly asOf: string;
  readonly horizonDays: number;
  /** Buyers (an order before the as-of date) and those with a repeat purchase day. */
  readonly customers: number;
  readonly repeatBuyers: number;
  readonly model: {
    readonly unit: ClvConfig['unit'];
    readonly bgnbd: BgNbdParams | null;
    readonly gammaGamma: GammaGammaParams | null;
    /** null: the BG/NBD proper (an interior maximum). */
    readonly boundary: BgNbdBoundary | null;
    /** Why a part of the model is missing; null when both are fitted. */
    readonly reason: string | null;
    readonly logLikelihood: number | null;
    readonly fitSeconds: number;
  };
  /** Buyers whose forecast has finite expected orders. */
  readonly forecast: number;
  /** Actual purchase days in the horizon, summed over the buyers. */
  readonly actualTotal: number;
  /** null when the model gives no forecast. */
  readonly product: ForecastScore | null;
  readonly naive: ForecastScore & { readonly definition: string };
  /** null when the model gives no forecast. */
  readonly maeVsNaive: MaeComparison | null;
  readonly buckets: readonly CustomerValueBucket[];
  readonly targets: readonly Target[];
}

const scoreOf = (
  predicted: readonly number[],
  actual: readonly number[],
  actualTotal: number,
): ForecastScore => {
  let total = 0;
  let absolute = 0;
  let squared = 0;
  for (let i = 0; i < predicted.length; i++) {
    const error = (predicted[i] as number) - (actual[i] as number);
    total += predicted[i] as number;
    absolute += Math.abs(error);
    squared += error * error;
  }
  const n = Math.max(1, predicted.length);
  return {
    predictedTotal: total,
    relativeError: actualTotal > 0 ? total / actualTotal - 1 : 0,
    meanAbsoluteError: absolute / n,
    rootMeanSquaredError: Math.sqrt(squared / n),
  };
};

const compareMae = (
  predicted: readonly number[],
  naive: readonly number[],
  actual: readonly number[],
  repeat: readonly boolean[],
): MaeComparison => {
  const n = predicted.length;
  const differences = predicted.map(
    (p, i) => Math.abs(p - (actual[i] as number)) - Math.abs((naive[i] as number) - (actual[i] as number)),
  );
  const mean = differences.reduce((sum, d) => sum + d, 0) / Math.max(1, n);
  const variance = differences.reduce((sum, d) => sum + (d - mean) ** 2, 0) / Math.max(1, n - 1);
  const group = (wanted: boolean) => {
    let customers = 0;
    let product = 0;
    let base = 0;
    for (let i = 0; i < n; i++) {
      if (repeat[i] !== wanted) continue;
      customers += 1;
      product += Math.abs((predicted[i] as number) - (actual[i] as number));
      base += Math.abs((naive[i] as number) - (actual[i] as number));
    }
    return { customers, product: product / Math.max(1, customers), naive: base / Math.max(1, customers) };
  };
  return {
    difference: mean,
    standardError: Math.sqrt(variance / Math.max(1, n)),
    repeatBuyers: group(true),
    noRepeatYet: group(false),
  };
};

const percent = (ratio: number): string => `${ratio >= 0 ? '+' : ''}${(100 * ratio).toFixed(1)}%`;

export const evaluateCustomerValue = (replay: Replay): CustomerValueEvaluation => {
  const horizonDays = replay.dataset.horizonDays;
  const config: ClvConfig = { ...defaultClvConfig, horizonDays };
  const buyers: { summary: PurchaseSummary; actual: number }[] = [];
  for (const [shopperId, profile] of replay.profiles) {
    if (profile.orders <= 0) continue;
    const summary = purchaseSummaryOfProfile(profile, replay.asOf, config.unit, config.calibrationDays);
    if (summary === null) continue;
    buyers.push({ summary, actual: replay.outcomes.get(shopperId)?.orderDays ?? 0 });
  }
  const started = performance.now();
  const clv = fitStoredClv(
    buyers.map((b) => b.summary),
    config,
    defaultTrainingConfig.seed,
  );
  const fitSeconds = Math.round(performance.now() - started) / 1000;

  const horizon = horizonDays / UNIT_DAYS[config.unit];
  const actual = buyers.map((b) => b.actual);
  const naive = buyers.map(({ summary: s }) => (s.T > 0 ? (s.x / s.T) * horizon : 0));
  const forecasts = buyers.map((b) => forecastFor(clv, b.summary, replay.dataset.currency).expectedOrders);
  const predicted = forecasts.flatMap((f) => (f !== null && Number.isFinite(f) ? [f] : []));
  const everyone = predicted.length === buyers.length && buyers.length > 0;
  const actualTotal = actual.reduce((sum, a) => sum + a, 0);
  const product = everyone ? scoreOf(predicted, actual, actualTotal) : null;
  const naiveScore = scoreOf(naive, actual, actualTotal);

  const sums = Array.from({ length: MAX_BUCKET + 1 }, () => ({ n: 0, actual: 0, predicted: 0, naive: 0 }));
  buyers.forEach((b, i) => {
    const sum = sums[Math.min(b.summary.x, MAX_BUCKET)] as (typeof sums)[number];
    sum.n += 1;
    sum.actual += b.actual;
    sum.predicted += forecasts[i] ?? 0;
    sum.naive += naive[i] as number;
  });

  const { model } = clv;
  const targets: Target[] = [
    {
      target: 'every buyer gets a forecast',
      value: `${predicted.length} of ${buyers.length}${product ? '' : ` (${model.reason ?? 'no forecast'})`}`,
      met: everyone,
    },
    {
      target: `total predicted orders within ±${Math.round(TOTAL_TOLERANCE * 100)}% of actual`,
      value: product
        ? `${product.predictedTotal.toFixed(0)} vs ${actualTotal} (${percent(product.relativeError)})`
        : 'n/a',
      met: product !== null && Math.abs(product.relativeError) <= TOTAL_TOLERANCE,
    },
    {
      target: 'MAE per customer < naive rate',
      value: product
        ? `${product.meanAbsoluteError.toFixed(3)} vs ${naiveScore.meanAbsoluteError.toFixed(3)}`
        : 'n/a',
      met: product !== null && product.meanAbsoluteError < naiveScore.meanAbsoluteError,
    },
  ];

  return {
    dataset: replay.dataset.name,
    asOf: replay.asOf.toISOString(),
    horizonDays,
    customers: buyers.length,
    repeatBuyers: buyers.filter((b) => b.summary.x > 0).length,
    model: {
      unit: model.unit,
      bgnbd: model.bgnbd,
      gammaGamma: model.gammaGamma,
      boundary: model.boundary ?? null,
      reason: model.reason ?? null,
      logLikelihood: model.diagnostics.bgnbdLogLikelihood,
      fitSeconds,
    },
    forecast: predicted.length,
    actualTotal,
    product,
    naive: { ...naiveScore, definition: NAIVE_DEFINITION },
    maeVsNaive: everyone
      ? compareMae(
          predicted,
          naive,
          actual,
          buyers.map((b) => b.summary.x > 0),
        )
      : null,
    buckets: sums.map((s, x) => ({
      label: x === MAX_BUCKET ? `${x}+` : String(x),
      customers: s.n,
      meanActual: s.n > 0 ? s.actual / s.n : 0,
      meanPredicted: product === null ? null : s.n > 0 ? s.predicted / s.n : 0,
      meanNaive: s.n > 0 ? s.naive / s.n : 0,
    })),
    targets,
  };
};

const modelLine = (e: CustomerValueEvaluation): string => {
  const { bgnbd, boundary, reason } = e.model;
  if (bgnbd === null) return `No purchase model: ${reason ?? 'not fitted'}.`;
  const kind =
    boundary === null
      ? 'BG/NBD'
      : boundary.kind === 'no-dropout'
        ? 'BG/NBD boundary fit, no drop-out (NBD, P(alive) = 1)'
        : `BG/NBD boundary fit, ${boundary.atLimit.join(', ')} at the limit`;
  const p = (v: number) => (v === 0 ? '0' : v.toPrecision(4));
  return `${kind}: r = ${p(bgnbd.r)}, alpha = ${p(bgnbd.alpha)} (per ${e.model.unit}), a = ${p(bgnbd.a)}, b = ${p(bgnbd.b)}; fitted in ${e.model.fitSeconds.toFixed(2)} s on ${e.customers} buyers (${e.repeatBuyers} repeat).`;
};

/** The evaluation as Markdown: the model, the forecast against the naive rate, the targets. */
export const formatCustomerValueTable = (
  e: CustomerValueEvaluation,
  options: { readonly buckets?: boolean; readonly targets?: boolean } = {},
): string => {
  const row = (name: string, s: ForecastScore | null) =>
    s === null
      ? `| ${name} | ${e.customers} | ${e.actualTotal} | n/a | n/a | n/a | n/a |`
      : `| ${name} | ${e.customers} | ${e.actualTotal} | ${s.predictedTotal.toFixed(1)} | ${percent(s.relativeError)} | ${s.meanAbsoluteError.toFixed(3)} | ${s.rootMeanSquaredError.toFixed(3)} |`;
  const lines = [
    modelLine(e),
    '',
    `| forecast of purchase days in the next ${e.horizonDays} days | customers | actual | predicted | error | MAE | RMSE |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    row('product (lookup forecast)', e.product),
    row('naive rate x/T', e.naive),
  ];
  const c = e.maeVsNaive;
  if (c) {
    lines.push(
      '',
      `MAE difference product − naive: ${c.difference >= 0 ? '+' : ''}${c.difference.toFixed(3)} ± ${c.standardError.toFixed(3)} (paired standard error); on the ${c.repeatBuyers.customers} buyers with a repeat purchase ${c.repeatBuyers.product.toFixed(3)} vs ${c.repeatBuyers.naive.toFixed(3)}, on the ${c.noRepeatYet.customers} without (naive predicts 0) ${c.noRepeatYet.product.toFixed(3)} vs ${c.noRepeatYet.naive.toFixed(3)}.`,
    );
  }
  if (options.buckets) {
    lines.push(
      '',
      '| x (calibration) | customers | mean actual | mean predicted | mean naive |',
      '|---|---:|---:|---:|---:|',
      ...e.buckets.map(
        (b) =>
          `| ${b.label} | ${b.customers} | ${b.meanActual.toFixed(3)} | ${b.meanPredicted === null ? 'n/a' : b.meanPredicted.toFixed(3)} | ${b.meanNaive.toFixed(3)} |`,
      ),
    );
  }
  if (options.targets ?? true) lines.push('', targetsTable(e.targets));
  return lines.join('\n');
};
