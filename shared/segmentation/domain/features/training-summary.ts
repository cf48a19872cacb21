/**
 * What training needs from a snapshot, as a bounded, JSON-serialisable summary that merges: a
 * worker builds one per part of the snapshot (`TrainingSummaryBuilder`), summaries are merged in
 * any grouping (`mergeTrainingSummaries`), and training takes `trainingDataOf(summary)` (see
 * training-data.ts).
 *
 * Held: the prospect and buyer counts, buyers per currency, the first order time (all exact), a
 * sample of buyers' raw features and purchase summaries (the training rows), and a sample of
 * buyers' backtest rows. Each sample is the bottom k on a seeded hash of the shopper id (see
 * bottom-k-sample.ts): k = `maxRows` training rows keyed with `seed`, k = `backtestSample`
 * backtest entries keyed independently with `seed + 7`. So the shoppers sampled are the same
 * whatever the partitioning and the order of the parts, and so is the summary: rows are in key
 * order. With no more buyers than k, nothing is dropped: the rows are every buyer's.
 *
 * A snapshot's segment workers each summarise one random share of the shoppers (`shareOf`): each
 * sample then keeps only about what its share can contribute to the merged bottom k (`shareCap`),
 * so what the assembly reads grows with k, not with the number of segments × k. A sample that had
 * to drop shoppers records its cutoff (the largest key kept); a merge keeps only the rows at or
 * below every cutoff merged in, so it is always the exact bottom-k' sample (k' ≤ k) of the union,
 * never a biased one, and k' = k unless a share held far more than its part.
 *
 * A backtest entry holds the shopper's row for each horizon still possible. The horizon is the
 * longest that leaves two thirds of the history (backtest.ts), and the history only grows as
 * earlier first orders are merged in: once the first order time makes horizon h possible, the
 * shorter ones can never be chosen, and entries keep only the horizons up to h
 * (`backtestHorizons`, a prefix of BACKTEST_HORIZONS, longest first).
 *
 * Size, serialised (JSON.stringify, measured on CDNOW, Online Retail H1 and the bench's synthetic
 * shoppers): about 480 bytes a training row (470-490); a backtest entry about 550 bytes (515-570)
 * once the history fixes the 90-day horizon, about 900 with three horizons, 2.0-2.1 KB with all
 * four (while the history is under 33 days). Numbers in bytes of JSON, not of heap. So a summary
 * is at most about 0.48 KB × maxRows + 0.55 KB × backtestSample (+ a few hundred bytes), whatever
 * the number of profiles added: a 20,000-profile part about 20 MB, the backtest sample at its
 * default 20,000 about 11 MB, and the retrain's default 200,000 training rows about 100 MB (2,000,000: about 1 GB).
 */

import { purchaseSummaryOfProfile } from '#shared/customer-value/domain/profile-summary';
import type { PurchaseSummary, TimeUnit } from '#shared/customer-value/domain/summary';
import type { Profile } from '#shared/ingestion/domain/profile';
import { BACKTEST_HORIZONS, type BacktestRow, backtestHorizon, backtestRow } from '../training/backtest';
import { BottomKSample, type Keyed, keyOrder, shopperKey } from './bottom-k-sample';
import { type RawFeatures, rawFeatures } from './features';

const DAY_MS = 86_400_000;
/** Backtest shoppers kept: enough for AUC and η² to a few thousandths, cheap to cluster 30 times. */
export const BACKTEST_SAMPLE = 20_000;
/** The backtest sample's key seed, from the training seed: independent of the training rows' keys. */
const BACKTEST_SEED_OFFSET = 7;
const FORMAT = 'training-summary/1';

export interface TrainingSummaryOptions {
  readonly asOf: Date;
  /** k of the training rows' sample (finite, like every number of the summary, to survive JSON). */
  readonly maxRows: number;
  /** Seeds the training rows' keys; the backtest's are seeded with `seed + 7`. */
  readonly seed: number;
  readonly clv: { readonly unit: TimeUnit; readonly calibrationDays: number | null };
  /** k of the backtest sample (default BACKTEST_SAMPLE; 0: no backtest). */
  readonly backtestSample?: number;
  /**
   * The profiles added are one of this many about equal, random shares of the population (the
   * parallel Scan segments of a snapshot, cut by a hash of the key): each sample then keeps only
   * what that share can contribute to the merged bottom k, with a wide margin (`shareCap`).
   * Default 1: the whole population.
   */
  readonly shareOf?: number;
}

