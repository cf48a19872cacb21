/**
 * DELETE /v1/users/{userId} on the emulators: after the erase nothing of the shopper is left in
 * any table or index (a string search over every stored item), another shopper is untouched,
 * the read API answers 404, and a later event — even a replay of one received before — starts
 * a fresh profile. Also: admin key only, the same id validation as the read API, idempotent
 * (a second erase, and a retry after a storage failure half-way), and concurrent writers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { documentClient } from '#shared/adapters/dynamodb-client';
import { DynamoDbEventLedger } from '#shared/adapters/dynamodb-event-ledger';
import { systemClock } from '#shared/kernel/ports/clock';
import type { ErasePorts } from '#shared/privacy/usecases/erase-shopper/erase-shopper';
import { order, randomBatch, track } from '../support/events';
import { basicAuth, getProfile, keys, postBatch, useLocalService } from '../support/local-service';
import { dumpBucket, dumpTables, type StoredItem } from '../support/storage-dump';

const END = '2026-06-30T00:00:00Z';
const ERASED = 'erase-me-shopper-7f3a91';
const KEPT = 'keep-me-shopper-2b9c04';

type EraseAdapters = Omit<ErasePorts, 'logger'>;

/** Test hooks around the real erase adapters: a failure after a step, or work slipped in mid-erase. */
const hooks: {
  failProfileDelete: number;
  afterLedgerErase?: (shopperId: string) => Promise<void>;
} = { failProfileDelete: 0 };

const decorateErasePorts = (ports: EraseAdapters): EraseAdapters => ({
  ...ports,
  profiles: {
    get: (id) => ports.profiles.get(id),
    getRecord: (id) => ports.profiles.getRecord(id),
    deleteIfUnchanged: async (id, version) => {
      if (hooks.failProfileDelete > 0) {
        hooks.failProfileDelete -= 1;
        throw new Error('injected failure before profiles.deleteIfUnchanged');
      }
      return ports.profiles.deleteIfUnchanged(id, version);
    },
  },
  ledger: {
    eraseShopper: async (id) => {
      const deleted = await ports.ledger.eraseShopper(id);
      const hook = hooks.afterLedgerErase;
      hooks.afterLedgerErase = undefined;
      await hook?.(id);
      return deleted;
    },
  },
});

const svc = useLocalService({ now: END, modelCacheMs: 0, decorateErasePorts });

