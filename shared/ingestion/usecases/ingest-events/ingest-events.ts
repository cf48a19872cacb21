/**
 * Use case: ingest Segment messages into live profiles, exactly once.
 *
 * Input: the messages of one request, already size-checked and JSON-parsed.
 * Output: how many were accepted, how many of those were duplicates, every rejection by index.
 * Steps:
 *   1. Validate and normalise each message on its own (rejections do not affect the others).
 *   2. Group accepted events by shopper; drop repeats of a messageId within the request.
 *   3. Per shopper, in chunks, with bounded concurrency (one profile write per shopper per chunk):
 *      a. read the profile (consistent) — its version and what its last write left pending;
 *      b. read which ledger keys exist (consistent): the events' and the orders' they refer to,
 *         and the pending ones (with no profile none counts: leftovers of an erase, see
 *         erase-shopper.ts);
 *      c. apply only events neither in the ledger nor pending;
 *      d. make every pending entry durable (the event if re-sent, else a receipt; orders from
 *         their stored marker), then write the profile with only this write's entries pending,
 *         conditional on the version read in (a); on a version conflict go back to (a);
 *      e. write this write's ledger items.
 *   Reading the profile before the ledger is what makes this safe without transactions: an
 *   entry leaves `pending` only in a write made after it was durable. The list is bounded by
 *   one chunk, and an entry whose delivery was abandoned is resolved by the shopper's next write.
 * Errors: storage errors propagate (the caller answers 5xx and the client retries safely).
 */

import {
  MAX_DEPTH,
  type MessageType,
  nestedDeeperThan,
  normaliseMessage,
  type Rejection,
} from '#shared/activation/domain/segment-message';
import { applyEvents, type EventToApply } from '#shared/ingestion/domain/apply-events';
import { isOrderBehaviour } from '#shared/ingestion/domain/behaviour';
import type { ShopperEvent } from '#shared/ingestion/domain/shopper-event';
import { type EventLedger, eventKey, type LedgerItem, orderKey } from '#shared/ingestion/ports/event-ledger';
import {
  NOTHING_PENDING,
  type PendingLedger,
  type PendingOrder,
  type ProfileStore,
} from '#shared/ingestion/ports/profile-store';
import { mapWithConcurrency } from '#shared/kernel/concurrency';
import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';

