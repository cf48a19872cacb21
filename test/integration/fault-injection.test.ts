/**
 * Issue 12, fault injection not dependent on timing: hundreds of seeded runs, each failing a
 * storage call chosen by a seeded RNG (which port method, before or after it takes effect,
 * which call of the delivery, once or several times in a row), with clients that resend each
 * batch until they get a 2xx. Checked per run: nothing lost and nothing counted twice (the
 * stored profiles equal those of a fault-free delivery of the same batches), no batch stuck in
 * 5xx (10 attempts at most), and a final replay of every batch answers only duplicates, after
 * which every event and every order is in the ledger.
 *
 * One service serves every run: the injector wrapping its real emulator-backed adapters is
 * re-armed per run, and each run's ids carry their own prefix (`r<run>` for the fault-free
 * reference, `f<run>` for the faulty delivery). Faults are placed by call count: the fault-free
 * reference delivery is counted first, and the fault aims at one of those calls.
 *
 * Kinds of run (chosen by the seed):
 * - sequential (most): batches sent one after the other; the application order is the
 *   reference's, so the whole stored profile must be equal, order-sensitive fields included
 *   (re-sent order ids with other amounts, refunds without amount).
 * - abandoned: the first batch (one shopper) is applied but fails before its ledger items are
 *   written, and the client gives up on it; later writes must make it durable (receipts via
 *   `ledger.writeMissing`, which the random fault may then hit).
 * - concurrent: two clients send overlapping batch lists at once; inputs are then kept
 *   order-insensitive (distinct order ids, re-sends with the same content, refunds with
 *   amounts) and `purchasedProducts` is compared as a set.
 * - linking (identity stitching, issue 15): sequential, but the first batch is sent under each
 *   shopper's anonymous id only and every later message carries both ids, so the second batch
 *   links them: the fault may hit any write of the link (the intent, the link, the fold).
 * FAULT_RUNS / FAULT_SEED override the defaults; FAULT_TRACE=1 logs each run and its fault.
 */
import { describe, expect, it } from 'vitest';
import { startLocalService } from '#local/local-service';
import type { Profile } from '#shared/ingestion/domain/profile';
import { eventKey, orderKey } from '#shared/ingestion/ports/event-ledger';
import { randomBatch, seededRandom } from '../support/events';
import { FAULTY_METHODS, type Fault, type FaultyMethod, faultyPorts } from '../support/faulty-ports';
import { keys, postBatch } from '../support/local-service';

const NOW = '2025-07-01T00:00:00Z';
const RUNS = Number(process.env.FAULT_RUNS ?? 200);
const BASE_SEED = Number(process.env.FAULT_SEED ?? 12_000);
const MAX_ATTEMPTS = 10;
const SHOPPERS = 3;
const CATEGORIES = ['Books', 'Music', 'Garden', 'Toys'];

type Message = {
  type: string;
  messageId: string;
  userId?: string;
  anonymousId?: string;
  event: string;
  timestamp: string;
  properties: Record<string, unknown>;
};
type Kind = 'sequential' | 'abandoned' | 'concurrent' | 'linking';

/**
 * A seeded batch set: randomBatch batches (their order ids repeat across batches), plus
 * Order Completed re-sent under new messageIds (same content; in sequential runs sometimes
 * another amount), and refunds without amount that name an order of the same shopper.
 * The same seed gives the same batches under any prefix.
 */
