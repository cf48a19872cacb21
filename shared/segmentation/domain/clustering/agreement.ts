/**
 * Counts of points per (from, to) label pair, e.g. shoppers moving between segments across a retrain.
 * Keys are in ascending order at both levels so reports iterate deterministically.
 */
export const migrationMatrix = (
  from: ArrayLike<number>,
  to: ArrayLike<number>,
): Map<number, Map<number, number>> => {
  if (from.length !== to.length) throw new RangeError(`label lengths differ: ${from.length} vs ${to.length}`);
  const counts = new Map<number, Map<number, number>>();
  for (let i = 0; i < from.length; i++) {
    const a = from[i] as number;
    const b = to[i] as number;
    const row = counts.get(a) ?? new Map<number, number>();
    row.set(b, (row.get(b) ?? 0) + 1);
    counts.set(a, row);
  }
  const ascending = <V>(m: Map<number, V>): [number, V][] => [...m].sort(([x], [y]) => x - y);
  return new Map(ascending(counts).map(([a, row]) => [a, new Map(ascending(row))]));
};

const pairs = (n: number): number => (n * (n - 1)) / 2;

/**
 * Adjusted Rand index (Hubert & Arabie 1985): 1 for the same partition under any relabelling, about 0 for
 * chance agreement. The only inputs where it is 0/0 (both one cluster, both all singletons, fewer than two
 * points) are identical partitions, so they score 1, as in scikit-learn.
 */
export const adjustedRandIndex = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  const table = migrationMatrix(a, b);
  const columns = new Map<number, number>();
  let index = 0;
  let rowPairs = 0;
  for (const row of table.values()) {
    let rowTotal = 0;
    for (const [label, count] of row) {
      index += pairs(count);
      rowTotal += count;
      columns.set(label, (columns.get(label) ?? 0) + count);
    }
    rowPairs += pairs(rowTotal);
  }
  let columnPairs = 0;
  for (const count of columns.values()) columnPairs += pairs(count);
  const expected = a.length < 2 ? 0 : (rowPairs * columnPairs) / pairs(a.length);
  const max = (rowPairs + columnPairs) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
};
