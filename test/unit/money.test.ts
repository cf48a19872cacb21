import { describe, expect, it } from 'vitest';
import { addMoney, parseMoney } from '#shared/kernel/money';

describe('parseMoney', () => {
  it.each([
    [19.99, 19.99],
    ['19.99', 19.99],
    ['$19.99', 19.99],
    ['€5', 5],
    ['1,299.00', 1299],
    ['USD 12.5', 12.5],
    ['12.50 EUR', 12.5],
    [0, 0],
  ])('reads %j as %d', (input, expected) => {
    expect(parseMoney(input)).toEqual({ ok: true, value: expected });
  });

  it.each([['abc'], ['12.3.4'], [-1], [Number.POSITIVE_INFINITY], [1e308], [null], [{}], [[1]], ['']])(
    'rejects %j',
    (input) => {
      expect(parseMoney(input).ok).toBe(false);
    },
  );
});

describe('addMoney', () => {
  it('sums cents exactly whatever the order', () => {
    const amounts = [0.1, 0.2, 19.99, 0.01, 1234.56, 0.07];
    const forward = amounts.reduce(addMoney, 0);
    const backward = [...amounts].reverse().reduce(addMoney, 0);
    expect(forward).toBe(1254.93);
    expect(backward).toBe(forward);
  });
});
