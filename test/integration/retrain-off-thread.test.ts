/**
 * Issue 12, hole 7: a retrain or drift check must not stall the request thread. The gate holds
 * the run synchronously, as a long training step does, in whichever thread runs it; while it is
 * held, lookups, ingests and profile reads are answered. Were the run on the request thread, the
 * hold would block the server (and this test) until it gave up, which the gate records.
 */
import { describe, expect, it } from 'vitest';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { retrainGate } from '#local/retrain-gate';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { order } from '../support/events';
import { getProfile, keys, postBatch, useLocalService } from '../support/local-service';

const NOW = '2026-06-30T00:00:00.000Z';
const gate = retrainGate();
const svc = useLocalService({ now: NOW, modelCacheMs: 0, retrainGate: gate.flag });

const lookup = async (userId: string) => {
  const res = await fetch(`${svc.url}/v1/users/${userId}/segment`, {
    headers: { authorization: `Bearer ${keys.readKey}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('retrains and drift checks run off the request thread', () => {
  it('answers lookups, ingests and profile reads while a retrain is held mid-run', async () => {
    const { messages } = demoTraffic({ end: new Date(NOW), shoppers: 120, seed: 5 });
    await sendInBatches(svc.url, keys.writeKey, messages, { batchSize: 500 });
    const first = await svc.service.retrain('manual');
    expect(first.outcome, first.reason).toBe('promoted');

    gate.arm();
    const running = svc.service.retrain('manual');
    expect(await gate.held()).toBe('held');

    const answered: { what: string; status: number; gate: string }[] = [];
    const seen = (what: string, status: number) => answered.push({ what, status, gate: gate.state() });
    const before = await getProfile(svc.url, 'demo-user-0002');
    seen('profile', before.status);
    const segment = await lookup('demo-user-0002');
    seen('lookup', segment.status);
    const ingest = await postBatch(svc.url, [
      order('demo-user-0002', 'held-order', 31.5, '2026-06-29T10:00:00Z'),
    ]);
    seen('ingest', ingest.status);
    const after = await getProfile(svc.url, 'demo-user-0002');
    seen('profile', after.status);
    gate.release();

    expect(answered).toEqual([
      { what: 'profile', status: 200, gate: 'held' },
      { what: 'lookup', status: 200, gate: 'held' },
      { what: 'ingest', status: 200, gate: 'held' },
      { what: 'profile', status: 200, gate: 'held' },
    ]);
    expect(segment.body.modelVersion).toBe(first.modelVersion);
    expect(after.body.orders).toBe(Number(before.body.orders) + 1);

    const second = await running;
    expect(gate.state()).toBe('released');
    expect(second.outcome, second.reason).toBe('promoted');
    // The run saw the service's pinned clock, not the machine's.
    const model = await new ModelRepository(svc.service.retrainPorts.objects).current();
    expect(model?.version).toBe(second.modelVersion);
    expect(model?.asOf).toBe(NOW);
  });

  it('answers lookups while a drift check is held mid-run', async () => {
    gate.arm();
    const running = svc.service.checkDrift();
    expect(await gate.held()).toBe('held');
    const segment = await lookup('demo-user-0003');
    const state = gate.state();
    gate.release();
    expect({ status: segment.status, gate: state }).toEqual({ status: 200, gate: 'held' });
    const check = await running;
    expect(gate.state()).toBe('released');
    expect(check.drift).not.toBeNull();
  });

  it('skips a drift check asked for while a retrain runs, at once, as the stack does', async () => {
    gate.arm();
    const running = svc.service.retrain('manual');
    expect(await gate.held()).toBe('held');
    // Answered while the retrain is still held: the check neither waits for it nor queues behind it.
    const check = await svc.service.checkDrift();
    const state = gate.state();
    gate.release();
    expect({ check, gate: state }).toEqual({
      check: {
        drift: null,
        threshold: 0,
        retrain: null,
        skipped: 'a retrain is running: it will serve a fresh model',
      },
      gate: 'held',
    });
    expect((await running).trigger).toBe('manual');
    // Once the retrain is done, a check runs again.
    const after = await svc.service.checkDrift();
    expect(after.skipped).toBeUndefined();
    expect(after.drift).not.toBeNull();
  });
});
