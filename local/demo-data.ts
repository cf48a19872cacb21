/**
 * Realistic demo traffic for the local runtime's first start: a year of Segment HTTP Tracking
 * API messages (E-commerce Spec v2) from shoppers who each follow a persona, so the segments
 * the service finds have something real to separate.
 *
 * Pure and seeded: the same options always give byte-identical messages, including messageIds,
 * so loading the demo twice is idempotent (the service drops the duplicates).
 *
 * This module is the generator; its parts are demo-random.ts (seeded draws), demo-catalogue.ts and
 * demo-catalogue.data.ts (the products), demo-personas.ts (who shops how), demo-visit-plans.ts (when
 * each shopper visits) and demo-sessions.ts (the Segment calls of one visit).
 */
import { CATEGORIES } from './demo-catalogue.data';
import { assignPersonas, type Persona, type PersonaStyle, STYLES } from './demo-personas';
import { mixSeed, mulberry32, pickWeighted, type Rng } from './demo-random';
import {
  DAY_MS,
  type Draft,
  emitIdentify,
  runSession,
  type SegmentMessage,
  type ShopperContext,
} from './demo-sessions';
import { PLANS, type Span, schedule } from './demo-visit-plans';

export interface DemoOptions {
  seed?: number;
  shoppers?: number;
  /** The span ends here; no message is later. */
  end: Date;
  days?: number;
}

export interface DemoShopper {
  userId: string;
  persona: Persona;
}

const shopperTaste = (rng: Rng, style: PersonaStyle): number[] => {
  const favourite = pickWeighted(rng, CATEGORIES, style.taste);
  return CATEGORIES.map((c, i) => (style.taste[i] ?? 0) * (c === favourite ? 3 : 1));
};

const simulateShopper = (base: Omit<ShopperContext, 'taste' | 'counters'>, persona: Persona, span: Span) => {
  const taste = shopperTaste(base.rng, base.style);
  const ctx: ShopperContext = { ...base, taste, counters: { orders: 0, carts: 0 } };
  const visits = schedule(span, PLANS[persona](base.rng, span));
  // Whole seconds, floored, so a visit never moves past `end` or before the span's start.
  const at = (ago: number) => Math.floor((base.endMs - ago * DAY_MS) / 1000) * 1000;
  const first = visits[0];
  if (first) emitIdentify(ctx, at(first.ago));
  for (const visit of visits) runSession(ctx, at(visit.ago), visit.intent);
};

const validate = (options: DemoOptions) => {
  const { seed = 42, shoppers = 300, days = 365, end } = options;
  if (!(end instanceof Date) || Number.isNaN(end.getTime())) throw new RangeError('end must be a valid Date');
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  if (!Number.isInteger(shoppers) || shoppers < 0)
    throw new RangeError('shoppers must be a non-negative integer');
  if (!Number.isFinite(days) || days < 1) throw new RangeError('days must be at least 1');
  return { seed, shoppers, days, endMs: end.getTime() };
};

export const demoTraffic = (
  options: DemoOptions,
): { shoppers: DemoShopper[]; messages: SegmentMessage[] } => {
  const { seed, shoppers: count, days, endMs } = validate(options);
  const span: Span = { days, recent: Math.min(30, days), quiet: Math.min(180, days / 2) };
  const personas = assignPersonas(mulberry32(seed), count);
  const drafts: Draft[][] = [];
  const shoppers = personas.map((persona, i): DemoShopper => {
    const number = String(i + 1).padStart(4, '0');
    const userId = `demo-user-${number}`;
    const out: Draft[] = [];
    // A stream per shopper: one persona's rules can change without reshuffling everyone else.
    const rng = mulberry32(mixSeed(seed, i));
    simulateShopper({ rng, seed, userId, number, endMs, style: STYLES[persona], out }, persona, span);
    drafts.push(out);
    return { userId, persona };
  });
  // Sorted by time. The sort is stable, so ties keep shopper then emission order and an
  // identify stays ahead of the page call of the same instant.
  const ordered = drafts.flat().sort((a, b) => a.ms - b.ms);
  const messages = ordered.map(({ message }, n): SegmentMessage => {
    const { type, userId, timestamp, ...rest } = message;
    return { type, messageId: `demo-${seed}-${String(n + 1).padStart(6, '0')}`, userId, timestamp, ...rest };
  });
  return { shoppers, messages };
};
