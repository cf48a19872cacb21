/**
 * The retrain lifecycle on the emulators: demo traffic in → snapshot (S3) → train → gate →
 * promote → reassign (DynamoDB) → history; a second run keeps ids; a run killed before the
 * pointer switch leaves the current model untouched.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { PROSPECTS_ID } from '#shared/segmentation/domain/segment-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { latestSnapshot } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import { keys, useLocalService } from '../support/local-service';

const END = '2026-06-30T00:00:00Z';
// Parts of 50 rows, as SNAPSHOT_ROWS_PER_PART sets them in the stack: several parts to fan out over.
const svc = useLocalService({ now: END, retrain: { rowsPerPart: 50 } });

const byShopper = (messages: { userId: string; timestamp: string }[]) =>
  [...messages].sort((a, b) => a.userId.localeCompare(b.userId) || a.timestamp.localeCompare(b.timestamp));

describe('retrain lifecycle', () => {
  it('snapshots, trains, promotes and assigns every shopper', async () => {
    const { shoppers, messages } = demoTraffic({ end: new Date(END), shoppers: 240, seed: 7 });
    const loaded = await sendInBatches(svc.url, keys.writeKey, byShopper(messages), { batchSize: 500 });
    expect(loaded.rejected).toBe(0);

    const run = await svc.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');
    expect(run.k).toBeGreaterThanOrEqual(3);
    expect(run.reassigned?.shoppers).toBe(shoppers.length);
    expect(run.reassigned?.changed).toBe(shoppers.length);
    // The run as its last step, "Record run", saved it.
    expect((await new ModelRepository(svc.service.retrainPorts.objects).runs())[0]).toEqual(run);

    const { objects, assignments } = svc.service.retrainPorts;
    const manifest = await latestSnapshot(objects);
    expect(manifest?.rows).toBe(shoppers.length);
    expect(manifest?.parts.length).toBeGreaterThan(1);
    // Parts are plain gzip JSON Lines, one profile a line (what Athena reads).
    const firstPart = manifest?.parts[0];
    const body = firstPart ? await objects.get(firstPart.key) : undefined;
    const lines = gunzipSync(Buffer.from(body ?? new Uint8Array()))
      .toString('utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(firstPart?.rows ?? -1);
    expect(JSON.parse(lines[0] ?? '{}')).toHaveProperty('shopperId');

    const model = await new ModelRepository(objects).current();
    expect(model?.version).toBe(run.modelVersion);
    expect(new Set(model?.segments.map((s) => s.name)).size).toBe(model?.segments.length);
    expect(model?.segments.every((s) => s.description.length > 0 && s.rules.length > 0)).toBe(true);

    // Every profile carries its segment stamp.
    const current = new Map<string, string | undefined>();
    for (const s of shoppers)
      current.set(s.userId, (await svc.service.ports.profiles.get(s.userId))?.profile.segment?.id);
    expect([...current.values()].every((id) => id !== undefined)).toBe(true);
    const windowShopper = shoppers.find(
      (s) => s.persona === 'window_shopper' && current.get(s.userId) === PROSPECTS_ID,
    );
    expect(windowShopper).toBeDefined();
    const history = await assignments.history(shoppers[0]?.userId ?? '');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ from: null, reason: 'retrain', modelVersion: run.modelVersion });
  });

  it('a second retrain on unchanged data keeps every segment id and changes no assignment', async () => {
    const repo = new ModelRepository(svc.service.retrainPorts.objects);
    const before = await repo.current();
    const run = await svc.service.retrain('schedule');
    expect(run.outcome, run.reason).toBe('promoted');
    expect(run.stability?.ari).toBeGreaterThanOrEqual(0.9);
    const after = await repo.current();
    expect(after?.version).not.toBe(before?.version);
    expect(after?.segments.map((s) => s.id).sort()).toEqual(before?.segments.map((s) => s.id).sort());
    expect(after?.segments.map((s) => s.name).sort()).toEqual(before?.segments.map((s) => s.name).sort());
    expect(run.reassigned?.changed).toBe(0);
    expect((await repo.runs()).map((r) => r.outcome)).toEqual(['promoted', 'promoted']);
  });

  it("writes the new model's recommendation index before the pointer switches to it", async () => {
    const { objects } = svc.service.retrainPorts;
    const put = objects.put.bind(objects);
    const atSwitch: { version: string; index: boolean }[] = [];
    // At the moment the pointer is written, a lookup could read the new model: its index must be there.
    objects.put = async (key, body, type) => {
      if (key === 'models/current.json') {
        const { version } = JSON.parse(
          typeof body === 'string' ? body : Buffer.from(body).toString('utf8'),
        ) as {
          version: string;
        };
        atSwitch.push({
          version,
          index: (await objects.get(`models/${version}/recommendations.json`)) !== undefined,
        });
      }
      return put(key, body, type);
    };
    try {
      const run = await svc.service.retrain('manual');
      expect(run.outcome, run.reason).toBe('promoted');
      expect(atSwitch).toEqual([{ version: run.modelVersion, index: true }]);
    } finally {
      objects.put = put;
    }
  });

  it('a run killed before the pointer switch leaves the current model serving', async () => {
    const { objects } = svc.service.retrainPorts;
    const repo = new ModelRepository(objects);
    const before = await repo.currentPointer();
    const put = objects.put.bind(objects);
    // Kill the run when it tries to switch the pointer (after writing the new model).
    objects.put = async (key, body, type) => {
      if (key === 'models/current.json') throw new Error('killed');
      return put(key, body, type);
    };
    try {
      await expect(svc.service.retrain('manual')).rejects.toThrow('killed');
    } finally {
      objects.put = put;
    }
    expect(await repo.currentPointer()).toEqual(before);
  });
});
