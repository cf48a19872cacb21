/**
 * Do the segments separate what shoppers do next? The product's segments against the baselines
 * marketers already use, on the same buyers, as of the calibration date: the RFM grid, and
 * K-means on standardised log R, F, M (K by silhouette, and with the product's K).
 */
import { trainKMeans } from '#shared/segmentation/domain/clustering/kmeans';
import type { Matrix } from '#shared/segmentation/domain/clustering/matrix';
import { silhouette } from '#shared/segmentation/domain/clustering/quality';
import { scoreProfile } from '#shared/segmentation/domain/score-profile';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import {
  RFM_GRID_NAMES,
  type RfmFigures,
  rfmFiguresOf,
  rfmGridLabels,
} from '#shared/segmentation/domain/validation/rfm-grid';
import {
  etaSquared,
  largestShare,
  segmentAuc,
  spearman,
} from '#shared/segmentation/domain/validation/separation';
import type { Replay } from './replay';

export interface SegmentationScore {
  readonly method: string;
  readonly segments: number;
  readonly largestShare: number;
  readonly auc: number;
  readonly etaSquared: number;
  /** Spearman ρ between the names' RFM rank and the segments' buy rates; null where names are not RFM names. */
  readonly nameOrder: number | null;
}

export interface SegmentEvaluation {
  readonly dataset: string;
  readonly asOf: string;
  readonly horizonDays: number;
  readonly buyers: number;
  readonly buyRate: number;
  readonly scores: readonly SegmentationScore[];
  /** Per segment of the product's model: name, share, buy rate, mean future revenue. */
  readonly productSegments: readonly {
    readonly id: string;
    readonly name: string;
    readonly share: number;
    readonly buyRate: number;
    readonly meanFutureRevenue: number;
  }[];
  readonly model: { readonly version: string; readonly k: number; readonly features: readonly string[] };
}

/** RFM rank of a name, 1 = Champions; a suffixed name ("Loyal (high value)") ranks as its base. */
export const nameRank = (name: string): number | null => {
  const base = name.replace(/ \(.*\)$/, '');
  const i = (RFM_GRID_NAMES as readonly string[]).indexOf(base);
  return i < 0 ? null : i + 1;
};

/** ρ between name quality (best = highest) and buy rate, over the segments with RFM names. */
export const nameOrder = (
  names: readonly string[],
  labels: ArrayLike<number>,
  bought: readonly boolean[],
): number | null => {
  const rates = names.map(() => ({ n: 0, pos: 0 }));
  for (let i = 0; i < labels.length; i++) {
    const cell = rates[labels[i] as number];
    if (!cell) continue;
    cell.n += 1;
    if (bought[i]) cell.pos += 1;
  }
  const ranked = names.flatMap((name, i) => {
    const rank = nameRank(name);
    const cell = rates[i] as { n: number; pos: number };
    return rank === null || cell.n === 0 ? [] : [{ rank, rate: cell.pos / cell.n }];
  });
  if (ranked.length < 2) return null;
  return spearman(
    ranked.map((r) => -r.rank),
    ranked.map((r) => r.rate),
  );
};

const score = (
  method: string,
  labels: Int32Array,
  bought: readonly boolean[],
  logRevenue: Float64Array,
  names: readonly string[] | null,
): SegmentationScore => ({
  method,
  segments: new Set(labels).size,
  largestShare: largestShare(labels),
  auc: segmentAuc(labels, bought),
  etaSquared: etaSquared(labels, logRevenue),
  nameOrder: names ? nameOrder(names, labels, bought) : null,
});

/** Standardised log1p of R, F, M: the textbook K-means segmentation. */
const logRfmMatrix = (rows: readonly RfmFigures[]): Matrix => {
  const cols = 3;
  const data = new Float64Array(rows.length * cols);
  const columns = [
    rows.map((r) => Math.log1p(r.recencyDays)),
    rows.map((r) => Math.log1p(r.orderDays)),
    rows.map((r) => Math.log1p(Math.max(0, r.revenue))),
  ];
  columns.forEach((values, j) => {
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length) || 1;
    values.forEach((v, i) => {
      data[i * cols + j] = (v - mean) / sd;
    });
  });
  return { rows: rows.length, cols, data };
};

const SEED = 42;

export const logRfmKMeans = (matrix: Matrix, k: number): Int32Array =>
  trainKMeans(matrix, k, { seed: SEED, sampleSize: matrix.rows, restarts: 4 }).labels;

