/**
 * A generated scenario as applyEvents takes it: per shopper, its messages normalised, with what
 * the ledger would know of each (which order copy counts, what a refund knows of its order).
 * In the order the scenario planned them; callers that need behaviour-time order sort.
 */
import { normaliseMessage } from '#shared/activation/domain/segment-message';
import type { EventToApply } from '#shared/ingestion/domain/apply-events';
import type { ShopperEvent } from '#shared/ingestion/domain/shopper-event';
import { planMessages, renderScenario, type Scenario } from './event-arbitraries';

export const eventsToApplyOf = (scenario: Scenario, now: Date): EventToApply[][] => {
  const rendered = renderScenario(scenario, 'u');
  const planned = planMessages(scenario);
  const events = rendered.messages.map((m) => {
    const result = normaliseMessage(m, { now });
    if (!result.ok) throw new Error(`generated message rejected: ${JSON.stringify(result.rejection)}`);
    return result.event;
  });
  // The first copy of each order counts; what the ledger would know of it.
  const counted = new Map<string, ShopperEvent>();
  planned.forEach((m, i) => {
    if (m.kind === 'order' && m.copy === 0) counted.set(`${m.shopper}/${m.order}`, events[i] as ShopperEvent);
  });
  return scenario.shoppers.map((_, shopper) =>
    planned
      .filter((m) => m.shopper === shopper)
      .map((m): EventToApply => {
        const event = events[m.index] as ShopperEvent;
        if (m.kind === 'order') return m.copy === 0 ? { event } : { event, duplicateOrder: true };
        const order = m.kind === 'reversal' ? counted.get(`${m.shopper}/${m.order}`) : undefined;
        return order
          ? { event, referencedOrder: { amount: order.amount ?? 0, currency: order.currency ?? 'USD' } }
          : { event };
      }),
  );
};
