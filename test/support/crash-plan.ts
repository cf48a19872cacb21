/**
 * A seeded ingest stream and where to crash the server in it, for crash-recovery tests.
 *
 * The stream is one `randomBatch` cut into batches, so every batch touches the same shoppers:
 * order ids are drawn from a small pool per shopper, so orders are completed again and refunded
 * across batches; some batches carry copies of messages of earlier batches; and whole earlier
 * batches are sent again (replays) between new ones.
 *
 * Kill points are chosen in terms of progress, not time: "the k-th new batch's first attempt",
 * with a mode saying when in that request the server dies:
 * - `sent`: as soon as the request's bytes were handed to the OS (the server may not have read
 *   them, or may have started);
 * - `mid`: once the server has written a given fraction of what a batch writes to DynamoDB
 *   (seen in dynalite's write-ahead log), before it answers: the request is partly applied;
 * - `mid-twice`: as `mid`, and the first retry that reaches the restarted server is killed the
 *   same way (a crash while recovering the keys the first crash left pending);
 * - `acked`: right after the 2xx answer (what was acknowledged must survive).
 */
import { randomBatch, seededRandom } from './events';

export type KillMode = 'sent' | 'mid' | 'mid-twice' | 'acked';

export interface KillPoint {
  readonly mode: KillMode;
  /** For `mid`: kill after this fraction of a small batch's DynamoDB log bytes was written. */
  readonly fraction: number;
}

export interface ScheduledDelivery {
  readonly batch: number;
  readonly replay: boolean;
}

export interface CrashPlan {
  readonly batches: readonly Message[][];
  /** The order the client sends batches in: every batch once, plus replays of earlier ones. */
  readonly schedule: readonly ScheduledDelivery[];
  /** By index into `schedule` (first deliveries only). */
  readonly kills: ReadonlyMap<number, KillPoint>;
  readonly shopperIds: readonly string[];
}

type Message = ReturnType<typeof randomBatch>[number];

export interface CrashPlanOptions {
  readonly seed: number;
  readonly shoppers: number;
  readonly batches: number;
  readonly batchSize: number;
  /** Distinct order ids per shopper: small, so orders repeat and refunds find their order. */
  readonly orderPool: number;
  /** Chance that a new batch is followed by a replay of an earlier (or the same) batch. */
  readonly replayRate: number;
  /** The kill modes, in any order (the plan shuffles them onto batches). */
  readonly kills: readonly KillMode[];
  /** New batches at the start that are never killed (they calibrate the `mid` threshold). */
  readonly calibrationBatches: number;
}

export const crashPlan = (options: CrashPlanOptions): CrashPlan => {
  const rand = seededRandom(options.seed * 7919 + 1);
  const prefix = `crash${options.seed}`;
  const events = randomBatch(options.seed, options.shoppers, options.batches * options.batchSize, prefix).map(
    (message) => {
      const orderId = message.properties.order_id;
      if (typeof orderId !== 'string') return message;
      const n = Number(orderId.slice(orderId.lastIndexOf('-') + 1));
      return {
        ...message,
        properties: { ...message.properties, order_id: `${prefix}-order-${n % options.orderPool}` },
      };
    },
  );

  const batches: Message[][] = [];
  for (let b = 0; b < options.batches; b++) {
    const batch = events.slice(b * options.batchSize, (b + 1) * options.batchSize);
    // Now and then a client resends a few messages of an earlier batch inside a new one.
    if (b > 0 && rand() < 0.3) {
      const earlier = batches.flat();
      const copies = new Set<Message>();
      while (copies.size < 3) copies.add(earlier[Math.floor(rand() * earlier.length)] as Message);
      batch.push(...copies);
    }
    batches.push(batch);
  }

  const schedule: ScheduledDelivery[] = [];
  for (let b = 0; b < options.batches; b++) {
    schedule.push({ batch: b, replay: false });
    if (b > 0 && rand() < options.replayRate)
      schedule.push({ batch: Math.floor(rand() * (b + 1)), replay: true });
  }

  const candidates = schedule.flatMap((d, i) =>
    !d.replay && d.batch >= options.calibrationBatches ? [i] : [],
  );
  if (candidates.length < options.kills.length) throw new Error('more kills than batches to kill in');
  shuffle(candidates, rand);
  const modes = shuffle([...options.kills], rand);
  const kills = new Map<number, KillPoint>();
  modes.forEach((mode, i) => {
    kills.set(candidates[i] as number, { mode, fraction: 0.05 + 0.85 * rand() });
  });

  const shopperIds = [...new Set(events.map((e) => e.userId))].sort();
  return { batches, schedule, kills, shopperIds };
};

const shuffle = <T>(list: T[], rand: () => number): T[] => {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
};
