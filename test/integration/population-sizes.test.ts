/**
 * Segment sizes and shares are population counts, not the training sample's: with more buyers
 * than the training sample holds, the catalogue's sizes equal the counts found by scoring every
 * profile of the snapshot with the promoted model (computed here independently).
 */
import { describe, expect, it } from 'vitest';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { scoreProfile } from '#shared/segmentation/domain/score-profile';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { latestSnapshot, readSnapshot } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import { keys, useLocalService } from '../support/local-service';

const END = '2026-06-30T00:00:00.000Z';
const maxTrainingRows = 120;
// The job settings, as the stack sets them in the job functions' environment.
const svc = useLocalService({ now: END, modelCacheMs: 0, retrain: { rowsPerPart: 70, maxTrainingRows } });

describe('segment sizes and shares', () => {
  it('are the population counts when the training sample is smaller than the population', async () => {
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 300, seed: 5 });
    const sorted = [...messages].sort(
      (a, b) => a.userId.localeCompare(b.userId) || a.timestamp.localeCompare(b.timestamp),
    );
    expect((await sendInBatches(svc.url, keys.writeKey, sorted, { batchSize: 500 })).rejected).toBe(0);
    await svc.service.settled();

    const run = await svc.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');

    // The truth: every profile of the snapshot scored with the promoted model, as of the clock.
    const { objects } = svc.service.retrainPorts;
    const model = await new ModelRepository(objects).load(run.modelVersion ?? '');
    const manifest = await latestSnapshot(objects);
    if (!model || !manifest) throw new Error('no model or snapshot');
    const truth = new Map<string, number>();
    let buyers = 0;
    for await (const profile of readSnapshot(objects, manifest)) {
      const { segmentId } = scoreProfile(model, profile, new Date(END));
      truth.set(segmentId, (truth.get(segmentId) ?? 0) + 1);
      if (profile.orders > 0) buyers += 1;
    }
    // Not vacuous: more buyers than the training sample held.
    expect(buyers).toBeGreaterThan(maxTrainingRows);

    const res = await fetch(`${svc.url}/v1/segments`, {
      headers: { authorization: `Bearer ${keys.readKey}` },
    });
    expect(res.status).toBe(200);
    const catalogue = (await res.json()) as { segments: { id: string; size: number; share: number }[] };
    const sizes = Object.fromEntries(catalogue.segments.map((s) => [s.id, s.size]));
    expect(sizes).toEqual(Object.fromEntries(truth));
    for (const s of catalogue.segments)
      expect(s.share).toBeCloseTo((truth.get(s.id) ?? 0) / manifest.rows, 4);
  });
});