/** K over 3..10 by the mean silhouette of a seeded sample, as a data scientist would pick it. */
export const logRfmBySilhouette = (matrix: Matrix): { k: number; labels: Int32Array } => {
  let best: { k: number; value: number; labels: Int32Array } = {
    k: 0,
    value: Number.NEGATIVE_INFINITY,
    labels: new Int32Array(),
  };
  for (let k = 3; k <= 10; k++) {
    const labels = logRfmKMeans(matrix, k);
    const value = silhouette(matrix, labels, k, { seed: SEED, sampleSize: 2_000 });
    if (value > best.value) best = { k, value, labels };
  }
  return { k: best.k, labels: best.labels };
};

/** Scores the product's model (already trained on the replayed profiles) and the baselines. */
export const evaluateSegments = (replay: Replay, model: SegmentModel): SegmentEvaluation => {
  const withFigures = [...replay.profiles.values()].flatMap((profile) => {
    const figures = rfmFiguresOf(profile, replay.asOf);
    return figures ? [{ profile, figures }] : [];
  });
  const buyers = withFigures.map((b) => b.profile);
  const rfm = withFigures.map((b) => b.figures);
  const bought = buyers.map((p) => (replay.outcomes.get(p.shopperId)?.orders ?? 0) > 0);
  const logRevenue = Float64Array.from(buyers, (p) =>
    Math.log1p(replay.outcomes.get(p.shopperId)?.revenue ?? 0),
  );

  const index = new Map(model.segments.map((s, i) => [s.id, i]));
  const ours = Int32Array.from(buyers, (p) => index.get(scoreProfile(model, p, replay.asOf).segmentId) ?? -1);
  const grid = rfmGridLabels(rfm);
  const matrix = logRfmMatrix(rfm);
  const bySilhouette = logRfmBySilhouette(matrix);
  const k = model.segments.length;

  const scores = [
    score(
      'product',
      ours,
      bought,
      logRevenue,
      model.segments.map((s) => s.name),
    ),
    score('RFM grid', grid, bought, logRevenue, RFM_GRID_NAMES),
    score(
      `log-RFM K-means, K by silhouette (${bySilhouette.k})`,
      bySilhouette.labels,
      bought,
      logRevenue,
      null,
    ),
    score(`log-RFM K-means, product's K (${k})`, logRfmKMeans(matrix, k), bought, logRevenue, null),
  ];
  const productSegments = model.segments.map((s, i) => {
    let n = 0;
    let pos = 0;
    let revenue = 0;
    ours.forEach((label, j) => {
      if (label !== i) return;
      n += 1;
      if (bought[j]) pos += 1;
      revenue += replay.outcomes.get(buyers[j]?.shopperId ?? '')?.revenue ?? 0;
    });
    return {
      id: s.id,
      name: s.name,
      share: buyers.length > 0 ? n / buyers.length : 0,
      buyRate: n > 0 ? pos / n : 0,
      meanFutureRevenue: n > 0 ? revenue / n : 0,
    };
  });
  return {
    dataset: replay.dataset.name,
    asOf: replay.asOf.toISOString().slice(0, 10),
    horizonDays: replay.dataset.horizonDays,
    buyers: buyers.length,
    buyRate: bought.filter(Boolean).length / Math.max(1, buyers.length),
    scores,
    productSegments,
    model: { version: model.version, k, features: model.transform.features },
  };
};

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export const segmentsTable = (e: SegmentEvaluation): string =>
  [
    `${e.buyers} buyers as of ${e.asOf}; ${pct(e.buyRate)} ordered in the next ${e.horizonDays} days.`,
    '',
    '| segmentation | segments | largest | AUC "buys again" | η² log future revenue | name order ρ |',
    '|---|---|---|---|---|---|',
    ...e.scores.map(
      (s) =>
        `| ${s.method} | ${s.segments} | ${pct(s.largestShare)} | ${s.auc.toFixed(3)} | ${s.etaSquared.toFixed(3)} | ${s.nameOrder === null ? '—' : s.nameOrder.toFixed(2)} |`,
    ),
    '',
    `Product segments (model clustered on ${e.model.features.join(', ')}):`,
    '',
    '| segment | name | share | bought again | mean future revenue |',
    '|---|---|---|---|---|',
    ...e.productSegments.map(
      (s) =>
        `| ${s.id} | ${s.name} | ${pct(s.share)} | ${pct(s.buyRate)} | ${s.meanFutureRevenue.toFixed(2)} |`,
    ),
  ].join('\n');
