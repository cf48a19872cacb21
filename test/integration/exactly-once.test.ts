/**
 * "A 2xx means stored and applied exactly once": replays, concurrent replays and storage
 * failures injected between the writes of one request. The failures wrap the real
 * emulator-backed adapters (no mocks): the first N calls of one port method fail, either
 * before or after the real write happens (a lost acknowledgement).
 */
import { describe, expect, it } from 'vitest';
import { type LocalServiceOptions, startLocalService } from '#local/local-service';
import { randomBatch } from '../support/events';
import { type Fault, faultyPorts } from '../support/faulty-ports';
import { getProfile, keys, postBatch, useLocalService } from '../support/local-service';

const NOW = '2025-07-01T00:00:00Z';

const userIdsOf = (batch: { userId: string }[]) => [...new Set(batch.map((m) => m.userId))].sort();

const profilesOf = async (url: string, userIds: string[]) => {
  const out: Record<string, unknown> = {};
  for (const id of userIds) out[id] = (await getProfile(url, id)).body;
  return out;
};

describe('exactly-once ingestion', () => {
  const reference = useLocalService({ now: NOW });

  it('replaying a batch three times, concurrently, leaves profiles identical to one delivery', async () => {
    const batch = randomBatch(7, 6, 400, 'replay');
    const once = await postBatch(reference.url, batch);
    expect(once.status).toBe(200);
    expect(once.body.duplicates).toBe(0);
    const expected = await profilesOf(reference.url, userIdsOf(batch));

    const replayed = useLocalServiceInline();
    const service = await replayed.start();
    try {
      const answers = await Promise.all([
        postBatch(service.url, batch),
        postBatch(service.url, batch),
        postBatch(service.url, batch),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      // Across the three deliveries each event was applied once: two full sets of duplicates.
      expect(answers.reduce((n, a) => n + Number(a.body.duplicates), 0)).toBe(2 * batch.length);
      expect(await profilesOf(service.url, userIdsOf(batch))).toEqual(expected);
    } finally {
      await service.close();
    }
  });

  const faults: Fault[] = [
    { method: 'ledger.write', when: 'before', times: 1 },
    { method: 'ledger.write', when: 'after', times: 1 },
    { method: 'ledger.write', when: 'before', times: 3 },
    { method: 'profiles.put', when: 'after', times: 1 },
    { method: 'profiles.put', when: 'before', times: 2 },
    { method: 'ledger.find', when: 'before', times: 1 },
    { method: 'profiles.getRecord', when: 'before', times: 1 },
  ];

  it.each(faults)(
    'a failure $when $method (x$times) answers 5xx, and the retry counts everything once',
    async (fault) => {
      const batch = randomBatch(11, 5, 300, `fault-${fault.method}-${fault.when}-${fault.times}`);
      const clean = await postBatch(reference.url, batch);
      expect(clean.status).toBe(200);
      const expected = await profilesOf(reference.url, userIdsOf(batch));

      const injector = faultyPorts(fault);
      const service = await useLocalServiceInline({ decoratePorts: injector.decorate }).start();
      try {
        injector.arm();
        const failed = await postBatch(service.url, batch);
        expect(failed.status).toBeGreaterThanOrEqual(500);
        // The client retries until it gets a 2xx (each retry may meet another injected failure).
        let status = failed.status;
        for (let attempt = 0; attempt < 5 && status !== 200; attempt++)
          status = (await postBatch(service.url, batch)).status;
        expect(status).toBe(200);
        const replay = await postBatch(service.url, batch);
        expect(replay.body.duplicates).toBe(batch.length);
        expect(await profilesOf(service.url, userIdsOf(batch))).toEqual(expected);
      } finally {
        await service.close();
      }
    },
  );
});

/** A second, independent service inside one test (same pinned clock as the reference). */
function useLocalServiceInline(options: Partial<LocalServiceOptions> = {}) {
  return {
    start: () => startLocalService({ ...keys, now: NOW, logLevel: 'error', logWrite: () => {}, ...options }),
  };
}
