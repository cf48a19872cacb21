/**
 * Calibration/holdout check of the BG/NBD model, as in Fader, Hardie & Lee (2005): fit on a
 * calibration period, predict each customer's purchases in the holdout period that follows
 * (eq. 10), and compare with what they actually did, in total and by calibration frequency
 * (the paper's conditional-expectation figure, buckets x = 0 .. 7+).
 *
 * Pure: takes parsed transactions (see `parseCdnowMaster` for the CDNOW file format) and
 * returns numbers and a printable table.
 */
import type { BgNbdParams } from './bgnbd';
import { type BgNbdBoundary, fitBgNbd } from './bgnbd-fit';
import { conditionalExpectedPurchases } from './bgnbd-predictions';
import {
  countPurchaseDays,
  dayNumber,
  type Order,
  summariseOrders,
  type TimeUnit,
  UNIT_DAYS,
} from './summary';

export interface Transaction extends Order {
  readonly customerId: string;
}

export interface HoldoutOptions {
  /** Last calibration day (inclusive). */
  readonly calibrationEnd: string;
  /** Last holdout day (inclusive); the holdout starts the day after calibrationEnd. */
  readonly holdoutEnd: string;
  readonly unit: TimeUnit;
  /** Customers with at least this many calibration repeat purchases share the last bucket. */
  readonly maxBucket: number;
}

export const cdnowHoldoutOptions: HoldoutOptions = {
  calibrationEnd: '1997-09-30',
  holdoutEnd: '1998-06-30',
  unit: 'week',
  maxBucket: 7,
};

export interface HoldoutBucket {
  /** '0', '1', ..., '7+' */
  readonly label: string;
  readonly customers: number;
  readonly meanActual: number;
  readonly meanPredicted: number;
  /** The naive baseline's mean prediction. */
  readonly meanNaive: number;
}

export interface HoldoutReport {
  readonly ok: true;
  readonly params: BgNbdParams;
  /** null: the BG/NBD proper; otherwise the boundary the fit was served at (see `fitBgNbd`). */
  readonly boundary: BgNbdBoundary | null;
  readonly logLikelihood: number;
  readonly customers: number;
  /** Holdout length in the model's unit. */
  readonly holdoutLength: number;
  readonly unit: TimeUnit;
  readonly actualTotal: number;
  readonly predictedTotal: number;
  /** (predicted − actual) / actual. */
  readonly relativeError: number;
  /** Mean over customers of |predicted − actual|. */
  readonly meanAbsoluteError: number;
  /**
   * A naive baseline for comparison: each customer goes on buying at their calibration rate
   * x/T (x = 0: nothing) for the whole holdout, nobody drops out.
   */
  readonly naive: { readonly predictedTotal: number; readonly meanAbsoluteError: number };
  readonly buckets: HoldoutBucket[];
}

/**
 * Fits BG/NBD on every customer with a calibration purchase (each observed from their first
 * purchase) and compares predicted with actual holdout purchases (distinct purchase days,
 * counted as in calibration).
 */