/**
 * How many of a bottom-k sample one of `shares` equal random shares must keep so that the merge
 * loses nothing: the share's count in the merged k is Binomial(k, 1/shares), and twice its mean
 * plus six standard deviations is never reached in practice. If it were (very unequal shares),
 * the merge still yields a uniform sample, only a smaller one (see the cutoffs).
 */
export const shareCap = (k: number, shares: number): number => {
  if (shares <= 1) return k;
  const mean = k / shares;
  return Math.min(k, Math.ceil(2 * mean + 6 * Math.sqrt(mean) + 10));
};

/** A sampled buyer's training row. */
export interface SampledBuyer extends Keyed {
  readonly features: RawFeatures;
  readonly purchase: PurchaseSummary | null;
}

/** A sampled buyer's backtest rows: one per horizon still possible (null: no order before that cut). */
export interface SampledBacktest extends Keyed {
  readonly rows: readonly (BacktestRow | null)[];
}

/**
 * A sample's cutoff: the largest (key, shopper) kept once an item was dropped, here or in a
 * summary merged in; null when nothing was. The sample holds every buyer at or below it.
 */
export type SampleCutoff = Keyed | null;

/** Plain data only: `JSON.parse(JSON.stringify(summary))` is the same summary. */
export interface TrainingSummary {
  readonly format: typeof FORMAT;
  /** The options it was built with (summaries merge only with the same). */
  readonly asOf: string;
  readonly seed: number;
  readonly maxRows: number;
  readonly backtestSample: number;
  readonly clv: { readonly unit: TimeUnit; readonly calibrationDays: number | null };
  readonly prospects: number;
  readonly buyers: number;
  /** Buyers per profile currency, by currency code. */
  readonly currencies: Readonly<Record<string, number>>;
  /** The earliest buyer's first order, epoch milliseconds; null when none. */
  readonly firstOrderTime: number | null;
  /** At most `maxRows` buyers, the bottom k by `shopperKey(seed, id)`, in key order. */
  readonly rows: readonly SampledBuyer[];
  readonly rowsCutoff: SampleCutoff;
  /** How many of BACKTEST_HORIZONS (longest first) each backtest entry holds: those still possible. */
  readonly backtestHorizons: number;
  /** At most `backtestSample` buyers, the bottom k by `shopperKey(seed + 7, id)`, in key order. */
  readonly backtest: readonly SampledBacktest[];
  readonly backtestCutoff: SampleCutoff;
}

/** The history, in days, from the first order to as-of (0 with no order): it decides the horizon. */
export const historyDaysOf = (asOf: Date, firstOrderTime: number | null): number =>
  firstOrderTime === null ? 0 : (asOf.getTime() - firstOrderTime) / DAY_MS;

/** How many horizons, longest first, can still be chosen: up to the one the history allows now. */
const horizonsStillPossible = (asOf: Date, firstOrderTime: number | null): number => {
  const horizon = backtestHorizon(historyDaysOf(asOf, firstOrderTime));
  return horizon === null
    ? BACKTEST_HORIZONS.length
    : BACKTEST_HORIZONS.indexOf(horizon as (typeof BACKTEST_HORIZONS)[number]) + 1;
};

const withHorizons = (entry: SampledBacktest, horizons: number): SampledBacktest =>
  entry.rows.length > horizons ? { ...entry, rows: entry.rows.slice(0, horizons) } : entry;

const lower = (a: SampleCutoff, b: SampleCutoff): SampleCutoff =>
  a === null ? b : b === null ? a : keyOrder(a, b) <= 0 ? a : b;

/**
 * The sample's items at or below the cutoff of everything merged into it: only those are known
 * to hold every buyer up to there, so the result is a bottom-k' sample (k' ≤ k) of the union.
 * In key order: what is trained on them (K-means seeding) depends on row order, and this one
 * is the same however the shoppers were cut into segments and parts, or scanned.
 */
