/**
 * Minimum-cost assignment (Hungarian algorithm with potentials, O(n³)). A rectangular matrix is
 * padded to square with zero-cost dummy rows or columns, which cannot change which real pairs are
 * optimal. Returns, for each row, its column or -1 when it went to a dummy.
 */
export const hungarian = (cost: readonly (readonly number[])[]): number[] => {
  const rows = cost.length;
  const cols = cost.reduce((m, r) => Math.max(m, r.length), 0);
  const n = Math.max(rows, cols);
  if (n === 0) return [];
  const a = (i: number, j: number): number => {
    const c = cost[i - 1]?.[j - 1] ?? 0;
    if (!Number.isFinite(c)) throw new Error(`cost [${i - 1}][${j - 1}] is not finite`);
    return c;
  };
  // 1-based; column 0 is the virtual start of each augmenting path.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const rowOfCol = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    rowOfCol[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = rowOfCol[j0] as number;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const reduced = a(i0, j) - (u[i0] as number) - (v[j] as number);
        if (reduced < (minv[j] as number)) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if ((minv[j] as number) < delta) {
          delta = minv[j] as number;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          const r = rowOfCol[j] as number;
          u[r] = (u[r] as number) + delta;
          v[j] = (v[j] as number) - delta;
        } else {
          minv[j] = (minv[j] as number) - delta;
        }
      }
      j0 = j1;
    } while (rowOfCol[j0] !== 0);
    do {
      const j1 = way[j0] as number;
      rowOfCol[j0] = rowOfCol[j1] as number;
      j0 = j1;
    } while (j0 !== 0);
  }
  const assignment = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= cols; j++) {
    const i = rowOfCol[j] as number;
    if (i >= 1 && i <= rows) assignment[i - 1] = j - 1;
  }
  return assignment;
};
