/**
 * What an accepted event costs in DynamoDB requests and capacity units, measured on the
 * emulator: the figure the README reports. Asserts the coalescing rule (one profile write per
 * shopper per batch) and prints the per-event figures.
 */
import { describe, expect, it } from 'vitest';
import { dynamoMeter } from '../support/dynamo-meter';
import { randomBatch } from '../support/events';
import { postBatch, useLocalService } from '../support/local-service';

const meter = dynamoMeter();
const svc = useLocalService({ now: '2025-07-01T00:00:00Z', instrumentDynamo: meter.attach });

const isProfiles = (table: string) => table.endsWith('profiles');

describe('write cost per accepted event', () => {
  it.each([
    { shoppers: 1, size: 100 },
    { shoppers: 20, size: 100 },
    { shoppers: 100, size: 100 },
  ])(
    'a batch of $size events over $shoppers shoppers writes each profile once',
    async ({ shoppers, size }) => {
      meter.reset();
      const batch = randomBatch(shoppers * 1000 + size, shoppers, size, `cost-${shoppers}`);
      const touched = new Set(batch.map((m) => m.userId)).size;
      const res = await postBatch(svc.url, batch);
      expect(res.status).toBe(200);

      const profilePuts = meter.calls.filter((c) => c.command === 'PutItem' && isProfiles(c.table));
      expect(profilePuts).toHaveLength(touched);
      const ledgerWrites = meter.summary((c) => c.command === 'BatchWriteItem');
      // One ledger item per event plus one per newly counted order, 25 to a request.
      expect(ledgerWrites.capacity).toBeGreaterThanOrEqual(size);

      const all = meter.summary();
      const writes = meter.summary((c) => c.command === 'PutItem' || c.command === 'BatchWriteItem');
      const reads = meter.summary((c) => c.command === 'GetItem' || c.command === 'BatchGetItem');
      expect(all.requests).toBe(writes.requests + reads.requests);
      console.log(
        `[write-cost] ${size} events / ${touched} shoppers: ${(all.requests / size).toFixed(3)} requests, ` +
          `${(writes.capacity / size).toFixed(2)} WCU, ${(reads.capacity / size).toFixed(2)} RCU per event`,
      );

      meter.reset();
      const replay = await postBatch(svc.url, batch);
      expect(replay.body.duplicates).toBe(size);
      // A replay only reads: nothing is written again.
      expect(meter.summary((c) => c.command === 'PutItem' || c.command === 'BatchWriteItem').requests).toBe(
        0,
      );
    },
  );
});
