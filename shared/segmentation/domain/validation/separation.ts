/**
 * How well a segmentation separates what shoppers do next: the measures the evaluation and the
 * retrain's backtest share. Pure; every function takes one label per shopper (any integers) and
 * the outcome in the same order.
 */

/** Per label: shoppers, and the sum of the outcome. */
const groupSums = (
  labels: ArrayLike<number>,
  values: ArrayLike<number>,
): Map<number, { n: number; sum: number }> => {
  if (labels.length !== values.length)
    throw new RangeError(`${labels.length} labels for ${values.length} values`);
  const groups = new Map<number, { n: number; sum: number }>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    const g = groups.get(label) ?? { n: 0, sum: 0 };
    g.n += 1;
    g.sum += values[i] as number;
    groups.set(label, g);
  }
  return groups;
};

/**
 * AUC of a binary outcome when each shopper is scored by their segment's rate of that outcome:
 * the chance that a random positive scores above a random negative, ties counting half. 0.5 is a
 * coin flip; with no positives or no negatives there is nothing to rank and the answer is 0.5.
 */
export const segmentAuc = (labels: ArrayLike<number>, positive: ArrayLike<boolean>): number => {
  const groups = groupSums(
    labels,
    Array.from(positive, (p) => (p ? 1 : 0)),
  );
  const cells = [...groups.values()]
    .map((g) => ({ rate: g.sum / g.n, pos: g.sum, neg: g.n - g.sum }))
    .sort((a, b) => a.rate - b.rate);
  const totalPos = cells.reduce((s, c) => s + c.pos, 0);
  const totalNeg = cells.reduce((s, c) => s + c.neg, 0);
  if (totalPos === 0 || totalNeg === 0) return 0.5;
  let negBelow = 0;
  let wins = 0;
  // Cells of equal rate tie with each other: gather them before counting.
  for (let i = 0; i < cells.length; ) {
    let j = i;
    let pos = 0;
    let neg = 0;
    while (j < cells.length && (cells[j] as { rate: number }).rate === (cells[i] as { rate: number }).rate) {
      pos += (cells[j] as { pos: number }).pos;
      neg += (cells[j] as { neg: number }).neg;
      j++;
    }
    wins += pos * negBelow + 0.5 * pos * neg;
    negBelow += neg;
    i = j;
  }
  return wins / (totalPos * totalNeg);
};

/** η²: the share of the outcome's variance explained by segment means (0 with no variance). */
export const etaSquared = (labels: ArrayLike<number>, values: ArrayLike<number>): number => {
  const groups = groupSums(labels, values);
  const n = values.length;
  if (n === 0) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] as number;
  mean /= n;
  let total = 0;
  for (let i = 0; i < n; i++) total += ((values[i] as number) - mean) ** 2;
  if (total <= 0) return 0;
  let between = 0;
  for (const g of groups.values()) between += g.n * (g.sum / g.n - mean) ** 2;
  return between / total;
};

/** Ranks 1..n, ties sharing their average rank. */
export const averageRanks = (values: ArrayLike<number>): Float64Array => {
  const order = Array.from({ length: values.length }, (_, i) => i).sort(
    (a, b) => (values[a] as number) - (values[b] as number),
  );
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1] as number] === values[order[i] as number]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = rank;
    i = j + 1;
  }
  return ranks;
};

/** Spearman's ρ: Pearson correlation of average ranks; 0 when either side is constant. */
export const spearman = (x: ArrayLike<number>, y: ArrayLike<number>): number => {
  if (x.length !== y.length) throw new RangeError(`${x.length} values against ${y.length}`);
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const n = rx.length;
  const mx = rx.reduce((s, v) => s + v, 0) / n;
  const my = ry.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (rx[i] as number) - mx;
    const dy = (ry[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
};

/** Shoppers per label, largest first, as shares of all. */
export const largestShare = (labels: ArrayLike<number>): number => {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++)
    counts.set(labels[i] as number, (counts.get(labels[i] as number) ?? 0) + 1);
  return labels.length > 0 ? Math.max(...counts.values()) / labels.length : 0;
};

/**
 * Standard error of an AUC (Hanley & McNeil 1982) with `positives` and `negatives` cases: how
 * far two AUCs on the same shoppers can differ by chance alone.
 */
export const aucStandardError = (auc: number, positives: number, negatives: number): number => {
  if (positives === 0 || negatives === 0) return 0;
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance =
    (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) /
    (positives * negatives);
  return Math.sqrt(Math.max(0, variance));
};

/**
 * Standard error of an η² (an R² of the segment means) over `n` shoppers in `groups` segments,
 * by the Olkin–Finn large-sample approximation: Var ≈ 4R²(1 − R²)²(n − k − 1)² / ((n² − 1)(n + 3))
 * with k = groups − 1 predictors.
 */
export const etaSquaredStandardError = (eta: number, n: number, groups: number): number => {
  const k = groups - 1;
  if (n <= k + 1) return 0;
  const variance = (4 * eta * (1 - eta) ** 2 * (n - k - 1) ** 2) / ((n * n - 1) * (n + 3));
  return Math.sqrt(Math.max(0, variance));
};