const faultRunBatches = (seed: number, prefix: string, kind: Kind): Message[][] => {
  const rand = seededRandom(seed);
  const count = 2 + Math.floor(rand() * 2);
  const batches = Array.from({ length: count }, (_, j) =>
    (randomBatch(seed * 7 + j, SHOPPERS, 6 + Math.floor(rand() * 14), prefix) as Message[]).map(
      (m, i): Message => {
        const properties = { ...m.properties };
        const products = (properties.products as Record<string, unknown>[] | undefined)?.map(fixCategory);
        if (products) properties.products = products;
        else Object.assign(properties, fixCategory(properties));
        if (kind === 'concurrent' && m.event === 'Order Completed')
          properties.order_id = `${prefix}-b${j}-order-${i}`;
        return { ...m, messageId: `${prefix}-b${j}-m-${i}`, properties };
      },
    ),
  );
  if (kind === 'linking') {
    batches[0] = (batches[0] as Message[]).map(({ userId, ...m }) => ({
      ...m,
      anonymousId: `${userId}-anon`,
    }));
    for (let j = 1; j < batches.length; j++)
      batches[j] = (batches[j] as Message[]).map((m) => ({ ...m, anonymousId: `${m.userId}-anon` }));
  }
  if (kind === 'abandoned') {
    const first = batches[0] as Message[];
    batches[0] = first.filter((m) => m.userId === `${prefix}-user-0`);
    if (batches[0].length === 0)
      batches[0] = first.slice(0, 1).map((m) => ({ ...m, userId: `${prefix}-user-0` }));
  }
  const orders = batches.flatMap((b, j) =>
    b.filter((m) => m.event === 'Order Completed').map((m) => ({ m, j })),
  );
  // Re-sends: same order_id and timestamp, new messageId, into the same or a later batch.
  for (const [k, { m, j }] of orders.entries()) {
    if (rand() >= 0.35) continue;
    const target = j + Math.floor(rand() * (batches.length - j));
    const other = kind !== 'concurrent' && rand() < 0.4;
    const resent: Message = {
      ...m,
      messageId: `${prefix}-resend-${k}`,
      properties: other ? { ...m.properties, revenue: Math.round(rand() * 50_000) / 100 } : m.properties,
    };
    const batch = batches[target] as Message[];
    batch.splice(Math.floor(rand() * (batch.length + 1)), 0, resent);
  }
  if (kind !== 'concurrent') {
    // Refunds without amount naming an order of their shopper (placed before or after them).
    for (const batch of batches)
      for (const [i, m] of batch.entries()) {
        if (m.event !== 'Order Refunded' || rand() >= 0.5) continue;
        const own = orders.filter((o) => o.m.userId === m.userId && o.m.anonymousId === m.anonymousId);
        const named = own[Math.floor(rand() * own.length)];
        if (!named) continue;
        const { revenue: _amount, products: _lines, ...rest } = m.properties;
        batch[i] = { ...m, properties: { ...rest, order_id: named.m.properties.order_id } };
      }
  }
  return batches;
};

/** One category per product, whatever randomBatch drew (see the concurrent runs). */
const fixCategory = (line: Record<string, unknown>): Record<string, unknown> =>
  typeof line.product_id === 'string'
    ? { ...line, category: CATEGORIES[Number(line.product_id.replace('sku-', '')) % CATEGORIES.length] }
    : line;

const userIds = (prefix: string) => Array.from({ length: SHOPPERS }, (_, i) => `${prefix}-user-${i}`);

/** Resends the batch until a 2xx answer; returns the statuses (a 5xx last: stuck). */
const deliver = async (url: string, batch: unknown[], pauseMs = 0): Promise<number[]> => {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { status } = await postBatch(url, batch);
    statuses.push(status);
    if (status >= 200 && status < 300) return statuses;
    if (status < 500) throw new Error(`batch refused with ${status}`);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs * (attempt + 1)));
  }
  return statuses;
};

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

