/**
 * The classic RFM grid that marketers already use (Klaviyo, AWS guidance): the baseline every
 * learned segmentation must beat. R = days since the last order, F = distinct order days,
 * M = revenue; each scored 1–5 by rank quintile (most recent = 5), FM = round((F + M) / 2), and
 * eleven named cells, first match wins.
 */
import { purchaseSummaryOfProfile } from '#shared/customer-value/domain/profile-summary';
import type { PurchaseSummary } from '#shared/customer-value/domain/summary';
import type { Profile } from '#shared/ingestion/domain/profile';
import { type RawFeatures, rawFeatures } from '../features/features';
import { averageRanks } from './separation';

export interface RfmFigures {
  readonly recencyDays: number;
  readonly orderDays: number;
  readonly revenue: number;
}

export const RFM_GRID_NAMES = [
  'Champions',
  'Loyal',
  'Potential loyalists',
  'New',
  'Promising',
  'Need attention',
  'About to sleep',
  "Can't lose",
  'At risk',
  'Hibernating',
  'Lost',
] as const;
export type RfmGridName = (typeof RFM_GRID_NAMES)[number];

/** Quintile 1..5 of each value by its average rank: ties share a score. */
export const quintileScores = (values: ArrayLike<number>): Int32Array => {
  const ranks = averageRanks(values);
  const n = values.length;
  return Int32Array.from(ranks, (r) => Math.min(5, 1 + Math.floor((5 * (r - 0.5)) / n)));
};

export const gridCell = (r: number, fm: number): RfmGridName => {
  if (r >= 4 && fm >= 4) return 'Champions';
  if (r >= 3 && fm >= 3) return 'Loyal';
  if (r >= 4 && fm >= 2) return 'Potential loyalists';
  if (r === 5) return 'New';
  if (r === 4) return 'Promising';
  if (r === 3 && fm === 2) return 'Need attention';
  if (r === 3) return 'About to sleep';
  if (fm >= 4) return "Can't lose";
  if (fm >= 3) return 'At risk';
  if (r === 2) return 'Hibernating';
  return 'Lost';
};

/** Each shopper's grid cell, as an index into RFM_GRID_NAMES. */
export const rfmGridLabels = (rows: readonly RfmFigures[]): Int32Array => {
  const r = quintileScores(rows.map((x) => -x.recencyDays));
  const f = quintileScores(rows.map((x) => x.orderDays));
  const m = quintileScores(rows.map((x) => x.revenue));
  return Int32Array.from(rows, (_, i) =>
    RFM_GRID_NAMES.indexOf(gridCell(r[i] as number, Math.round(((f[i] as number) + (m[i] as number)) / 2))),
  );
};

/** The grid's figures from a buyer's features and purchase summary (in days) as of one date. */
export const rfmFigures = (
  features: Pick<RawFeatures, 'recencyDays'>,
  summary: Pick<PurchaseSummary, 'x'>,
  revenue: number,
): RfmFigures => ({ recencyDays: features.recencyDays, orderDays: summary.x + 1, revenue });

/** A buyer's grid figures as of a date; null for a shopper with no order by then. */
export const rfmFiguresOf = (profile: Profile, asOf: Date): RfmFigures | null => {
  const features = rawFeatures(profile, asOf);
  const summary = purchaseSummaryOfProfile(profile, asOf);
  return features && summary ? rfmFigures(features, summary, profile.revenue) : null;
};
