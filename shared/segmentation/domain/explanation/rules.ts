/**
 * Explains clusters with a shallow decision tree fitted to their labels: K-means boundaries are
 * not readable, "orders in the last year ≥ 4 and last order < 30 days ago" is. The agreement says
 * how much of the clustering the rules capture.
 */
import type { FeatureName, RawFeatures } from '../features/features';
import { formatMoney, formatNumber, formatPercent, niceBetween } from './format';
import type { RuleStat } from './segment-figures';

export interface RuleSet {
  readonly agreement: number;
  readonly rules: Record<number, string[]>;
  /** Per label, each rule of `rules` (same order) with its precision and coverage on the rows fitted. */
  readonly details: Record<number, RuleStat[]>;
}

interface Leaf {
  readonly label: number;
  readonly size: number;
  readonly text: string;
  /** The tree the leaf belongs to, and the leaf: to count the rows that reach it. */
  readonly tree: Node;
  readonly node: Node;
}

type Node =
  | { readonly kind: 'leaf'; readonly label: number; readonly size: number }
  | {
      readonly kind: 'split';
      readonly feature: FeatureName;
      /** Midpoint between the neighbouring values: rows below go left. */
      readonly threshold: number;
      /** The round number shown instead; it separates the training rows the same way. */
      readonly shown: number;
      readonly left: Node;
      readonly right: Node;
    };

interface Grow {
  readonly values: readonly Float64Array[];
  readonly classes: Int32Array;
  readonly labelOf: readonly number[];
  readonly features: readonly FeatureName[];
  readonly maxDepth: number;
  readonly minLeaf: number;
}

/**
 * CART with Gini impurity. Ties go to the earlier feature, then the lower threshold, so the same
 * rows always give the same tree. Missing values count as 0.
 */
export const fitRules = (
  rows: readonly Partial<RawFeatures>[],
  labels: ArrayLike<number>,
  features: readonly FeatureName[],
  options: { maxDepth?: number; minLeaf?: number; currency?: string } = {},
): RuleSet => {
  if (labels.length !== rows.length) throw new Error(`${rows.length} rows but ${labels.length} labels`);
  const labelOf = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const classOf = new Map(labelOf.map((l, c) => [l, c]));
  const g: Grow = {
    values: features.map((f) => Float64Array.from(rows, (r) => finiteOr0(r[f]))),
    classes: Int32Array.from(labels, (l) => classOf.get(l) ?? 0),
    labelOf,
    features,
    maxDepth: options.maxDepth ?? 3,
    // Leaves under 1% of the sample describe noise, not a segment.
    minLeaf: Math.max(1, options.minLeaf ?? Math.floor(rows.length / 100)),
  };
  const rules: Record<number, string[]> = Object.fromEntries(labelOf.map((l) => [l, []]));
  const details: Record<number, RuleStat[]> = Object.fromEntries(labelOf.map((l) => [l, []]));
  if (rows.length === 0) return { agreement: 0, rules, details };

  const tree = grow(
    g,
    Array.from(rows, (_, i) => i),
    0,
  );
  const leaves: Leaf[] = [];
  collect(tree, tree, [], options.currency ?? 'USD', leaves);
  for (const label of labelOf)
    if (!leaves.some((leaf) => leaf.label === label))
      leaves.push(...oneVsRest(g, label, options.currency ?? 'USD'));
  const stats = leafStats(g, leaves, labels);
  leaves
    .map((leaf, i) => ({ leaf, stat: stats[i] as { precision: number; coverage: number } }))
    .sort((a, b) => b.leaf.size - a.leaf.size)
    .forEach(({ leaf, stat }) => {
      rules[leaf.label]?.push(leaf.text);
      details[leaf.label]?.push({ rule: leaf.text, ...stat });
    });

  let correct = 0;
  rows.forEach((_, i) => {
    if (predict(tree, g, i) === labels[i]) correct++;
  });
  return { agreement: correct / rows.length, rules, details };
};

/**
 * Each leaf's precision (of the rows the rule matches, the share in its segment) and coverage (of
 * its segment's rows, the share the rule matches), over the rows the rules were fitted on, each row
 * counted once (a one-vs-rest tree's repeated rows too).
 */
const leafStats = (g: Grow, leaves: readonly Leaf[], labels: ArrayLike<number>) => {
  const reached = new Map<Node, { n: number; own: number }>();
  const trees = [...new Set(leaves.map((leaf) => leaf.tree))];
  const perLabel = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    perLabel.set(label, (perLabel.get(label) ?? 0) + 1);
  }
  for (const tree of trees)
    for (let i = 0; i < labels.length; i++) {
      const leaf = leafOf(tree, g, i);
      const counts = reached.get(leaf) ?? { n: 0, own: 0 };
      counts.n += 1;
      if (labels[i] === leafLabel(leaves, leaf)) counts.own += 1;
      reached.set(leaf, counts);
    }
  return leaves.map((leaf) => {
    const counts = reached.get(leaf.node) ?? { n: 0, own: 0 };
    const members = perLabel.get(leaf.label) ?? 0;
    const rate = (x: number, of: number) => (of > 0 ? Math.round((x / of) * 10_000) / 10_000 : 0);
    return { precision: rate(counts.own, counts.n), coverage: rate(counts.own, members) };
  });
};

