/**
 * Number phrasing for segment descriptions and rules. Locale-free on purpose: the same model must
 * read the same on every machine.
 */

const SYMBOLS: Record<string, string> = { USD: '$', EUR: '€', GBP: '£' };

const withThousands = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Up to `decimals` decimals, trailing zeros dropped. */
export const formatNumber = (x: number, decimals = 0): string => {
  const fixed = (Math.round(x * 10 ** decimals) / 10 ** decimals).toFixed(decimals);
  const [int = '0', frac] = fixed.split('.');
  const trimmed = frac?.replace(/0+$/, '');
  return `${withThousands(int)}${trimmed ? `.${trimmed}` : ''}`;
};

/** Counts as typical values: one decimal below 10 (a centroid's 1.4 orders), whole above. */
export const formatCount = (x: number): string => formatNumber(x, Math.abs(x) < 10 ? 1 : 0);

export const formatMoney = (x: number, currency = 'USD'): string => {
  const amount = formatNumber(x, Math.abs(x) < 10 ? 2 : 0);
  const symbol = SYMBOLS[currency];
  return symbol ? `${symbol}${amount}` : `${currency} ${amount}`;
};

export const formatPercent = (rate: number): string => `${formatNumber(rate * 100, rate < 0.1 ? 1 : 0)}%`;

/** "12 days", "5 months", "2 years": days are too fine beyond two months. */
export const formatDays = (days: number): string => {
  const plural = (n: string, unit: string) => `${n} ${unit}${n === '1' ? '' : 's'}`;
  if (days < 60) return plural(formatNumber(days), 'day');
  if (days < 730) return plural(formatNumber(days / 30.4), 'month');
  return plural(formatNumber(days / 365, 1), 'year');
};

/**
 * The roundest number c with lo < c ≤ hi (1000, 500, 100, 50, 10, 5, 1, 0.5, …), so a split
 * between 27 and 34 days reads "30 days". Any such c separates the same training values.
 */
export const niceBetween = (lo: number, hi: number): number => {
  if (!(hi > lo)) return hi;
  let unit = 10 ** Math.ceil(Math.log10(Math.max(Math.abs(lo), Math.abs(hi), 1e-12)));
  for (let i = 0; i < 40; i++) {
    for (const u of [unit, unit / 2]) {
      const c = Number(((Math.floor(lo / u) + 1) * u).toPrecision(12));
      if (c > lo && c <= hi) return c;
    }
    unit /= 10;
  }
  return hi;
};