export interface IngestPorts {
  readonly profiles: ProfileStore;
  readonly ledger: EventLedger;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface IngestConfig {
  readonly defaultCurrency: string;
  readonly maxFutureMs: number;
  /** Events applied per profile write; bounds the profile's pending-key list. */
  readonly chunkSize: number;
  /** Shoppers processed at once. */
  readonly concurrency: number;
  readonly maxWriteAttempts: number;
  /** Segment's per-event limit, measured on the event's JSON. */
  readonly maxEventBytes: number;
}

export const defaultIngestConfig: IngestConfig = {
  defaultCurrency: 'USD',
  maxFutureMs: 24 * 60 * 60 * 1000,
  chunkSize: 200,
  concurrency: 8,
  maxWriteAttempts: 10,
  maxEventBytes: 32 * 1024,
};

export interface IndexedRejection extends Rejection {
  readonly index: number;
}

export interface IngestResult {
  readonly received: number;
  readonly accepted: number;
  /** Accepted events that had been received before: stored once, counted once. */
  readonly duplicates: number;
  readonly rejected: readonly IndexedRejection[];
  /** Shoppers whose profile this request changed (to re-score). */
  readonly changedShoppers: readonly string[];
}

/** Too many concurrent writers on one shopper: the client should retry. */
export class WriteContentionError extends Error {
  override readonly name = 'WriteContentionError';
}

export const ingestEvents = async (
  messages: readonly unknown[],
  ports: IngestPorts,
  config: IngestConfig = defaultIngestConfig,
  forcedType?: MessageType,
): Promise<IngestResult> => {
  const now = ports.clock.now();
  const rejected: IndexedRejection[] = [];
  const byShopper = new Map<string, ShopperEvent[]>();
  const seen = new Set<string>();
  let repeatsInRequest = 0;
  messages.forEach((raw, index) => {
    // Checked first, without recursion: JSON.stringify of a deeply nested value overflows the stack.
    if (nestedDeeperThan(raw, MAX_DEPTH)) {
      rejected.push({ index, field: '(event)', reason: `is nested deeper than ${MAX_DEPTH} levels` });
      return;
    }
    if (Buffer.byteLength(JSON.stringify(raw) ?? '') > config.maxEventBytes) {
      rejected.push({ index, field: '(event)', reason: `is larger than ${config.maxEventBytes} bytes` });
      return;
    }
    const result = normaliseMessage(raw, { now, maxFutureMs: config.maxFutureMs }, forcedType);
    if (!result.ok) {
      rejected.push({ index, ...result.rejection });
      return;
    }
    const { event } = result;
    const id = `${event.shopperId}\u0000${event.messageId}`;
    if (seen.has(id)) {
      repeatsInRequest += 1;
      return;
    }
    seen.add(id);
    const list = byShopper.get(event.shopperId);
    if (list) list.push(event);
    else byShopper.set(event.shopperId, [event]);
  });

  const outcomes = await mapWithConcurrency(
    [...byShopper.entries()],
    config.concurrency,
    async ([shopperId, events]) => {
      let duplicates = 0;
      for (let i = 0; i < events.length; i += config.chunkSize) {
        duplicates += await applyChunk(shopperId, events.slice(i, i + config.chunkSize), ports, config, now);
      }
      return { shopperId, duplicates, applied: events.length - duplicates };
    },
  );
  const duplicates = outcomes.reduce((n, o) => n + o.duplicates, 0) + repeatsInRequest;
  const changedShoppers = outcomes.filter((o) => o.applied > 0).map((o) => o.shopperId);
  const accepted = messages.length - rejected.length;
  ports.logger.info('ingested', {
    received: messages.length,
    accepted,
    duplicates,
    rejected: rejected.length,
    shoppers: byShopper.size,
  });
  return { received: messages.length, accepted, duplicates, rejected, changedShoppers };
};

const orderKeysOf = (events: readonly ShopperEvent[]): string[] =>
  events
    .filter((e) => e.orderId !== undefined && isOrderBehaviour(e.behaviour))
    .map((e) => orderKey(e.orderId as string));

const byTimeThenId = (a: ShopperEvent, b: ShopperEvent) =>
  a.at.localeCompare(b.at) || a.messageId.localeCompare(b.messageId);

const orderMarkerOf = (event: ShopperEvent, orderId: string, defaultCurrency: string): PendingOrder => ({
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
const recoveryOf = (
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

/** Applies one chunk of one shopper's events; returns how many were duplicates. */
const applyChunk = async (
  shopperId: string,
  events: readonly ShopperEvent[],
  ports: IngestPorts,
  config: IngestConfig,
  now: Date,
): Promise<number> => {
  for (let attempt = 0; attempt < config.maxWriteAttempts; attempt++) {
    const stored = await ports.profiles.get(shopperId);
    const pending = stored?.pending ?? NOTHING_PENDING;
    const pendingOrders = new Map(pending.orders.map((o) => [o.key, o]));
    const pendingKeys = new Set(pending.keys);
    const isPending = (key: string) => pendingKeys.has(key) || pendingOrders.has(key);
    const keys = [
      ...new Set([
        ...events.map((e) => eventKey(e.messageId)),
        ...orderKeysOf(events),
        ...pending.keys,
        ...pendingOrders.keys(),
      ]),
    ];
    const read = await ports.ledger.find(shopperId, keys);
    // No profile, no valid ledger item: a profile is always written before its ledger items and
    // only an erase deletes profiles, so items found now are leftovers of an erased shopper (an
    // ingest in flight during the erase). They count for nothing: a later event starts afresh.
    const found = stored ? read : new Map<string, LedgerItem>();
    if (!stored && read.size > 0)
      ports.logger.info('ledger leftovers of an erased shopper ignored', { items: read.size });
    const isDurable = (key: string) => found.has(key);
    const recovery = recoveryOf(shopperId, pending, events, isDurable, config.defaultCurrency);
    const writeRecovery = async () => {
      if (recovery.items.length > 0) await ports.ledger.write(recovery.items);
      if (recovery.receipts.length > 0) await ports.ledger.writeMissing(recovery.receipts);
    };

    const fresh = events
      .filter((e) => !isDurable(eventKey(e.messageId)) && !isPending(eventKey(e.messageId)))
      .sort(byTimeThenId);
    if (fresh.length === 0) {
      await writeRecovery();
      return events.length;
    }

    const knownOrders = new Map<string, { amount: number; currency: string }>(pendingOrders);
    for (const item of found.values()) if (item.kind === 'order') knownOrders.set(item.key, item);
    const countedOrders = new Set(
      [...found.keys(), ...pending.keys, ...pendingOrders.keys()].filter((k) => k.startsWith('o#')),
    );
    const toApply: EventToApply[] = [];
    const newKeys: string[] = [];
    const newOrders: PendingOrder[] = [];
    for (const event of fresh) {
      newKeys.push(eventKey(event.messageId));
      const key = event.orderId === undefined ? undefined : orderKey(event.orderId);
      if (event.behaviour === 'order_completed' && key !== undefined) {
        const countsOrder = !countedOrders.has(key);
        countedOrders.add(key);
        if (countsOrder) {
          const marker = orderMarkerOf(event, event.orderId as string, config.defaultCurrency);
          knownOrders.set(key, marker);
          newOrders.push(marker);
        }
        toApply.push({ event, duplicateOrder: !countsOrder });
      } else {
        const referencedOrder = key === undefined ? undefined : knownOrders.get(key);
        toApply.push(
          referencedOrder
            ? {
                event,
                referencedOrder: { amount: referencedOrder.amount, currency: referencedOrder.currency },
              }
            : { event },
        );
      }
    }

    const profile = applyEvents(stored?.profile, toApply, { now, defaultCurrency: config.defaultCurrency });
    // Durable before the write that drops them from pending: every applied key is always
    // either pending in the profile or in the ledger.
    await writeRecovery();
    const written = await ports.profiles.put(
      profile,
      { keys: [...recovery.unresolved, ...newKeys], orders: newOrders },
      stored?.version,
    );
    if (!written) {
      ports.logger.debug('profile version conflict, retrying', { attempt });
      continue;
    }
    await ports.ledger.write([
      ...fresh.map(
        (event): LedgerItem => ({ kind: 'event', shopperId, key: eventKey(event.messageId), event }),
      ),
      ...newOrders.map((order): LedgerItem => ({ kind: 'order', shopperId, ...order })),
    ]);
    return events.length - fresh.length;
  }
  throw new WriteContentionError('too many concurrent writes for one shopper');
};