/** The label a collected leaf stands for (a one-vs-rest leaf's is the segment's, not its tree's class). */
const leafLabel = (leaves: readonly Leaf[], node: Node): number | undefined =>
  leaves.find((leaf) => leaf.node === node)?.label;

const leafOf = (node: Node, g: Grow, i: number): Node => {
  let at = node;
  while (at.kind === 'split') {
    const x = g.values[g.features.indexOf(at.feature)]?.[i] ?? 0;
    at = x < at.threshold ? at.left : at.right;
  }
  return at;
};

/**
 * A segment that wins no leaf of the shared tree (a small one, or more segments than leaves)
 * still gets its own rule: a tree of it against the rest, with its rows repeated until both
 * sides weigh the same, so that the leaves it dominates say what sets it apart.
 */
const oneVsRest = (g: Grow, label: number, currency: string): Leaf[] => {
  const own = g.classes.reduce((n, c) => n + (g.labelOf[c] === label ? 1 : 0), 0);
  if (own === 0) return [];
  const copies = Math.max(1, Math.round((g.classes.length - own) / own));
  const idx: number[] = [];
  g.classes.forEach((c, i) => {
    for (let k = g.labelOf[c] === label ? copies : 1; k > 0; k--) idx.push(i);
  });
  const binary: Grow = {
    ...g,
    classes: Int32Array.from(g.classes, (c) => (g.labelOf[c] === label ? 1 : 0)),
    labelOf: [-1, label],
    minLeaf: g.minLeaf * 2,
  };
  const out: Leaf[] = [];
  const tree = grow(binary, idx, 0);
  collect(tree, tree, [], currency, out);
  return out.filter((leaf) => leaf.label === label).map((leaf) => ({ ...leaf, size: 0 }));
};

const finiteOr0 = (x: number | undefined): number => (x !== undefined && Number.isFinite(x) ? x : 0);

const majority = (g: Grow, idx: readonly number[]): { label: number; pure: boolean } => {
  const counts = new Array<number>(g.labelOf.length).fill(0);
  for (const i of idx) {
    const c = g.classes[i] as number;
    counts[c] = (counts[c] ?? 0) + 1;
  }
  let best = 0;
  counts.forEach((n, c) => {
    if (n > (counts[best] as number)) best = c;
  });
  return { label: g.labelOf[best] as number, pure: counts[best] === idx.length };
};

const grow = (g: Grow, idx: number[], depth: number): Node => {
  const { label, pure } = majority(g, idx);
  const leaf: Node = { kind: 'leaf', label, size: idx.length };
  if (pure || depth >= g.maxDepth || idx.length < 2 * g.minLeaf) return leaf;
  const split = bestSplit(g, idx);
  if (!split) return leaf;
  const column = g.values[split.f] as Float64Array;
  const left = grow(
    g,
    idx.filter((i) => (column[i] as number) < split.threshold),
    depth + 1,
  );
  const right = grow(
    g,
    idx.filter((i) => (column[i] as number) >= split.threshold),
    depth + 1,
  );
  // A split whose sides predict the same segment explains nothing: keep the simpler rule.
  if (left.kind === 'leaf' && right.kind === 'leaf' && left.label === right.label) return leaf;
  return {
    kind: 'split',
    feature: g.features[split.f] as FeatureName,
    threshold: split.threshold,
    shown: niceBetween(split.lo, split.hi),
    left,
    right,
  };
};

/**
 * Best Gini split over midpoints of sorted distinct values. Impurity is kept as n × Gini
 * = n − Σ count² / n per side, updated in O(1) per row as rows move from right to left.
 */
