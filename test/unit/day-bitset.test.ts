import { describe, expect, it } from 'vitest';
import { addDays, countDays } from '#shared/ingestion/domain/day-bitset';

describe('day bitset', () => {
  it('counts distinct days, however often and in whatever order they are added', () => {
    let set = addDays(null, [10_000, 10_005]);
    set = addDays(set, [10_005, 9_990, 10_100]);
    set = addDays(set, [9_990]);
    expect(countDays(set)).toBe(4);
    expect(countDays(addDays(set, []))).toBe(4);
    expect(countDays(null)).toBe(0);
  });

  it('stays small: twenty years of daily activity in about 1 KB', () => {
    const days = Array.from({ length: 7300 }, (_, i) => 3000 + i);
    const set = addDays(null, days);
    expect(countDays(set)).toBe(7300);
    expect(set?.bits.length).toBeLessThan(1300);
  });
});
