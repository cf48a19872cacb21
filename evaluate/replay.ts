/**
 * Replays a data set through the product's own code, as of a calibration date: every message is
 * validated by the ingestion normaliser and applied by the profile reducer, exactly as the
 * ingest handler does for a batch; what happens after the calibration date becomes each shopper's
 * outcome over the horizon.
 */

import { normaliseMessage } from '#shared/activation/domain/segment-message';
import { applyEvents } from '#shared/ingestion/domain/apply-events';
import type { Profile } from '#shared/ingestion/domain/profile';
import type { ShopperEvent } from '#shared/ingestion/domain/shopper-event';
import type { Dataset, TrackMessage } from './datasets';

const DAY_MS = 86_400_000;

export interface Outcome {
  /** Orders completed in the horizon. */
  readonly orders: number;
  /** Distinct UTC days with an order in the horizon (the customer value models' unit of repeat). */
  readonly orderDays: number;
  /** Revenue of those orders, refunds not netted. */
  readonly revenue: number;
}

export interface Replay {
  readonly dataset: Dataset;
  /** Start of the day after the calibration end: the as-of time of profiles and models. */
  readonly asOf: Date;
  readonly horizonEnd: Date;
  /** Every shopper seen before asOf, as the service would hold them at asOf. */
  readonly profiles: Map<string, Profile>;
  /** Every shopper with an order in the horizon; absent means no order. */
  readonly outcomes: Map<string, Outcome>;
  readonly rejected: number;
}

export const asOfDate = (calibrationEnd: string): Date =>
  new Date(Date.parse(`${calibrationEnd}T00:00:00Z`) + DAY_MS);

/** Validated events, grouped by shopper; rejected messages are counted (a real shop would see them). */
export const normaliseAll = (
  messages: readonly TrackMessage[],
  now: Date,
): { events: ShopperEvent[]; rejected: number } => {
  const events: ShopperEvent[] = [];
  let rejected = 0;
  for (const message of messages) {
    const result = normaliseMessage(message, { now });
    if (result.ok) events.push(result.event);
    else rejected += 1;
  }
  return { events, rejected };
};

/** Profiles from events before `asOf`, each shopper's events applied as one batch. */
export const profilesAsOf = (
  events: readonly ShopperEvent[],
  asOf: Date,
  currency: string,
): Map<string, Profile> => {
  const cutoff = asOf.toISOString();
  const byShopper = new Map<string, ShopperEvent[]>();
  for (const event of events) {
    if (event.at >= cutoff) continue;
    const list = byShopper.get(event.shopperId);
    if (list) list.push(event);
    else byShopper.set(event.shopperId, [event]);
  }
  const profiles = new Map<string, Profile>();
  for (const [shopperId, list] of byShopper)
    profiles.set(
      shopperId,
      applyEvents(
        undefined,
        list.map((event) => ({ event })),
        { now: asOf, defaultCurrency: currency },
      ),
    );
  return profiles;
};

export const outcomesBetween = (
  events: readonly ShopperEvent[],
  from: Date,
  to: Date,
): Map<string, Outcome> => {
  const start = from.toISOString();
  const end = to.toISOString();
  const acc = new Map<string, { orders: number; days: Set<string>; revenue: number }>();
  for (const event of events) {
    if (event.behaviour !== 'order_completed' || event.at < start || event.at >= end) continue;
    let entry = acc.get(event.shopperId);
    if (!entry) {
      entry = { orders: 0, days: new Set(), revenue: 0 };
      acc.set(event.shopperId, entry);
    }
    entry.orders += 1;
    entry.days.add(event.at.slice(0, 10));
    entry.revenue += event.amount ?? 0;
  }
  return new Map(
    [...acc].map(([id, e]) => [id, { orders: e.orders, orderDays: e.days.size, revenue: e.revenue }]),
  );
};

export const replay = (dataset: Dataset, messages: readonly TrackMessage[] = dataset.load()): Replay => {
  const asOf = asOfDate(dataset.calibrationEnd);
  const horizonEnd = new Date(asOf.getTime() + dataset.horizonDays * DAY_MS);
  // The historical data is "now" at its end: nothing in it is in the future.
  const { events, rejected } = normaliseAll(messages, horizonEnd);
  return {
    dataset,
    asOf,
    horizonEnd,
    profiles: profilesAsOf(events, asOf, dataset.currency),
    outcomes: outcomesBetween(events, asOf, horizonEnd),
    rejected,
  };
};
