/**
 * A customer's order history → the (x, t_x, T, mean value) summary the CLV models take.
 *
 * Conventions, as in Fader, Hardie & Lee's CDNOW calibration summary (the 2,357-customer
 * file reproduces exactly with them, 80 customers with same-day orders included):
 * - Purchases are counted per UTC calendar day: several orders on one day are one purchase
 *   (their values summed). x is the number of distinct purchase days after the first.
 * - t_x = last purchase day − first purchase day; T = calibration end day − first purchase
 *   day, both in days divided by the unit (7 for weeks: the paper's t_x = 30.43 is 213/7).
 *   The calibration end day is inclusive: an order on that day belongs to calibration.
 * - meanValue is the mean value of the repeat purchase days (the first purchase excluded,
 *   as in the Gamma-Gamma papers); null when x = 0.
 */

export type TimeUnit = 'day' | 'week';

export const UNIT_DAYS: Readonly<Record<TimeUnit, number>> = { day: 1, week: 7 };

export const DAY_MS = 86_400_000;

export interface Order {
  /** ISO date or timestamp (`1997-01-01`, `1997-01-01T10:00:00Z`) or epoch milliseconds. */
  readonly at: string | number;
  /** Order value in the shop's currency (refunds and zero-value orders allowed). */
  readonly value: number;
}

export interface PurchaseSummary {
  readonly unit: TimeUnit;
  /** Repeat purchases: distinct purchase days after the first, in calibration. */
  readonly x: number;
  /** Last purchase − first purchase, in `unit`. */
  readonly tx: number;
  /** Calibration end − first purchase, in `unit`. */
  readonly T: number;
  /** Mean value of the repeat purchase days; null when x = 0. */
  readonly meanValue: number | null;
}

export interface SummaryOptions {
  /** Last day of the calibration period (inclusive), as an ISO date/timestamp or epoch ms. */
  readonly calibrationEnd: string | number;
  readonly unit?: TimeUnit;
  /**
   * Only orders within this many days up to `calibrationEnd` count, and a customer is
   * observed from their first order inside that window (older history is forgotten: a
   * practical bound for long-lived shops). null or absent: all history.
   */
  readonly calibrationDays?: number | null;
}

/** UTC day number (days since 1970-01-01) of an ISO date/timestamp or epoch ms; NaN if unparseable. */
export const dayNumber = (at: string | number): number => {
  const ms =
    typeof at === 'number'
      ? at
      : /^\d{4}-\d{2}-\d{2}$/.test(at)
        ? Date.parse(`${at}T00:00:00Z`)
        : Date.parse(at);
  return Number.isFinite(ms) ? Math.floor(ms / DAY_MS) : Number.NaN;
};

/** Per purchase day: summed value. Orders with unparseable dates or values are ignored. */
const purchaseDays = (orders: readonly Order[], fromDay: number, toDay: number): Map<number, number> => {
  const days = new Map<number, number>();
  for (const order of orders) {
    const day = dayNumber(order.at);
    if (!Number.isFinite(day) || !Number.isFinite(order.value) || day < fromDay || day > toDay) continue;
    days.set(day, (days.get(day) ?? 0) + order.value);
  }
  return days;
};

/**
 * The calibration summary of one customer's orders, or null when they have no order in the
 * calibration window (not yet a customer at calibration end). Orders after the calibration
 * end are ignored (they are the holdout).
 */
export const summariseOrders = (
  orders: readonly Order[],
  options: SummaryOptions,
): PurchaseSummary | null => {
  const unit = options.unit ?? 'day';
  const endDay = dayNumber(options.calibrationEnd);
  if (!Number.isFinite(endDay))
    throw new Error(`calibrationEnd is not a date: ${String(options.calibrationEnd)}`);
  const window = options.calibrationDays ?? null;
  const fromDay = window === null ? Number.NEGATIVE_INFINITY : endDay - Math.max(0, Math.floor(window)) + 1;
  const days = purchaseDays(orders, fromDay, endDay);
  if (days.size === 0) return null;
  const sorted = [...days.keys()].sort((p, q) => p - q);
  const first = sorted[0] as number;
  const last = sorted[sorted.length - 1] as number;
  const x = sorted.length - 1;
  let repeatValue = 0;
  for (const day of sorted.slice(1)) repeatValue += days.get(day) as number;
  const scale = UNIT_DAYS[unit];
  return {
    unit,
    x,
    tx: (last - first) / scale,
    T: (endDay - first) / scale,
    meanValue: x > 0 ? repeatValue / x : null,
  };
};

/** Distinct purchase days in (afterDay's date, throughDay's date]: the holdout count. */
export const countPurchaseDays = (
  orders: readonly Order[],
  after: string | number,
  through: string | number,
): number => purchaseDays(orders, dayNumber(after) + 1, dayNumber(through)).size;

/** The same summary in another time unit. */
export const convertSummary = (summary: PurchaseSummary, unit: TimeUnit): PurchaseSummary => {
  if (summary.unit === unit) return summary;
  const factor = UNIT_DAYS[summary.unit] / UNIT_DAYS[unit];
  return { ...summary, unit, tx: summary.tx * factor, T: summary.T * factor };
};