const keptBelow = <T extends Keyed>(sample: BottomKSample<T>, merged: SampleCutoff) => {
  const cutoff = lower(sample.cutoff(), merged);
  const items = sample.items();
  return {
    items: cutoff === null ? items : items.filter((item) => keyOrder(item, cutoff) <= 0),
    cutoff,
  };
};

const sortedCounts = (counts: Iterable<readonly [string, number]>): Record<string, number> =>
  Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Builds the summary of the profiles added, in one pass, holding at most the two samples' k rows. */
export class TrainingSummaryBuilder {
  private readonly rows: BottomKSample<SampledBuyer>;
  private readonly backtests: BottomKSample<SampledBacktest>;
  private readonly currencies = new Map<string, number>();
  private readonly backtestSeed: number;
  private prospects = 0;
  private buyers = 0;
  private firstOrderTime: number | null = null;
  private horizons: number = BACKTEST_HORIZONS.length;
  private rowsCutoff: SampleCutoff = null;
  private backtestCutoff: SampleCutoff = null;

  constructor(private readonly options: TrainingSummaryOptions) {
    const shares = options.shareOf ?? 1;
    this.rows = new BottomKSample(shareCap(options.maxRows, shares));
    this.backtests = new BottomKSample(shareCap(options.backtestSample ?? BACKTEST_SAMPLE, shares));
    this.backtestSeed = options.seed + BACKTEST_SEED_OFFSET;
  }

  add(profile: Profile): void {
    const { asOf, seed, clv } = this.options;
    const features = rawFeatures(profile, asOf);
    if (!features) {
      this.prospects += 1;
      return;
    }
    const { shopperId, currency, firstOrderAt } = profile;
    if (currency) this.currencies.set(currency, (this.currencies.get(currency) ?? 0) + 1);
    const firstOrder = firstOrderAt ? Date.parse(firstOrderAt) : Number.NaN;
    if (firstOrder < (this.firstOrderTime ?? Number.POSITIVE_INFINITY)) {
      this.firstOrderTime = firstOrder;
      this.horizons = Math.min(this.horizons, horizonsStillPossible(asOf, firstOrder));
    }
    this.buyers += 1;
    // Keys first: the purchase summary and the backtest rows are built only for the shoppers kept.
    const key = shopperKey(seed, shopperId);
    if (this.rows.offer({ shopperId, key }))
      this.rows.add({
        shopperId,
        key,
        features,
        purchase: purchaseSummaryOfProfile(profile, asOf, clv.unit, clv.calibrationDays),
      });
    const backtestKey = shopperKey(this.backtestSeed, shopperId);
    if (this.backtests.offer({ shopperId, key: backtestKey }))
      this.backtests.add({
        shopperId,
        key: backtestKey,
        rows: BACKTEST_HORIZONS.slice(0, this.horizons).map((h) => backtestRow(profile, asOf, h)),
      });
  }

  /**
   * Adds the profiles a summary built with the same options holds: counts added, the earlier
   * first order kept, its sampled rows offered to the samples. Folding parts' summaries in here costs O(rows log k), whatever the number of parts.
   */
  addSummary(summary: TrainingSummary): void {
    const own = this.header();
    if (!sameOptions(own, summary))
      throw new Error(
        `training summaries built with different options cannot be merged: ${JSON.stringify(own)} vs ${JSON.stringify(optionsOf(summary))}`,
      );
    this.prospects += summary.prospects;
    this.buyers += summary.buyers;
    for (const [code, n] of Object.entries(summary.currencies))
      this.currencies.set(code, (this.currencies.get(code) ?? 0) + n);
    if (
      summary.firstOrderTime !== null &&
      summary.firstOrderTime < (this.firstOrderTime ?? Number.POSITIVE_INFINITY)
    )
      this.firstOrderTime = summary.firstOrderTime;
    // The union's history is the longer one: what it still allows is the fewer of the two.
    this.horizons = Math.min(this.horizons, summary.backtestHorizons);
    this.rowsCutoff = lower(this.rowsCutoff, summary.rowsCutoff);
    this.backtestCutoff = lower(this.backtestCutoff, summary.backtestCutoff);
    for (const row of summary.rows) this.rows.add(row);
    for (const entry of summary.backtest) this.backtests.add(entry);
  }

