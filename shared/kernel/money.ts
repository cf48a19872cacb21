/**
 * Money arithmetic on plain numbers kept to 4 decimal places: every amount is rounded on the
 * way in and every sum rounded on the way out, so sums are exact (for totals below ~9e11)
 * and do not depend on the order in which events are applied.
 */
const SCALE = 10_000;
export const MAX_AMOUNT = 1_000_000_000;

export const roundMoney = (value: number): number => Math.round(value * SCALE) / SCALE;

export const addMoney = (a: number, b: number): number => Math.round(a * SCALE + b * SCALE) / SCALE;

export type MoneyParse = { ok: true; value: number } | { ok: false; reason: string };

// Accepts what shop front-ends send: 19.99, "19.99", "$19.99", "1,299.00 USD", "€5".
const MONEY_STRING =
  /^\s*(?:[A-Z]{3}\s*)?[$€£¥]?\s*(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)\s*(?:[A-Z]{3})?\s*$/;

export const parseMoney = (input: unknown): MoneyParse => {
  let value: number;
  if (typeof input === 'number') {
    value = input;
  } else if (typeof input === 'string') {
    const match = MONEY_STRING.exec(input);
    if (!match?.[1]) return { ok: false, reason: 'is not a money amount' };
    value = Number(match[1].replaceAll(',', ''));
  } else {
    return { ok: false, reason: 'must be a number or a money string' };
  }
  if (!Number.isFinite(value)) return { ok: false, reason: 'must be a finite number' };
  if (value < 0) return { ok: false, reason: 'must not be negative' };
  if (value > MAX_AMOUNT) return { ok: false, reason: `must be at most ${MAX_AMOUNT}` };
  return { ok: true, value: roundMoney(value) };
};
