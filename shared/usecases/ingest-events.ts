/**
 * Use case: ingest Segment messages into live profiles, exactly once.
 *
 * Input: the messages of one request, already size-checked and JSON-parsed.
 * Output: how many were accepted, how many of those were duplicates, every rejection by index.
 * Steps:
 *   1. Validate and normalise each message on its own (rejections do not affect the others).
 *   2. Group accepted events by shopper; drop repeats of a messageId within the request.
 *   3. Per shopper, in chunks, with bounded concurrency (one profile write per shopper per chunk):
 *      a. read the profile (consistent) — its version and its pending ledger keys;
 *      b. read which ledger keys exist (consistent): the events' and the orders' they refer to
 *         (with no profile none counts: leftovers of an erase, see erase-shopper.ts);
 *      c. apply only events neither in the ledger nor pending, and write the profile with the
 *         keys it just applied added to `pendingKeys`, conditional on the version read in (a);
 *         on a version conflict go back to (a);
 *      d. write the ledger items. A key leaves `pendingKeys` at a later write that finds it in
 *         the ledger.
 *   Reading the profile before the ledger is what makes this safe without transactions: any
 *   writer that removed a key from `pendingKeys` had already seen it in the ledger.
 * Errors: storage errors propagate (the caller answers 5xx and the client retries safely).
 */

import { applyEvents, type EventToApply } from '../domain/apply-events';
import { isOrderBehaviour } from '../domain/behaviour';
import {
  MAX_DEPTH,
  type MessageType,
  nestedDeeperThan,
  normaliseMessage,
  type Rejection,
} from '../domain/segment-message';
import type { ShopperEvent } from '../domain/shopper-event';
import type { Clock } from '../ports/clock';
import { type EventLedger, eventKey, type LedgerItem, orderKey } from '../ports/event-ledger';
import type { Logger } from '../ports/logger';
import type { ProfileStore } from '../ports/profile-store';
import { mapWithConcurrency } from './concurrency';

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

/** The ledger items an event produces; a pure function of the event, so rewriting is idempotent. */
const ledgerItemsOf = (event: ShopperEvent, countsOrder: boolean, defaultCurrency: string): LedgerItem[] => {
  const items: LedgerItem[] = [
    { kind: 'event', shopperId: event.shopperId, key: eventKey(event.messageId), event },
  ];
  if (countsOrder && event.orderId !== undefined)
    items.push({
      kind: 'order',
      shopperId: event.shopperId,
      key: orderKey(event.orderId),
      messageId: event.messageId,
      at: event.at,
      amount: event.amount ?? 0,
      currency: event.currency ?? defaultCurrency,
    });
  return items;
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
    const pending = new Set(stored?.pendingKeys ?? []);
    const keys = [
      ...new Set([...events.map((e) => eventKey(e.messageId)), ...orderKeysOf(events), ...pending]),
    ];
    const read = await ports.ledger.find(shopperId, keys);
    // No profile, no valid ledger item: a profile is always written before its ledger items and
    // only an erase deletes profiles, so items found now are leftovers of an erased shopper (an
    // ingest in flight during the erase). They count for nothing: a later event starts afresh.
    const found = stored ? read : new Map<string, LedgerItem>();
    if (!stored && read.size > 0)
      ports.logger.info('ledger leftovers of an erased shopper ignored', { items: read.size });
    const isDurable = (key: string) => found.has(key);

    // Applied before but not yet in the ledger (a failed or concurrent earlier delivery):
    // write their ledger items again, with the same content, and do not apply them again.
    const recovered = events.filter(
      (e) => pending.has(eventKey(e.messageId)) && !isDurable(eventKey(e.messageId)),
    );
    const recoveryItems = recovered.flatMap((e) =>
      ledgerItemsOf(
        e,
        e.behaviour === 'order_completed' &&
          e.orderId !== undefined &&
          pending.has(orderKey(e.orderId)) &&
          !isDurable(orderKey(e.orderId)),
        config.defaultCurrency,
      ),
    );

    const fresh = events
      .filter((e) => !isDurable(eventKey(e.messageId)) && !pending.has(eventKey(e.messageId)))
      .sort((a, b) => a.at.localeCompare(b.at) || a.messageId.localeCompare(b.messageId));
    if (fresh.length === 0) {
      await ports.ledger.write(recoveryItems);
      return events.length;
    }

    const knownOrders = new Map<string, { amount: number; currency: string }>();
    for (const item of found.values())
      if (item.kind === 'order') knownOrders.set(item.key, { amount: item.amount, currency: item.currency });
    const countedOrders = new Set([...found.keys(), ...pending].filter((k) => k.startsWith('o#')));
    const toApply: EventToApply[] = [];
    const newItems: LedgerItem[] = [];
    for (const event of fresh) {
      const key = event.orderId === undefined ? undefined : orderKey(event.orderId);
      let countsOrder = false;
      if (event.behaviour === 'order_completed' && key !== undefined) {
        countsOrder = !countedOrders.has(key);
        countedOrders.add(key);
        if (countsOrder)
          knownOrders.set(key, {
            amount: event.amount ?? 0,
            currency: event.currency ?? config.defaultCurrency,
          });
        toApply.push({ event, duplicateOrder: !countsOrder });
      } else {
        const referencedOrder = key === undefined ? undefined : knownOrders.get(key);
        toApply.push(referencedOrder ? { event, referencedOrder } : { event });
      }
      newItems.push(...ledgerItemsOf(event, countsOrder, config.defaultCurrency));
    }

    const profile = applyEvents(stored?.profile, toApply, { now, defaultCurrency: config.defaultCurrency });
    const stillPending = [...pending].filter((k) => !isDurable(k));
    const pendingKeys = [...new Set([...stillPending, ...newItems.map((i) => i.key)])];
    const written = await ports.profiles.put(profile, pendingKeys, stored?.version);
    if (!written) {
      ports.logger.debug('profile version conflict, retrying', { attempt });
      continue;
    }
    await ports.ledger.write([...newItems, ...recoveryItems]);
    return events.length - fresh.length;
  }
  throw new WriteContentionError('too many concurrent writes for one shopper');
};
