import { describe, expect, it } from 'vitest';
import { matrixFromRows, rowOf, takeRows } from '#shared/segmentation/domain/clustering/matrix';

describe('matrix', () => {
  const m = matrixFromRows([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);

  it('stores rows row-major', () => {
    expect(m.rows).toBe(3);
    expect(m.cols).toBe(2);
    expect([...m.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...rowOf(m, 1)]).toEqual([3, 4]);
  });

  it('takes rows in the given order', () => {
    const t = takeRows(m, [2, 0]);
    expect(t.rows).toBe(2);
    expect([...t.data]).toEqual([5, 6, 1, 2]);
    expect(() => takeRows(m, [3])).toThrow(RangeError);
  });

  it('rejects ragged rows', () => {
    expect(() => matrixFromRows([[1, 2], [3]])).toThrow(RangeError);
    expect(matrixFromRows([]).rows).toBe(0);
  });
});
