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
import { mergeProfiles } from '#shared/ingestion/domain/merge-profiles';
import { emptyProfile, MERGED_CAP, type Profile } from '#shared/ingestion/domain/profile';
import type { ShopperEvent } from '#shared/ingestion/domain/shopper-event';
import { type EventLedger, eventKey, type LedgerItem, orderKey } from '#shared/ingestion/ports/event-ledger';
import {
  NOTHING_PENDING,
  type PendingOrder,
  type ProfileStore,
  type StoredProfile,
} from '#shared/ingestion/ports/profile-store';
import { resolveShopper } from '#shared/ingestion/usecases/resolve-shopper/resolve-shopper';
import { mapWithConcurrency } from '#shared/kernel/concurrency';
import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';
import { claimLink } from './identity-links';
import { byTimeThenId, orderKeysOf, orderMarkerOf, recoveryOf } from './pending-recovery';
import { WriteContentionError } from './write-contention';

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

export { WriteContentionError };

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
      const changed = new Set<string>();
      for (let i = 0; i < events.length; i += config.chunkSize) {
        const chunk = await applyChunk(shopperId, events.slice(i, i + config.chunkSize), ports, config, now);
        duplicates += chunk.duplicates;
        if (chunk.changed) changed.add(chunk.shopperId);
      }
      return { duplicates, changed };
    },
  );
  const duplicates = outcomes.reduce((n, o) => n + o.duplicates, 0) + repeatsInRequest;
  // The shoppers written (a linked id's events land on the shopper it was folded into).
  const changedShoppers = [...new Set(outcomes.flatMap((o) => [...o.changed]))];
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

interface ChunkOutcome {
  /** The shopper the events were applied to: the id they came with, or the shopper it is linked to. */
  readonly shopperId: string;
  readonly duplicates: number;
  /** Whether the profile changed (events applied or ids folded in): to re-score. */
  readonly changed: boolean;
}

/** The ids the chunk says are this shopper that are neither folded in nor being folded in yet. */
const newLinksOf = (
  target: string,
  via: readonly string[],
  stored: StoredProfile | undefined,
  events: readonly ShopperEvent[],
) => {
  const known = new Set([target, ...via, ...(stored?.profile.merged ?? []), ...(stored?.linking ?? [])]);
  const wanted = [...new Set(events.flatMap((e) => e.links ?? []))].filter((id) => !known.has(id));
  const room = Math.max(
    0,
    MERGED_CAP - (stored?.profile.merged?.length ?? 0) - (stored?.linking?.length ?? 0),
  );
  return { links: wanted.slice(0, room), overCap: Math.max(0, wanted.length - room) };
};

/**
 * Identity stitching, steps 2 and 3's fold (identity-links.ts): the profile with every id it is
 * absorbing claimed and folded in once; the ids refused stay apart.
 */
const foldLinks = async (
  target: string,
  stored: StoredProfile,
  ports: IngestPorts,
  config: IngestConfig,
  now: Date,
): Promise<Profile> => {
  let profile = stored.profile;
  for (const id of stored.linking ?? []) {
    if (profile.merged?.includes(id)) continue;
    const claim = await claimLink(ports, target, id, {
      defaultCurrency: config.defaultCurrency,
      maxAttempts: config.maxWriteAttempts,
    });
    if (claim.kind === 'refused') {
      ports.logger.info('identity link refused', { reason: claim.reason });
      continue;
    }
    profile = claim.folded
      ? mergeProfiles(profile, claim.folded, now)
      : { ...profile, merged: [...(profile.merged ?? []), id] };
  }
  return profile;
};

/** Applies one chunk of one shopper's events (following its links); says how many were duplicates. */
const applyChunk = async (
  sourceId: string,
  events: readonly ShopperEvent[],
  ports: IngestPorts,
  config: IngestConfig,
  now: Date,
): Promise<ChunkOutcome> => {
  for (let attempt = 0; attempt < config.maxWriteAttempts; attempt++) {
    const { shopperId, stored, via } = await resolveShopper(ports.profiles, sourceId);
    const { links, overCap } = newLinksOf(shopperId, via, stored, events);
    if (overCap > 0)
      ports.logger.info('identity links over the cap left apart', { ids: overCap, cap: MERGED_CAP });
    if (links.length > 0) {
      // Step 1: the intent, before any id becomes a link (a profile to hold it if there is none yet).
      const base =
        stored?.profile ??
        emptyProfile(shopperId, false, [...events].sort(byTimeThenId)[0]?.at ?? now.toISOString());
      await ports.profiles.put(base, stored?.pending ?? NOTHING_PENDING, stored?.version, [
        ...(stored?.linking ?? []),
        ...links,
      ]);
      continue;
    }
    const linking = stored?.linking ?? [];
    const current =
      stored && linking.length > 0 ? await foldLinks(shopperId, stored, ports, config, now) : stored?.profile;
    const pending = stored?.pending ?? NOTHING_PENDING;
    const pendingOrders = new Map(pending.orders.map((o) => [o.key, o]));
    const pendingKeys = new Set(pending.keys);
    const isPending = (key: string) => pendingKeys.has(key) || pendingOrders.has(key);
    const orderKeys = orderKeysOf(events);
    const keys = [
      ...new Set([
        ...events.map((e) => eventKey(e.messageId)),
        ...orderKeys,
        ...pending.keys,
        ...pendingOrders.keys(),
      ]),
    ];
    // Events sent under a linked id before its link were recorded in that id's partition; orders
    // of ids folded in may come again under this shopper's id (guest checkout, then the server).
    const read =
      via.length === 0
        ? await ports.ledger.find(shopperId, keys)
        : await ports.ledger.findIn([shopperId, ...via], keys);
    const foldedIds = (current?.merged ?? []).filter((id) => !via.includes(id));
    if (orderKeys.length > 0 && foldedIds.length > 0)
      for (const [key, item] of await ports.ledger.findIn(foldedIds, orderKeys))
        if (!read.has(key)) read.set(key, item);
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
      .map((e) => (e.shopperId === shopperId ? e : { ...e, shopperId }))
      .sort(byTimeThenId);
    if (fresh.length === 0 && linking.length === 0) {
      await writeRecovery();
      return { shopperId, duplicates: events.length, changed: false };
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

    const profile = applyEvents(current, toApply, { now, defaultCurrency: config.defaultCurrency });
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
    return { shopperId, duplicates: events.length - fresh.length, changed: true };
  }
  throw new WriteContentionError('too many concurrent writes for one shopper');
};