const bestSplit = (g: Grow, idx: readonly number[]) => {
  const n = idx.length;
  const total = new Array<number>(g.labelOf.length).fill(0);
  for (const i of idx) {
    const c = g.classes[i] as number;
    total[c] = (total[c] ?? 0) + 1;
  }
  const totalSq = total.reduce((s, c) => s + c * c, 0);
  let best: { f: number; threshold: number; lo: number; hi: number } | undefined;
  // A split must lower impurity by more than rounding noise; equal candidates keep the first found.
  let bestImpurity = n - totalSq / n - 1e-9;

  g.values.forEach((column, f) => {
    const order = [...idx].sort((a, b) => (column[a] as number) - (column[b] as number) || a - b);
    const left = new Array<number>(total.length).fill(0);
    const right = [...total];
    let leftSq = 0;
    let rightSq = totalSq;
    for (let k = 0; k < n - 1; k++) {
      const c = g.classes[order[k] as number] as number;
      leftSq += 2 * (left[c] as number) + 1;
      left[c] = (left[c] as number) + 1;
      rightSq -= 2 * (right[c] as number) - 1;
      right[c] = (right[c] as number) - 1;
      const lo = column[order[k] as number] as number;
      const hi = column[order[k + 1] as number] as number;
      const nl = k + 1;
      const nr = n - nl;
      if (lo === hi || nl < g.minLeaf || nr < g.minLeaf) continue;
      const impurity = nl - leftSq / nl + (nr - rightSq / nr);
      if (impurity < bestImpurity - 1e-12) {
        bestImpurity = impurity;
        best = { f, threshold: (lo + hi) / 2, lo, hi };
      }
    }
  });
  return best;
};

const predict = (node: Node, g: Grow, i: number): number => {
  let at = node;
  while (at.kind === 'split') {
    const x = g.values[g.features.indexOf(at.feature)]?.[i] ?? 0;
    at = x < at.threshold ? at.left : at.right;
  }
  return at.label;
};

interface Condition {
  readonly feature: FeatureName;
  readonly below: boolean;
  readonly value: number;
}

const collect = (tree: Node, node: Node, path: readonly Condition[], currency: string, out: Leaf[]): void => {
  if (node.kind === 'leaf') {
    out.push({ label: node.label, size: node.size, text: phrase(path, currency), tree, node });
    return;
  }
  collect(
    tree,
    node.left,
    [...path, { feature: node.feature, below: true, value: node.shown }],
    currency,
    out,
  );
  collect(
    tree,
    node.right,
    [...path, { feature: node.feature, below: false, value: node.shown }],
    currency,
    out,
  );
};

const LABELS: Record<
  FeatureName,
  { readonly text: string; readonly unit: 'ago' | 'days' | 'count' | 'money' | 'rate' }
> = {
  recencyDays: { text: 'last order', unit: 'ago' },
  frequency365: { text: 'orders in the last year', unit: 'count' },
  monetary365: { text: 'spent in the last year', unit: 'money' },
  lifetimeOrders: { text: 'orders ever', unit: 'count' },
  lifetimeRevenue: { text: 'spent ever', unit: 'money' },
  averageOrderValue: { text: 'average order', unit: 'money' },
  tenureDays: { text: 'first seen', unit: 'ago' },
  meanDaysBetweenOrders: { text: 'days between orders', unit: 'days' },
  productViews365: { text: 'product views in the last year', unit: 'count' },
  cartAdds365: { text: 'cart adds in the last year', unit: 'count' },
  cartAbandonment: { text: 'cart abandonment', unit: 'rate' },
  viewToPurchase: { text: 'orders per product view', unit: 'rate' },
  refundRate: { text: 'refund rate', unit: 'rate' },
  discountShare: { text: 'share of orders with a coupon', unit: 'rate' },
  categoryBreadth: { text: 'categories bought', unit: 'count' },
  pAlive: { text: 'probability of still being active', unit: 'rate' },
  expectedOrders: { text: 'expected orders in the next 90 days', unit: 'count' },
  predictedValue: { text: 'predicted 12-month value', unit: 'money' },
};

/** A feature's name for people ("orders in the last year"). */
export const featureLabel = (feature: FeatureName): string => LABELS[feature].text;

const formatValue = (feature: FeatureName, x: number, currency: string): string => {
  switch (LABELS[feature].unit) {
    case 'ago':
      return `${formatNumber(x, 1)} days ago`;
    case 'money':
      return formatMoney(x, currency);
    case 'rate':
      return formatPercent(x);
    default:
      return formatNumber(x, 2);
  }
};

/** Conditions on one feature merge into one bound pair; features keep their order along the path. */
const phrase = (path: readonly Condition[], currency: string): string => {
  if (path.length === 0) return 'all shoppers';
  const bounds = new Map<FeatureName, { min?: number; max?: number }>();
  for (const { feature, below, value } of path) {
    const b = bounds.get(feature) ?? {};
    if (below) b.max = Math.min(b.max ?? value, value);
    else b.min = Math.max(b.min ?? value, value);
    bounds.set(feature, b);
  }
  return [...bounds]
    .map(([feature, { min, max }]) => {
      const parts: string[] = [];
      if (min !== undefined) parts.push(`≥ ${formatValue(feature, min, currency)}`);
      if (max !== undefined) parts.push(`< ${formatValue(feature, max, currency)}`);
      return `${LABELS[feature].text} ${parts.join(' and ')}`;
    })
    .join(' and ');
};