describe('fault injection (seeded, by call count)', () => {
  it(
    `${RUNS} seeded runs: nothing lost, nothing counted twice, no batch stuck in 5xx`,
    async () => {
      const injector = faultyPorts();
      const service = await startLocalService({
        ...keys,
        now: NOW,
        logLevel: 'error',
        logWrite: () => {},
        decoratePorts: injector.decorate,
      });
      const started = Date.now();
      const stats = {
        kinds: { sequential: 0, abandoned: 0, concurrent: 0, linking: 0 } as Record<Kind, number>,
        /** The methods some delivery called: the ones a fault can aim at. */
        called: new Set<FaultyMethod>(),
        injectedRuns: 0,
        injections: 0,
        byMethod: Object.fromEntries(FAULTY_METHODS.map((m) => [m, 0])) as Record<FaultyMethod, number>,
        failedAnswers: 0,
        maxAttempts: 0,
      };
      const storedProfiles = async (prefix: string): Promise<Profile[]> => {
        const out: Profile[] = [];
        for (const id of userIds(prefix)) {
          const stored = await service.ports.profiles.get(id);
          if (stored) out.push(stored.profile);
        }
        return out;
      };
      const comparable = (profiles: Profile[], prefix: string, kind: Kind) =>
        profiles.map((p) => ({
          ...p,
          shopperId: p.shopperId.replace(`${prefix}-`, ''),
          ...(p.merged ? { merged: p.merged.map((id) => id.replace(`${prefix}-`, '')) } : {}),
          purchasedProducts: kind === 'concurrent' ? [...p.purchasedProducts].sort() : p.purchasedProducts,
        }));

      try {
        for (let run = 0; run < RUNS; run++) {
          const seed = BASE_SEED + run;
          const rand = seededRandom(seed ^ 0x5eed);
          const roll = rand();
          const kind: Kind =
            roll < 0.2 ? 'concurrent' : roll < 0.4 ? 'abandoned' : roll < 0.6 ? 'linking' : 'sequential';
          stats.kinds[kind] += 1;
          const context = `run ${run} (seed ${seed}, ${kind})`;

          // Fault-free reference, counting the calls a delivery makes.
          injector.disarm();
          injector.resetCalls();
          const reference = faultRunBatches(seed, `r${run}`, kind);
          for (const batch of reference)
            expect((await postBatch(service.url, batch)).status, context).toBe(200);
          const calls = injector.calls();

          const methods = FAULTY_METHODS.filter(
            // Receipts are written only after an abandoned delivery, which the reference has not.
            (m) => (m === 'ledger.writeMissing' ? kind === 'abandoned' : calls[m] > 0),
          );
          for (const m of methods) stats.called.add(m);
          const method = pick(rand, methods);
          const fault: Fault = {
            method,
            when: rand() < 0.5 ? 'before' : 'after',
            times: 1 + Math.floor(rand() ** 2 * 4),
            atCall: 1 + Math.floor(rand() * Math.max(1, calls[method])),
          };
          const where = `${context}, fault ${JSON.stringify(fault)}`;
          if (process.env.FAULT_TRACE) console.info(new Date().toISOString(), where);

          const batches = faultRunBatches(seed, `f${run}`, kind);
          const injectedBefore = injector.injected();
          let toDeliver = batches;
          if (kind === 'abandoned') {
            // Applied, then lost before its ledger items were written; the client gives up on it.
            injector.rearm({ method: 'profiles.put', when: 'after', times: 1 });
            expect(
              (await postBatch(service.url, batches[0] as Message[])).status,
              where,
            ).toBeGreaterThanOrEqual(500);
            toDeliver = batches.slice(1);
          }
          injector.rearm(fault);
          const outcomes: number[][] = [];
          if (kind === 'concurrent') {
            const offset = 1 + Math.floor(rand() * (batches.length - 1));
            const second = [...batches.slice(offset), ...batches.slice(0, offset)].filter(() => rand() < 0.7);
            const client = async (list: Message[][]) => {
              for (const batch of list) outcomes.push(await deliver(service.url, batch, 2));
            };
            await Promise.all([client(batches), client(second)]);
          } else {
            for (const batch of toDeliver) outcomes.push(await deliver(service.url, batch));
          }
          injector.disarm();

          for (const statuses of outcomes) {
            expect(statuses.at(-1), `${where}: stuck after ${statuses.join(', ')}`).toBe(200);
            stats.failedAnswers += statuses.length - 1;
            stats.maxAttempts = Math.max(stats.maxAttempts, statuses.length);
          }
          const injected = injector.injected() - injectedBefore - (kind === 'abandoned' ? 1 : 0);
          if (injected > 0) {
            stats.injectedRuns += 1;
            stats.injections += injected;
            stats.byMethod[method] += 1;
          }

          // Nothing lost, nothing counted twice: the stored profiles are the fault-free ones.
          expect(comparable(await storedProfiles(`f${run}`), `f${run}`, kind), where).toEqual(
            comparable(await storedProfiles(`r${run}`), `r${run}`, kind),
          );
          // Every message of every batch (the abandoned one too) is now a known duplicate.
          const everything = batches.flat();
          const replay = await postBatch(service.url, everything);
          expect(replay.status, where).toBe(200);
          expect(replay.body.duplicates, where).toBe(everything.length);
          // And durably stored: after that replay every event and order is in the ledger.
          for (const userId of userIds(`f${run}`)) {
            // A linked shopper's events are recorded under the id each came with (docs/identity.md).
            const anonymousId = `${userId}-anon`;
            const own = everything.filter((m) => m.userId === userId || m.anonymousId === anonymousId);
            const wanted = new Set([
              ...own.map((m) => eventKey(m.messageId)),
              ...own
                .filter((m) => m.event === 'Order Completed')
                .map((m) => orderKey(String(m.properties.order_id))),
            ]);
            const found = await service.ports.ledger.findIn([userId, anonymousId], [...wanted]);
            expect([...found.keys()].sort(), `${where}: ledger of ${userId}`).toEqual([...wanted].sort());
          }
        }
      } finally {
        await service.close();
      }
      const ms = Date.now() - started;
      console.info(`fault injection: ${RUNS} runs in ${ms} ms`, JSON.stringify(stats));
      // The faults aimed at calls the delivery makes: nearly every run met one.
      expect(stats.injectedRuns).toBeGreaterThanOrEqual(Math.floor(RUNS * 0.9));
      for (const method of stats.called) expect(stats.byMethod[method], method).toBeGreaterThan(0);
      expect([...stats.called]).toEqual(expect.arrayContaining(['profiles.putLink', 'ledger.findIn']));
    },
    Math.max(240_000, RUNS * 1_000),
  );
});
