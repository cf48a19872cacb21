/**
 * What a profile's last write left pending, made durable: shared by every write of a shopper
 * (ingest-events.ts) and by identity stitching before it turns a profile into a link
 * (identity-links.ts). See docs/exactly-once.md.
 */
import { isOrderBehaviour } from '#shared/ingestion/domain/behaviour';
import type { ShopperEvent } from '#shared/ingestion/domain/shopper-event';
import { type EventLedger, eventKey, type LedgerItem, orderKey } from '#shared/ingestion/ports/event-ledger';
import type { PendingLedger, PendingOrder } from '#shared/ingestion/ports/profile-store';

export const orderKeysOf = (events: readonly ShopperEvent[]): string[] =>
  events
    .filter((e) => e.orderId !== undefined && isOrderBehaviour(e.behaviour))
    .map((e) => orderKey(e.orderId as string));

export const byTimeThenId = (a: ShopperEvent, b: ShopperEvent) =>
  a.at.localeCompare(b.at) || a.messageId.localeCompare(b.messageId);

export const orderMarkerOf = (
  event: ShopperEvent,
  orderId: string,
  defaultCurrency: string,
): PendingOrder => ({
  key: orderKey(orderId),
  messageId: event.messageId,
  at: event.at,
  amount: event.amount ?? 0,
  currency: event.currency ?? defaultCurrency,
});

/**
 * The ledger items that make every pending entry durable, with the content its own delivery
 * would have written: the event when this chunk carries it again, else a receipt (the event
 * was applied; its body is gone with the abandoned delivery), and each order's stored marker.
 * Entries of profiles written before order markers were kept (bare `o#` keys) are resolved by
 * the earliest recovered Order Completed carrying them, or stay pending.
 */
export const recoveryOf = (
  shopperId: string,
  pending: PendingLedger,
  events: readonly ShopperEvent[],
  isDurable: (key: string) => boolean,
  defaultCurrency: string,
) => {
  const eventsByKey = new Map(events.map((e) => [eventKey(e.messageId), e]));
  const items: LedgerItem[] = [];
  const receipts: LedgerItem[] = [];
  const unresolved: string[] = [];
  for (const key of pending.keys) {
    if (isDurable(key)) continue;
    if (key.startsWith('o#')) {
      const owner = events
        .filter((e) => e.behaviour === 'order_completed' && e.orderId !== undefined)
        .filter((e) => orderKey(e.orderId as string) === key && pending.keys.includes(eventKey(e.messageId)))
        .sort(byTimeThenId)[0];
      if (owner)
        items.push({
          kind: 'order',
          shopperId,
          ...orderMarkerOf(owner, owner.orderId as string, defaultCurrency),
        });
      else unresolved.push(key);
      continue;
    }
    const event = eventsByKey.get(key);
    if (event) items.push({ kind: 'event', shopperId, key, event });
    else receipts.push({ kind: 'receipt', shopperId, key });
  }
  for (const order of pending.orders)
    if (!isDurable(order.key)) items.push({ kind: 'order', shopperId, ...order });
  return { items, receipts, unresolved };
};

/** Makes a profile's pending entries durable in its own partition (before it becomes a link). */
export const recoverPending = async (
  shopperId: string,
  pending: PendingLedger,
  ledger: EventLedger,
  defaultCurrency: string,
): Promise<void> => {
  const keys = [...pending.keys, ...pending.orders.map((o) => o.key)];
  if (keys.length === 0) return;
  const found = await ledger.find(shopperId, keys);
  const recovery = recoveryOf(shopperId, pending, [], (key) => found.has(key), defaultCurrency);
  if (recovery.items.length > 0) await ledger.write(recovery.items);
  if (recovery.receipts.length > 0) await ledger.writeMissing(recovery.receipts);
};