const erase = async (userId: string, authorization = `Bearer ${keys.adminKey}`) => {
  const res = await fetch(`${svc.url}/v1/users/${userId}`, { method: 'DELETE', headers: { authorization } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const get = async (path: string) => {
  const res = await fetch(`${svc.url}${path}`, { headers: { authorization: `Bearer ${keys.readKey}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** One shopper's traffic: identify with personal traits, views, an order and a refund. */
const trafficOf = (userId: string, tag: string) => {
  const identify = {
    type: 'identify',
    messageId: `${tag}-identify`,
    userId,
    timestamp: '2026-06-01T09:00:00Z',
    traits: {
      email: `${tag}.person@example.com`,
      name: `${tag} Person`,
      phone: '+44 20 7946 0991',
      address: { street: '221B Baker Street', city: 'London', country: 'GB' },
      createdAt: '2026-05-30T09:00:00Z',
    },
  };
  const view = { ...track(userId, 'Product Viewed', { product_id: `${tag}-sku-1` }, '2026-06-02T10:00:00Z') };
  const buy = {
    ...order(userId, `${tag}-order-1`, 120, '2026-06-03T10:00:00Z'),
    messageId: `${tag}-order-msg`,
  };
  const refund = track(
    userId,
    'Order Refunded',
    { order_id: `${tag}-order-1`, revenue: 20 },
    '2026-06-05T10:00:00Z',
  );
  return { identify, view, buy, refund, all: [identify, view, buy, refund] };
};

const erasedTraffic = trafficOf(ERASED, 'erasee');
const keptTraffic = trafficOf(KEPT, 'keepee');

/** Every stored item (any table or index) whose marshalled form contains one of the values. */
const itemsMentioning = (items: readonly StoredItem[], values: readonly string[]) =>
  items.filter((i) => values.some((v) => i.text.includes(v)));

/** What identifies the erased shopper's data: id, order id, message ids, product id, e-mail. */
const erasedMarks = [
  ERASED,
  'erasee-order-1',
  'erasee-order-msg',
  'erasee-identify',
  'erasee-sku-1',
  'erasee.person@example.com',
];

describe('erasing a shopper', () => {
  beforeAll(async () => {
    // A population to train on, then the two shoppers of the test.
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 60, seed: 5, days: 200 });
    await sendInBatches(svc.url, keys.writeKey, messages, { batchSize: 500 });
    const res = await postBatch(svc.url, [...erasedTraffic.all, ...keptTraffic.all]);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(8);
    const run = await svc.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');
    await svc.service.settled();
  }, 180_000);

  it('is refused without the admin key: the read and write keys, basic auth and no key answer 401', async () => {
    for (const authorization of [
      `Bearer ${keys.readKey}`,
      `Bearer ${keys.writeKey}`,
      basicAuth(keys.writeKey),
      basicAuth(keys.adminKey),
      'Bearer not-a-key',
      '',
    ]) {
      const res = await erase(ERASED, authorization);
      expect(res.status, authorization).toBe(401);
      expect(res.body).toMatchObject({ error: 'unauthorized' });
    }
    expect((await getProfile(svc.url, ERASED)).status).toBe(200);
  });

  it('validates the id as the read API does (400 naming userId), and 405 for other methods', async () => {
    for (const bad of ['%00abc', 'a%7Fb', 'x'.repeat(257), '%E0%A4%A']) {
      const res = await erase(bad);
      expect(res.status, bad).toBe(400);
      expect(res.body).toMatchObject({ error: 'bad_request', field: 'userId' });
    }
    const wrongMethod = await fetch(`${svc.url}/v1/users/${ERASED}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${keys.adminKey}` },
    });
    expect(wrongMethod.status).toBe(405);
  });

  it('removes profile, raw events, order markers and history, and nothing of the other shopper', async () => {
    const before = await dumpTables(svc.service);
    // Before: the shopper is in every table and in the segment index, with a stamp and history.
    const mentioned = itemsMentioning(before, [ERASED]);
    expect(new Set(mentioned.map((i) => i.index ?? i.table))).toEqual(
      new Set([
        svc.service.config.profilesTable,
        'bySegment',
        svc.service.config.eventsTable,
        svc.service.config.assignmentsTable,
      ]),
    );
    const history = await get(`/v1/users/${ERASED}/history`);
    const changes = history.body.changes as unknown[];
    expect(changes.length).toBeGreaterThan(0);
    const keptBefore = itemsMentioning(before, [KEPT]).map((i) => i.text);

    const res = await erase(ERASED);
    expect(res.status).toBe(200);
    // 4 events + 1 order marker; the history as the read API listed it.
    expect(res.body).toEqual({
      shopperId: ERASED,
      erased: { profile: true, events: 5, history: changes.length, linkedIds: 0 },
    });
    await svc.service.settled();

    const after = await dumpTables(svc.service);
    expect(itemsMentioning(after, erasedMarks)).toEqual([]);
    // Only the erased shopper's items went; the other shopper's are byte-identical.
    expect(after.length).toBe(before.length - mentioned.length);
    expect(itemsMentioning(after, [KEPT]).map((i) => i.text)).toEqual(keptBefore);
    expect((await getProfile(svc.url, KEPT)).status).toBe(200);

    expect((await getProfile(svc.url, ERASED)).status).toBe(404);
    expect((await get(`/v1/users/${ERASED}/history`)).status).toBe(404);
    expect((await get(`/v1/users/${ERASED}/segment`)).status).toBe(404);

    // The bucket: models, runs and policies never held the shopper (the recommendation index
    // counts buyers per product, with no shopper in it); the retrain snapshot holds a copy of
    // every profile and is not rewritten: it ages out (bucket lifecycle rule).
    const objects = await dumpBucket(svc.service);
    const personal = [
      ERASED,
      'erasee.person@example.com',
      'erasee-identify',
      'erasee-order-msg',
      '"erasee-order-1"',
    ];
    const holding = objects.filter((o) => personal.some((m) => o.text.includes(m))).map((o) => o.key);
    expect(holding.length).toBeGreaterThan(0);
    expect(holding.every((key) => key.startsWith('snapshots/'))).toBe(true);
  });

  it('is idempotent: erasing again, or an id never seen, answers 200 with nothing removed', async () => {
    for (const id of [ERASED, 'never-seen-shopper']) {
      const res = await erase(encodeURIComponent(id));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        shopperId: id,
        erased: { profile: false, events: 0, history: 0, linkedIds: 0 },
      });
    }
  });

  it('a retrain that scores a snapshot from before the erase records and announces nothing for the shopper', async () => {
    const recorded = await svc.service.retrainPorts.assignments.record([
      {
        shopperId: ERASED,
        from: null,
        to: { id: 'stale', name: 'Stale' },
        at: END,
        reason: 'retrain',
        modelVersion: 'stale-model',
      },
    ]);
    expect(recorded).toEqual([]);
    expect(itemsMentioning(await dumpTables(svc.service), [ERASED])).toEqual([]);
  });

  it('a later event, and a replay of one received before the erase, start a fresh profile', async () => {
    const later = track(ERASED, 'Product Viewed', { product_id: 'sku-after' }, '2026-06-20T10:00:00Z');
    const res = await postBatch(svc.url, [later, erasedTraffic.buy]);
    expect(res.status).toBe(200);
    // The replayed order is new again: its ledger entry was erased with the rest.
    expect(res.body).toMatchObject({ accepted: 2, duplicates: 0 });
    await svc.service.settled();

    // The same two events for a shopper never seen before give the same profile.
    const reference = 'erase-reference-shopper';
    await postBatch(svc.url, [
      { ...later, userId: reference, messageId: 'ref-later' },
      { ...erasedTraffic.buy, userId: reference, messageId: 'ref-buy' },
    ]);
    await svc.service.settled();
    const comparable = (body: Record<string, unknown>) => {
      const { shopperId: _id, segment: _segment, ...rest } = body;
      return rest;
    };
    const fresh = await getProfile(svc.url, ERASED);
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ orders: 1, revenue: 120, refunds: 0, productViews: 1, traits: {} });
    expect(comparable(fresh.body)).toEqual(comparable((await getProfile(svc.url, reference)).body));
    // History, if the live re-score placed the fresh profile, is its own: nothing from the retrain.
    const history = await get(`/v1/users/${ERASED}/history`);
    expect((history.body.changes as { reason: string }[]).every((c) => c.reason === 'behaviour')).toBe(true);

    // And now the replay is a duplicate again, as for any profile.
    const again = await postBatch(svc.url, [later, erasedTraffic.buy]);
    expect(again.body).toMatchObject({ accepted: 2, duplicates: 2 });
  });

  it('a shopper with many events is erased in full (many batch deletes)', async () => {
    const batch = randomBatch(21, 1, 900, 'busy');
    const shopper = batch[0]?.userId ?? '';
    expect((await postBatch(svc.url, batch)).status).toBe(200);
    await svc.service.settled();
    const ledgerItems = (await dumpTables(svc.service)).filter(
      (i) => i.table === svc.service.config.eventsTable && i.item.pk?.S === shopper,
    ).length;
    expect(ledgerItems).toBeGreaterThan(900);

    const res = await erase(shopper);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ erased: { profile: true, events: ledgerItems } });
    expect(itemsMentioning(await dumpTables(svc.service), [shopper])).toEqual([]);
  });

  it('a storage failure half-way answers 5xx, and the retry finishes the job', async () => {
    const shopper = 'half-erased-shopper';
    await postBatch(svc.url, trafficOf(shopper, 'halfee').all);
    await svc.service.settled();

    hooks.failProfileDelete = 1;
    const failed = await erase(shopper);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    // The ledger and history went before the failure; the profile (deleted last) is still there.
    const between = itemsMentioning(await dumpTables(svc.service), [shopper]);
    expect(between.map((i) => i.index ?? i.table)).toContain(svc.service.config.profilesTable);
    expect(between.some((i) => i.table === svc.service.config.eventsTable)).toBe(false);

    const retried = await erase(shopper);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ erased: { profile: true, events: 0 } });
    expect(itemsMentioning(await dumpTables(svc.service), [shopper])).toEqual([]);
  });

  it('an event ingested mid-erase (after the ledger was cleared) makes the erase start over: nothing is left', async () => {
    const shopper = 'racing-shopper';
    await postBatch(svc.url, trafficOf(shopper, 'racee').all);
    await svc.service.settled();

    let slipped = false;
    hooks.afterLedgerErase = async (id) => {
      // Between clearing the ledger and deleting the profile: a new event is ingested in full.
      const res = await postBatch(svc.url, [track(id, 'Product Viewed', { product_id: 'sku-mid' })]);
      slipped = res.status === 200 && res.body.accepted === 1;
    };
    const res = await erase(shopper);
    expect(slipped).toBe(true);
    expect(res.status).toBe(200);
    // Rounds: the first removed 4 events and 1 order marker. The slipped-in ingest made the
    // profile's pending entries (the same 5) durable again before writing its own event, and
    // the second round removed those 6.
    expect(res.body).toMatchObject({ erased: { profile: true, events: 5 + 6 } });
    await svc.service.settled();
    expect(itemsMentioning(await dumpTables(svc.service), [shopper])).toEqual([]);
    expect((await getProfile(svc.url, shopper)).status).toBe(404);
  });

  it('ledger items landing after an erase (an ingest in flight) count for nothing, and an erase removes them', async () => {
    const shopper = 'late-ledger-shopper';
    const view = track(shopper, 'Product Viewed', { product_id: 'sku-late' }, '2026-06-10T10:00:00Z');
    // What an in-flight ingest's late ledger write leaves behind: a ledger item and no profile.
    const leaveLeftover = async () => {
      const client = documentClient(svc.service.config.endpoints);
      try {
        const ledger = new DynamoDbEventLedger(client, svc.service.config.eventsTable, systemClock, 400);
        await ledger.write([
          {
            kind: 'event',
            shopperId: shopper,
            key: `m#${view.messageId}`,
            event: {
              messageId: view.messageId,
              shopperId: shopper,
              anonymous: false,
              type: 'track',
              event: 'Product Viewed',
              behaviour: 'product_viewed',
              at: '2026-06-10T10:00:00.000Z',
              products: [{ productId: 'sku-late', quantity: 1 }],
            },
          },
        ]);
      } finally {
        client.destroy();
      }
    };

    await leaveLeftover();
    // The same event arriving now is not a duplicate of the leftover: it starts the profile.
    expect((await postBatch(svc.url, [view])).body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await getProfile(svc.url, shopper)).body).toMatchObject({ productViews: 1 });
    await svc.service.settled();
    expect(await erase(shopper)).toMatchObject({
      status: 200,
      body: { erased: { profile: true, events: 1 } },
    });

    await leaveLeftover();
    expect(await erase(shopper)).toMatchObject({
      status: 200,
      body: { erased: { profile: false, events: 1, history: 0 } },
    });
    expect(itemsMentioning(await dumpTables(svc.service), [shopper])).toEqual([]);
  });
});