  summary(): TrainingSummary {
    const rows = keptBelow(this.rows, this.rowsCutoff);
    const backtest = keptBelow(this.backtests, this.backtestCutoff);
    return {
      ...this.header(),
      prospects: this.prospects,
      buyers: this.buyers,
      currencies: sortedCounts(this.currencies),
      firstOrderTime: this.firstOrderTime,
      rows: rows.items,
      rowsCutoff: rows.cutoff,
      backtestHorizons: this.horizons,
      backtest: backtest.items.map((entry) => withHorizons(entry, this.horizons)),
      backtestCutoff: backtest.cutoff,
    };
  }

  private header(): SummaryHeader {
    return headerOf(this.options);
  }
}

/** What a summary built with these options says it was built with. */
const headerOf = (options: TrainingSummaryOptions): SummaryHeader => ({
  format: FORMAT,
  asOf: options.asOf.toISOString(),
  seed: options.seed,
  maxRows: options.maxRows,
  backtestSample: options.backtestSample ?? BACKTEST_SAMPLE,
  clv: { unit: options.clv.unit, calibrationDays: options.clv.calibrationDays },
});

/** The summary of no profiles: the identity of `mergeTrainingSummaries`. */
export const emptyTrainingSummary = (options: TrainingSummaryOptions): TrainingSummary =>
  new TrainingSummaryBuilder(options).summary();

type SummaryHeader = Pick<TrainingSummary, 'format' | 'asOf' | 'seed' | 'maxRows' | 'backtestSample' | 'clv'>;

const optionsOf = (s: TrainingSummary): SummaryHeader => ({
  format: s.format,
  asOf: s.asOf,
  seed: s.seed,
  maxRows: s.maxRows,
  backtestSample: s.backtestSample,
  clv: s.clv,
});

const sameOptions = (a: SummaryHeader, b: SummaryHeader): boolean =>
  a.format === b.format &&
  a.asOf === b.asOf &&
  a.seed === b.seed &&
  a.maxRows === b.maxRows &&
  a.backtestSample === b.backtestSample &&
  a.clv.unit === b.clv.unit &&
  a.clv.calibrationDays === b.clv.calibrationDays;

/** The options a summary was built with, for a builder that merges it with others like it. */
export const optionsOfSummary = (summary: TrainingSummary): TrainingSummaryOptions => ({
  asOf: new Date(summary.asOf),
  seed: summary.seed,
  maxRows: summary.maxRows,
  backtestSample: summary.backtestSample,
  clv: summary.clv,
});

/**
 * Whether a summary was built with these options, so training (or a drift check) may take it as
 * its own: the same as-of time, seed, sample sizes and customer value unit and window. A drift
 * check reads no backtest (`backtest: false` ignores its sample size).
 */
export const summaryBuiltWith = (
  summary: TrainingSummary,
  options: TrainingSummaryOptions,
  { backtest = true }: { readonly backtest?: boolean } = {},
): boolean => {
  const [built, wanted] = [optionsOf(summary), headerOf(options)];
  return backtest
    ? sameOptions(built, wanted)
    : sameOptions({ ...built, backtestSample: 0 }, { ...wanted, backtestSample: 0 });
};

/**
 * The summary of `a`'s profiles and `b`'s together: counts added, the earlier first order, each
 * sample the k smallest keys of both. The result does not depend on the grouping or order of
 * merges. Throws if the two were built with different options. To fold
 * many parts, `TrainingSummaryBuilder.addSummary` avoids copying the growing summary each time.
 */
export const mergeTrainingSummaries = (a: TrainingSummary, b: TrainingSummary): TrainingSummary => {
  const merged = new TrainingSummaryBuilder(optionsOfSummary(a));
  merged.addSummary(a);
  merged.addSummary(b);
  return merged.summary();
};
