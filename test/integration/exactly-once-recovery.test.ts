/**
 * Recovery of writes whose ledger items never landed (issue 12, holes 1 and 2), with faults
 * injected deterministically around the real emulator-backed adapters.
 */
import { describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '#local/local-service';
import { eventKey, orderKey } from '#shared/ingestion/ports/event-ledger';
import { order, track } from '../support/events';
import { type Fault, faultyPorts } from '../support/faulty-ports';
import { getProfile, keys, postBatch } from '../support/local-service';

const NOW = '2025-07-01T00:00:00Z';

const withService = async (
  fault: Fault,
  body: (service: LocalService, injector: ReturnType<typeof faultyPorts>) => Promise<void>,
) => {
  const injector = faultyPorts(fault);
  const service = await startLocalService({
    ...keys,
    now: NOW,
    logLevel: 'error',
    logWrite: () => {},
    decoratePorts: injector.decorate,
  });
  try {
    await body(service, injector);
  } finally {
    await service.close();
  }
};

/** The profiles a service holds after receiving each batch once, in order, without faults. */
const deliveredOnce = async (batches: unknown[][], userId: string) => {
  const service = await startLocalService({ ...keys, now: NOW, logLevel: 'error', logWrite: () => {} });
  try {
    for (const batch of batches) expect((await postBatch(service.url, batch)).status).toBe(200);
    return (await getProfile(service.url, userId)).body;
  } finally {
    await service.close();
  }
};

const withMessageId = <T extends { messageId: string }>(message: T, messageId: string): T => ({
  ...message,
  messageId,
});

describe('recovery of unfinished writes', () => {
  it('two Order Completed with one order_id in a failed batch: the retry is accepted, the order counts once', async () => {
    const userId = 'resent-order';
    const batch = [
      withMessageId(order(userId, 'ORD-1', 10, '2025-03-01T10:00:00Z'), 'm-a'),
      withMessageId(order(userId, 'ORD-1', 99, '2025-03-01T11:00:00Z'), 'm-b'),
    ];
    const expected = await deliveredOnce([batch], userId);
    await withService({ method: 'ledger.write', when: 'before', times: 1 }, async (service, injector) => {
      injector.arm();
      expect((await postBatch(service.url, batch)).status).toBe(500);
      const retries = [];
      for (let i = 0; i < 3; i++) retries.push((await postBatch(service.url, batch)).status);
      expect(retries).toEqual([200, 200, 200]);
      expect((await getProfile(service.url, userId)).body).toEqual(expected);
      // The marker belongs to the order that counted (the earlier one), with its amount.
      const marker = (await service.ports.ledger.find(userId, [orderKey('ORD-1')])).get(orderKey('ORD-1'));
      expect(marker).toMatchObject({ kind: 'order', messageId: 'm-a', amount: 10 });
    });
  });

  it('the order re-sent under a new messageId after a failure: the marker keeps the counted order', async () => {
    const userId = 'resent-later';
    const first = [withMessageId(order(userId, 'ORD-1', 10, '2025-03-01T10:00:00Z'), 'm-a')];
    const resent = [withMessageId(order(userId, 'ORD-1', 99, '2025-03-01T10:00:00Z'), 'm-b')];
    const refund = [track(userId, 'Order Refunded', { order_id: 'ORD-1' }, '2025-03-02T10:00:00Z')];
    const expected = await deliveredOnce([first, resent, refund], userId);
    await withService({ method: 'ledger.write', when: 'before', times: 1 }, async (service, injector) => {
      injector.arm();
      expect((await postBatch(service.url, first)).status).toBe(500);
      // The site gives up on m-a and sends the order again as m-b, then a refund without amount.
      expect((await postBatch(service.url, resent)).status).toBe(200);
      expect((await postBatch(service.url, refund)).status).toBe(200);
      expect((await getProfile(service.url, userId)).body).toEqual(expected);
      const found = await service.ports.ledger.find(userId, [orderKey('ORD-1'), eventKey('m-a')]);
      expect(found.get(orderKey('ORD-1'))).toMatchObject({ messageId: 'm-a', amount: 10 });
      expect(found.has(eventKey('m-a'))).toBe(true);
    });
  });

  it('keys of abandoned deliveries are resolved by the next write and the pending list stays bounded', async () => {
    const userId = 'abandoned';
    const abandoned = [0, 1, 2].map((i) => [
      track(userId, 'Product Viewed', { product_id: `sku-${i}` }, `2025-03-0${i + 1}T10:00:00Z`),
      order(userId, `ORD-${i}`, 10 + i, `2025-03-0${i + 1}T11:00:00Z`),
    ]);
    const next = [track(userId, 'Product Viewed', { product_id: 'sku-9' }, '2025-03-09T10:00:00Z')];
    const expected = await deliveredOnce([...abandoned, next], userId);
    // Each abandoned delivery is applied, then fails before its ledger items are written.
    await withService({ method: 'profiles.put', when: 'after', times: 1 }, async (service, injector) => {
      for (const batch of abandoned) {
        injector.arm();
        expect((await postBatch(service.url, batch)).status).toBe(500);
      }
      expect((await postBatch(service.url, next)).status).toBe(200);

      const abandonedKeys = abandoned.flatMap((batch) => [
        ...batch.map((m) => eventKey(m.messageId)),
        ...batch.flatMap((m) =>
          m.event === 'Order Completed' ? [orderKey(String(m.properties.order_id))] : [],
        ),
      ]);
      const found = await service.ports.ledger.find(userId, abandonedKeys);
      expect([...found.keys()].sort()).toEqual([...abandonedKeys].sort());
      expect(found.get(orderKey('ORD-2'))).toMatchObject({ kind: 'order', amount: 12 });
      const stored = await service.ports.profiles.get(userId);
      const stillPending = [
        ...(stored?.pending.keys ?? []),
        ...(stored?.pending.orders ?? []).map((o) => o.key),
      ];
      expect(stillPending).toEqual([eventKey(next[0]?.messageId ?? '')]);

      // Re-sent late, the abandoned events are recognised as applied: nothing counts twice.
      for (const batch of abandoned) {
        const again = await postBatch(service.url, batch);
        expect(again).toMatchObject({ status: 200, body: { duplicates: batch.length } });
      }
      expect((await getProfile(service.url, userId)).body).toEqual(expected);
    });
  });
});
