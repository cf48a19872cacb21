/**
 * The demo shoppers' visit plans: when each persona's shoppers visit, in days before the end of
 * the span, and with what intent (buy, abandon a cart, browse), then scheduled so that visits do
 * not overlap.
 */
import type { Persona } from './demo-personas';
import { chance, int, type Rng, uniform } from './demo-random';

export type Intent = 'buy' | 'abandon' | 'browse';

interface Visit {
  /** Days before the end of the span. */
  readonly ago: number;
  readonly intent: Intent;
}

export interface Span {
  readonly days: number;
  /** New buyers are first seen within this many days. */
  readonly recent: number;
  /** Lapsed shoppers have not been seen for at least this many days. */
  readonly quiet: number;
}

/** Sessions start at least this long before `end`, so a whole session fits in the span. */
const MIN_AGO = 0.1;
/** Visits closer than this would interleave their funnels. */
const MIN_GAP = 0.1;

const clampAgo = (span: Span, ago: number): number => Math.min(Math.max(ago, MIN_AGO), span.days - 0.02);

/** Visits from `from` days ago towards the end, one every minGap..maxGap days. */
const every = (rng: Rng, from: number, minGap: number, maxGap: number, intent: Intent): Visit[] => {
  const visits: Visit[] = [];
  for (let ago = from; ago >= MIN_AGO; ago -= uniform(rng, minGap, maxGap)) visits.push({ ago, intent });
  return visits;
};

const scatter = (rng: Rng, count: number, from: number, to: number, intent: () => Intent): Visit[] =>
  Array.from({ length: count }, () => ({ ago: uniform(rng, to, from), intent: intent() }));

type Planner = (rng: Rng, span: Span) => Visit[];

export const PLANS: Readonly<Record<Persona, Planner>> = {
  // Joined a good while ago and still orders every one to three weeks, so the last order is recent.
  champion: (rng, { days }) => {
    const first = uniform(rng, 0.55 * days, days);
    return [
      { ago: first, intent: 'browse' },
      ...every(rng, first - uniform(rng, 0.5, 4), 7, 21, 'buy'),
      ...scatter(rng, int(rng, 2, 5), first, MIN_AGO, () => 'browse'),
    ];
  },
  loyal_regular: (rng, { days }) => {
    const first = uniform(rng, 0.5 * days, days);
    return [
      { ago: first, intent: 'browse' },
      ...every(rng, first - uniform(rng, 1, 10), 26, 34, 'buy'),
      ...scatter(rng, int(rng, 2, 5), first, MIN_AGO, () => 'browse'),
    ];
  },
  // Waits for deals: buys every few weeks, and fills carts it leaves until a coupon turns up.
  bargain_hunter: (rng, { days }) => {
    const first = uniform(rng, 0.35 * days, days);
    return [
      { ago: first, intent: 'browse' },
      ...every(rng, first - uniform(rng, 1, 7), 18, 45, 'buy'),
      ...scatter(rng, int(rng, 3, 7), first, MIN_AGO, () => (chance(rng, 0.4) ? 'abandon' : 'browse')),
    ];
  },
  window_shopper: (rng, { days }) => {
    const first = uniform(rng, 0.1 * days, days);
    const visits: Visit[] = [
      { ago: first, intent: 'browse' },
      ...scatter(rng, int(rng, 8, 16), first, MIN_AGO, () => (chance(rng, 0.65) ? 'abandon' : 'browse')),
    ];
    if (chance(rng, 0.1)) visits.push({ ago: uniform(rng, MIN_AGO, first), intent: 'buy' });
    return visits;
  },
  // Several orders early in the span, then silence.
  lapsed: (rng, { days, quiet }) => {
    const last = Math.min(quiet + uniform(rng, 5, 45), 0.7 * days);
    const first = uniform(rng, (last + days) / 2, days);
    const orders = int(rng, 3, 6);
    const stride = (first - last) / orders;
    return [
      { ago: first, intent: 'browse' },
      ...Array.from(
        { length: orders },
        (_, k): Visit => ({ ago: last + stride * (k + uniform(rng, 0.1, 0.9)), intent: 'buy' }),
      ),
      ...scatter(rng, int(rng, 0, 3), first, last, () => 'browse'),
    ];
  },
  new_buyer: (rng, { recent }) => {
    const first = uniform(rng, Math.min(1, recent / 2), recent - 0.5);
    const browsedFirst = chance(rng, 0.4);
    const firstOrder = browsedFirst ? first - uniform(rng, 0.2, 3) : first;
    const visits: Visit[] = [{ ago: firstOrder, intent: 'buy' }];
    if (browsedFirst) visits.push({ ago: first, intent: 'browse' });
    if (chance(rng, 0.4) && firstOrder - 1 > MIN_AGO)
      visits.push({ ago: uniform(rng, MIN_AGO, firstOrder - 1), intent: 'buy' });
    return visits;
  },
  // One order some time ago; may have come back to look, never to buy.
  one_time: (rng, { days }) => {
    const first = uniform(rng, Math.min(60, 0.3 * days), days);
    const browsedFirst = chance(rng, 0.5);
    const order = browsedFirst ? first - uniform(rng, 0.2, 3) : first;
    return [
      ...(browsedFirst ? [{ ago: first, intent: 'browse' as const }] : []),
      { ago: order, intent: 'buy' },
      ...scatter(rng, int(rng, 0, 2), order, MIN_AGO, () => 'browse'),
    ];
  },
};

/** Keeps every purchase, drops other visits too close to a kept one, and sorts oldest first. */
export const schedule = (span: Span, visits: readonly Visit[]): Visit[] => {
  const clamped = visits.map((v) => ({ ...v, ago: clampAgo(span, v.ago) }));
  const kept = clamped.filter((v) => v.intent === 'buy');
  for (const v of clamped) {
    if (v.intent !== 'buy' && kept.every((k) => Math.abs(k.ago - v.ago) >= MIN_GAP)) kept.push(v);
  }
  return kept.sort((a, b) => b.ago - a.ago);
};