export const runHoldout = (
  transactions: readonly Transaction[],
  options: HoldoutOptions = cdnowHoldoutOptions,
): HoldoutReport | { ok: false; reason: string } => {
  const byCustomer = new Map<string, Order[]>();
  for (const t of transactions) {
    const orders = byCustomer.get(t.customerId);
    if (orders) orders.push(t);
    else byCustomer.set(t.customerId, [t]);
  }
  const customers: { x: number; tx: number; T: number; actual: number }[] = [];
  for (const orders of byCustomer.values()) {
    const summary = summariseOrders(orders, { calibrationEnd: options.calibrationEnd, unit: options.unit });
    if (summary === null) continue;
    customers.push({
      x: summary.x,
      tx: summary.tx,
      T: summary.T,
      actual: countPurchaseDays(orders, options.calibrationEnd, options.holdoutEnd),
    });
  }
  const fit = fitBgNbd(customers);
  if (!fit.ok) return fit;

  const holdoutLength =
    (dayNumber(options.holdoutEnd) - dayNumber(options.calibrationEnd)) / UNIT_DAYS[options.unit];
  const sums = Array.from({ length: options.maxBucket + 1 }, () => ({
    customers: 0,
    actual: 0,
    predicted: 0,
    naive: 0,
  }));
  let actualTotal = 0;
  let predictedTotal = 0;
  let absoluteError = 0;
  let naiveTotal = 0;
  let naiveAbsoluteError = 0;
  for (const c of customers) {
    const predicted = conditionalExpectedPurchases(fit.params, holdoutLength, c.x, c.tx, c.T);
    const naive = c.T > 0 ? (c.x / c.T) * holdoutLength : 0;
    const bucket = sums[Math.min(c.x, options.maxBucket)] as (typeof sums)[number];
    bucket.customers++;
    bucket.actual += c.actual;
    bucket.predicted += predicted;
    bucket.naive += naive;
    actualTotal += c.actual;
    predictedTotal += predicted;
    absoluteError += Math.abs(predicted - c.actual);
    naiveTotal += naive;
    naiveAbsoluteError += Math.abs(naive - c.actual);
  }
  const n = Math.max(1, customers.length);
  return {
    ok: true,
    params: fit.params,
    boundary: fit.boundary,
    logLikelihood: fit.logLikelihood,
    customers: customers.length,
    holdoutLength,
    unit: options.unit,
    actualTotal,
    predictedTotal,
    relativeError: actualTotal > 0 ? (predictedTotal - actualTotal) / actualTotal : 0,
    meanAbsoluteError: absoluteError / n,
    naive: { predictedTotal: naiveTotal, meanAbsoluteError: naiveAbsoluteError / n },
    buckets: sums.map((s, x) => ({
      label: x === options.maxBucket ? `${x}+` : String(x),
      customers: s.customers,
      meanActual: s.customers > 0 ? s.actual / s.customers : 0,
      meanPredicted: s.customers > 0 ? s.predicted / s.customers : 0,
      meanNaive: s.customers > 0 ? s.naive / s.customers : 0,
    })),
  };
};

/** The report as a Markdown table (aggregate first, then one row per frequency bucket). */
export const formatHoldoutTable = (report: HoldoutReport): string => {
  const { r, alpha, a, b } = report.params;
  const lines = [
    `BG/NBD fit${report.boundary ? ` (boundary: ${report.boundary.kind}, ${report.boundary.atLimit.join(', ')} at the limit)` : ''} on ${report.customers} customers: r = ${r.toFixed(4)}, alpha = ${alpha.toFixed(4)}, a = ${a.toFixed(4)}, b = ${b.toFixed(4)}, LL = ${report.logLikelihood.toFixed(1)}`,
    `Holdout: ${report.holdoutLength.toFixed(2)} ${report.unit}s. Total repeat purchases: actual ${report.actualTotal}, predicted ${report.predictedTotal.toFixed(1)} (${percent(report.relativeError)}); naive x/T baseline ${report.naive.predictedTotal.toFixed(1)} (${percent((report.naive.predictedTotal - report.actualTotal) / report.actualTotal)})`,
    `Mean absolute error per customer: BG/NBD ${report.meanAbsoluteError.toFixed(3)}, naive ${report.naive.meanAbsoluteError.toFixed(3)}`,
    '',
    '| x (calibration) | customers | mean actual | mean predicted (BG/NBD) | mean naive (x/T) |',
    '|---|---:|---:|---:|---:|',
    ...report.buckets.map(
      (bucket) =>
        `| ${bucket.label} | ${bucket.customers} | ${bucket.meanActual.toFixed(3)} | ${bucket.meanPredicted.toFixed(3)} | ${bucket.meanNaive.toFixed(3)} |`,
    ),
  ];
  return lines.join('\n');
};

const percent = (ratio: number): string => `${ratio >= 0 ? '+' : ''}${(100 * ratio).toFixed(2)}%`;

/**
 * Parses CDNOW_master.txt (header line, then `customer_id YYYYMMDD cds dollars`, space
 * separated, CRLF) into transactions. Throws on a malformed line.
 */
export const parseCdnowMaster = (text: string): Transaction[] => {
  const transactions: Transaction[] = [];
  const lines = text.split(/\r?\n/);
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') continue;
    const [id, date, , dollars] = fields;
    if (
      fields.length !== 4 ||
      !id ||
      !date ||
      !/^\d{8}$/.test(date) ||
      !dollars ||
      !Number.isFinite(Number(dollars))
    ) {
      throw new Error(`unexpected CDNOW line: ${JSON.stringify(line)}`);
    }
    transactions.push({
      customerId: id,
      at: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`,
      value: Number(dollars),
    });
  }
  return transactions;
};
