/** Dense row-major matrix: one Float64Array keeps 1M × 10 points at 80 MB instead of ~1 GB of number[][]. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export const matrixFromRows = (rows: readonly (readonly number[])[]): Matrix => {
  const cols = rows[0]?.length ?? 0;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new RangeError(`row ${i} has ${row.length} values, expected ${cols}`);
    data.set(row, i * cols);
  });
  return { rows: rows.length, cols, data };
};

/** A view, not a copy: writing to it writes to the matrix. */
export const rowOf = (m: Matrix, i: number): Float64Array => m.data.subarray(i * m.cols, (i + 1) * m.cols);

export const takeRows = (m: Matrix, indices: ArrayLike<number>): Matrix => {
  const data = new Float64Array(indices.length * m.cols);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r] as number;
    if (!(i >= 0 && i < m.rows)) throw new RangeError(`row index ${i} out of range [0, ${m.rows})`);
    data.set(rowOf(m, i), r * m.cols);
  }
  return { rows: indices.length, cols: m.cols, data };
};
